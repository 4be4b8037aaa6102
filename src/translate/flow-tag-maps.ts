// DeepFlow's `flow_tag` dictionaries in ClickHouse, read as tables (a dictionary answers a plain
// SELECT): which map feeds which kind of name, the SQL of each, and how their TabSeparated answers
// become the dictionary the exporters look names up in (translate/dictionary.ts). Pure: the
// refresh loop (flow-tag-dictionaries.ts) runs the queries.
//
// What deepflow-server's exporter sees differs from ClickHouse's copy in two ways (the exporter
// takes its maps from the controller's GetUniversalTagNameMaps, trisolaris/node/node.go
// generateUniversalTagNameMaps), and the relay produces what the exporter would:
// - the resource maps (region, az, pod*, l3_epc, subnet, gprocess) come from the controller's
//   resource tables, which skip deleted resources, while the ch_* tables behind the dictionaries
//   keep them as "<name> (deleted)" (tagrecorder/ch_pod.go …): such a name is left out, so the id
//   stays raw, as the exporter has no name for it. device_map is the very table the exporter reads
//   (GetChDevicesIDTypeAndName), so its names are kept as they are, suffix included; vtap_map's
//   names have no suffix.
// - k8s labels: the gRPC splits the pod's "k:v, k2:v2" on ":" and keeps part [1], so a value with
//   a ":" is cut there (reg.local:5000/b:1 → reg.local); the dictionary keeps it whole
//   (tagrecorder/tool.go SplitN). The relay keeps what comes before the first ":". Labels are those
//   of live pods only (the gRPC lists the pods of the resource table).
import type { Dictionary, IdKind, IdNames } from './dictionary.ts'

/** One map of a flow_tag database and what it feeds. */
export interface FlowTagMap {
  readonly table: string
  /** The kind of name it gives; device_map gives devices by (type, id), the labels map labels. */
  readonly kind: Exclude<IdKind, 'device'> | 'device' | 'k8s_labels'
  /** Whether a "<name> (deleted)" row counts as no name (the resource maps). */
  readonly skipDeleted: boolean
}

export const FLOW_TAG_MAPS: readonly FlowTagMap[] = [
  { table: 'region_map', kind: 'region', skipDeleted: true },
  { table: 'az_map', kind: 'az', skipDeleted: true },
  { table: 'pod_node_map', kind: 'pod_node', skipDeleted: true },
  { table: 'pod_ns_map', kind: 'pod_ns', skipDeleted: true },
  { table: 'pod_group_map', kind: 'pod_group', skipDeleted: true },
  { table: 'pod_map', kind: 'pod', skipDeleted: true },
  { table: 'pod_cluster_map', kind: 'pod_cluster', skipDeleted: true },
  { table: 'l3_epc_map', kind: 'l3_epc', skipDeleted: true },
  { table: 'subnet_map', kind: 'subnet', skipDeleted: true },
  { table: 'gprocess_map', kind: 'gprocess', skipDeleted: true },
  { table: 'vtap_map', kind: 'agent', skipDeleted: false },
  { table: 'device_map', kind: 'device', skipDeleted: false },
  { table: 'pod_k8s_labels_map', kind: 'k8s_labels', skipDeleted: false },
]

export const DELETED_SUFFIX = ' (deleted)'

const quoteIdentifier = (name: string) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``

/** The flow_tag database of an organisation: `flow_tag` for the default one (0, 1), else `%04d_flow_tag`. */
export function flowTagDatabase(org: number): string {
  return org <= 1 ? 'flow_tag' : `${String(org).padStart(4, '0')}_flow_tag`
}

/** The SELECT of a map: (id, name), (devicetype, deviceid, name) or (id, labels), as TabSeparated. */
export function mapQuery(database: string, map: FlowTagMap): string {
  const from = `${quoteIdentifier(database)}.${quoteIdentifier(map.table)}`
  const columns = map.kind === 'device' ? 'devicetype, deviceid, name' : map.kind === 'k8s_labels' ? 'id, labels' : 'id, name'
  return `SELECT ${columns} FROM ${from} FORMAT TabSeparated`
}

/** A TabSeparated field as text: ClickHouse escapes \b \f \r \n \t \0 \' \\ with a backslash. */
export function unescapeTsv(field: string): string {
  if (!field.includes('\\')) return field
  return field.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c)
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', r: '\r', n: '\n', t: '\t', '0': '\0' }

/** Rows read between two pauses: a large cluster's map takes about a second to read. */
export const ROWS_PER_PAUSE = 5000

/**
 * Calls `row` with the fields of each line of a TabSeparated answer (no trailing empty line),
 * awaiting `pause` every ROWS_PER_PAUSE rows so that requests are served meanwhile.
 */
async function eachRow(
  text: string,
  columns: number,
  row: (fields: string[]) => void,
  pause: (() => Promise<void>) | undefined,
): Promise<void> {
  const fields = new Array<string>(columns)
  let at = 0
  let rows = 0
  while (at < text.length) {
    if (pause !== undefined && ++rows % ROWS_PER_PAUSE === 0) await pause()
    let end = text.indexOf('\n', at)
    if (end < 0) end = text.length
    let from = at
    let complete = true
    for (let c = 0; c < columns; c++) {
      const tab = c === columns - 1 ? end : text.indexOf('\t', from)
      if (tab < 0 || tab > end) {
        complete = false
        break
      }
      fields[c] = text.slice(from, tab)
      from = tab + 1
    }
    if (complete) row(fields)
    at = end + 1
  }
}

/** An unsigned id of a TabSeparated answer as a number; undefined past 2^53 or when not an id. */
function idOf(text: string): number | undefined {
  if (!/^(?:0|[1-9]\d*)$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : undefined
}

/** What a map's answer gave. */
export type MapContent =
  | { readonly kind: 'names'; readonly names: Map<number, string> }
  | { readonly kind: 'devices'; readonly devices: Map<number, Map<number, string>> }
  | { readonly kind: 'labels'; readonly labels: Map<number, readonly string[]> }

/** How a load reads its answers. */
export interface ReadOptions {
  /** Of the k8s labels only these (the ones some exporter writes: a cluster's labels are most of its dictionary). */
  readonly keepLabel?: (name: string) => boolean
  /**
   * The resource maps read before device_map in the same load: a device whose name its resource
   * map already holds (a pod's in pod_map, a workload's in pod_group_map) shares that string.
   */
  readonly earlier?: LoadedMaps
  /** Awaited every ROWS_PER_PAUSE rows (the refresh loop: a zero sleep, so the event loop runs). */
  readonly pause?: () => Promise<void>
}

/** The resource map whose ids are the devices of a device type (the device's name is usually its name there). */
const RESOURCE_OF_TYPE = new Map<number, FlowTagMap['kind']>([
  [10, 'pod'],
  [14, 'pod_node'],
  [101, 'pod_group'],
  [130, 'pod_group'],
  [131, 'pod_group'],
  [132, 'pod_group'],
  [133, 'pod_group'],
  [134, 'pod_group'],
  [135, 'pod_group'],
  [120, 'gprocess'],
  [103, 'pod_cluster'],
])

/** Reads one map's TabSeparated answer. */
export async function readMap(map: FlowTagMap, text: string, opts: ReadOptions = {}): Promise<MapContent> {
  if (map.kind === 'device') {
    const devices = new Map<number, Map<number, string>>()
    let lastType = -1
    let same: ReadonlyMap<number, string> | undefined
    await eachRow(text, 3, ([type, id, name]) => {
      const t = idOf(type!)
      const i = idOf(id!)
      if (t === undefined || i === undefined) return
      let byId = devices.get(t)
      if (byId === undefined) devices.set(t, byId = new Map())
      if (t !== lastType) {
        lastType = t
        const resource = RESOURCE_OF_TYPE.get(t)
        const content = resource === undefined ? undefined : opts.earlier?.get(resource)
        same = content?.kind === 'names' ? content.names : undefined
      }
      const n = unescapeTsv(name!)
      const known = same?.get(i)
      byId.set(i, known === n ? known : n)
    }, opts.pause)
    return { kind: 'devices', devices }
  }
  if (map.kind === 'k8s_labels') {
    const labels = new Map<number, readonly string[]>()
    const strings = new Map<string, string>()
    await eachRow(text, 2, ([id, json]) => {
      const pod = idOf(id!)
      const list = pod === undefined ? undefined : labelList(unescapeTsv(json!), opts.keepLabel)
      if (pod === undefined || list === undefined || list.length === 0) return
      for (let l = 0; l < list.length; l++) {
        // Label names and many values repeat across pods (app, version, team): one string each.
        const known = strings.get(list[l]!)
        if (known === undefined) strings.set(list[l]!, list[l]!)
        else list[l] = known
      }
      labels.set(pod, list)
    }, opts.pause)
    return { kind: 'labels', labels }
  }
  const names = new Map<number, string>()
  await eachRow(text, 2, ([id, name]) => {
    const i = idOf(id!)
    if (i === undefined) return
    const n = unescapeTsv(name!)
    if (map.skipDeleted && n.endsWith(DELETED_SUFFIX)) return
    names.set(i, n)
  }, opts.pause)
  return { kind: 'names', names }
}

/**
 * A pod's labels (a JSON object of strings) as the exporter's gRPC gives them, sorted by name and
 * flat ([name, value, …]): each value cut at its first ":". Undefined when the text is not such an
 * object.
 */
export function labelList(json: string, keep: (name: string) => boolean = () => true): string[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const pairs: [string, string][] = []
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string' || !keep(name)) continue
    const colon = value.indexOf(':')
    pairs.push([name, colon < 0 ? value : value.slice(0, colon)])
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flat()
}

/** The maps of one database, loaded: by kind; a map the database lacks is absent. */
export type LoadedMaps = ReadonlyMap<FlowTagMap['kind'], MapContent>

const NO_NAMES: IdNames = { get: () => undefined }

function numericNames(names: ReadonlyMap<number, string>): IdNames {
  return { get: (id) => names.get(typeof id === 'number' ? id : Number(id)) }
}

/** How many names, devices and labelled pods the maps hold (the dictionary's entries). */
export function entryCount(maps: LoadedMaps): number {
  let n = 0
  for (const content of maps.values()) {
    if (content.kind === 'names') n += content.names.size
    else if (content.kind === 'labels') n += content.labels.size
    else for (const byId of content.devices.values()) n += byId.size
  }
  return n
}

/** The dictionary of loaded maps; labels are given for the pods pod_map names (live pods) only. */
export function dictionaryOfMaps(maps: LoadedMaps): Dictionary {
  const names = new Map<string, IdNames>()
  const byKind = (kind: FlowTagMap['kind']): ReadonlyMap<number, string> | undefined => {
    const c = maps.get(kind)
    return c?.kind === 'names' ? c.names : undefined
  }
  for (const map of FLOW_TAG_MAPS) {
    const m = byKind(map.kind)
    if (m !== undefined) names.set(map.kind, numericNames(m))
  }
  const deviceContent = maps.get('device')
  const devices = deviceContent?.kind === 'devices' ? deviceContent.devices : new Map<number, Map<number, string>>()
  const labelContent = maps.get('k8s_labels')
  const labels = labelContent?.kind === 'labels' ? labelContent.labels : new Map<number, readonly string[]>()
  const pods = byKind('pod')
  const deviceName = (type: number | bigint, id: number | bigint) => devices.get(Number(type))?.get(Number(id))
  return {
    name: (kind, id) => {
      if (kind === 'device') {
        const colon = id.indexOf(':')
        const t = colon < 0 ? undefined : idOf(id.slice(0, colon))
        const i = colon < 0 ? undefined : idOf(id.slice(colon + 1))
        return t === undefined || i === undefined ? undefined : deviceName(t, i)
      }
      const i = idOf(id)
      return i === undefined ? undefined : names.get(kind)?.get(i)
    },
    ids: (kind) => names.get(kind) ?? NO_NAMES,
    deviceName,
    k8sLabels: (podId) => {
      const i = idOf(podId)
      return i === undefined || (pods !== undefined && !pods.has(i)) ? undefined : labels.get(i)
    },
  }
}
