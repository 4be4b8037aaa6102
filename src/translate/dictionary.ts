// The universal-tag dictionary: names of DeepFlow resource ids, read from the JSON file named by
// `relay.universal-tags` (deepflow-server gets the same maps from its controller):
//   {"region": {"1": "region-1"}, "pod": {"153": "productpage-v1-7f9c"}, "agent": {"7": "node-1-V3"},
//    "device": {"10:153": "productpage-v1-7f9c"}, "k8s_labels": {"153": {"app": "productpage"}}, ...}
import { byNumber, numericKey } from '../util/number-keys.ts'

export const ID_KINDS = [
  'region',
  'az',
  'host',
  'pod_node',
  'pod_ns',
  'pod_group',
  'pod',
  'pod_cluster',
  'l3_epc',
  'subnet',
  'service',
  'gprocess',
  'agent',
  'device',
] as const
export type IdKind = (typeof ID_KINDS)[number]

const KNOWN_KEYS: ReadonlySet<string> = new Set([...ID_KINDS, 'k8s_labels'])

const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/**
 * The first thing wrong with a parsed dictionary (its path and what was expected), null when it has
 * the dictionary's shape. A plain walk: the file has an entry per resource (thousands in a cluster),
 * and a schema library's per-entry bookkeeping made it most of the relay's start-up.
 */
function shapeProblem(json: unknown): { path: string; message: string } | null {
  if (!isMap(json)) return { path: '', message: 'expected an object of kinds' }
  for (const key in json) {
    if (!Object.hasOwn(json, key)) continue
    const value = json[key]
    if (!KNOWN_KEYS.has(key)) return { path: key, message: `unknown key (valid: ${[...KNOWN_KEYS].join(', ')})` }
    if (value === undefined) continue
    if (!isMap(value)) {
      return { path: key, message: key === 'k8s_labels' ? 'expected a map of pod id to labels' : 'expected a map of id to name' }
    }
    for (const id in value) {
      if (!Object.hasOwn(value, id)) continue
      const entry = value[id]
      if (key !== 'k8s_labels') {
        if (typeof entry !== 'string') return { path: `${key}.${id}`, message: 'expected a name (string)' }
        continue
      }
      if (!isMap(entry)) return { path: `${key}.${id}`, message: 'expected a map of label name to value' }
      for (const label in entry) {
        if (Object.hasOwn(entry, label) && typeof entry[label] !== 'string') {
          return { path: `${key}.${id}.${label}`, message: 'expected a label value (string)' }
        }
      }
    }
  }
  return null
}

export interface Dictionary {
  /** Name of an id of a kind; `device` ids are "<device type>:<id>". */
  name(kind: IdKind, id: string): string | undefined
  /**
   * The names of a kind's ids, looked up by the id as a record holds it (a number, or a bigint
   * past 2^53): name(kind, String(id)) without making the string. Translators take it once per
   * dictionary (translate/translators.ts), not once per record.
   */
  ids(kind: Exclude<IdKind, 'device'>): IdNames
  /** name('device', `${type}:${id}`) for numeric device types and ids, without making the string. */
  deviceName(type: number | bigint, id: number | bigint): string | undefined
  /**
   * k8s labels of a pod, sorted by label name, flat: [name, value, name, value, …] (an array per
   * pair would cost a large cluster's dictionary about 50 bytes per label).
   */
  k8sLabels(podId: string): readonly string[] | undefined
}

/** The names of one kind's ids. */
export interface IdNames {
  get(id: number | bigint): string | undefined
}

const NO_NAMES: IdNames = { get: () => undefined }

export const EMPTY_DICTIONARY: Dictionary = {
  name: () => undefined,
  ids: () => NO_NAMES,
  deviceName: () => undefined,
  k8sLabels: () => undefined,
}

/**
 * Names by id, looked up by number where the file's key is a number's own text (every DeepFlow
 * id), else by that text: bigints and numbers the file names in no such key fall back to it.
 */
function idNames(byText: Map<string, string>): IdNames {
  const numbers = byNumber(byText)
  return { get: (id) => (typeof id === 'number' ? numbers.get(id) : byText.get(String(id))) }
}

/**
 * The dictionaries encoders look names up in, replaced while encoders hold on to the holder (file
 * reloads, ClickHouse refreshes).
 */
export interface DictionaryHolder {
  /** The default organisation's dictionary (org_id 1, 0 or absent), or the only one. */
  current: Dictionary
  /**
   * The dictionary of organisation `org` (2 and up), when names are kept per organisation (the
   * ClickHouse dictionaries: org N reads `%04d_flow_tag`); absent: `current` serves every org.
   */
  forOrg?: (org: number) => Dictionary
}

/**
 * The dictionary for a record whose org_id is `org` (the record's value; undefined when the data
 * source or the record has none): as deepflow-server, org 0 and 1 are the default organisation.
 */
export function dictionaryOfOrg(holder: DictionaryHolder, org: unknown): Dictionary {
  return holder.forOrg !== undefined && typeof org === 'number' && org > 1 ? holder.forOrg(org) : holder.current
}

export type DictionaryResult = { ok: true; dictionary: Dictionary } | { ok: false; error: string }

export function parseDictionary(text: string): DictionaryResult {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` }
  }
  const problem = shapeProblem(json)
  if (problem !== null) return { ok: false, error: `${problem.path === '' ? '(top level)' : problem.path}: ${problem.message}` }
  const raw = json as Record<string, Record<string, unknown> | undefined>
  const maps = new Map<IdKind, Map<string, string>>()
  for (const kind of ID_KINDS) {
    const m = raw[kind]
    if (m !== undefined) maps.set(kind, new Map(Object.entries(m as Record<string, string>)))
  }
  const labels = new Map<string, string[]>()
  for (const [pod, set] of Object.entries((raw.k8s_labels ?? {}) as Record<string, Record<string, string>>)) {
    labels.set(pod, Object.entries(set).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flat())
  }
  const ids = new Map<IdKind, IdNames>()
  for (const kind of ID_KINDS) ids.set(kind, idNames(maps.get(kind) ?? new Map()))
  // Devices by type, then by id: "<type>:<id>" keys whose two parts are numbers' own text.
  const devices = new Map<number, Map<number, string>>()
  for (const [key, name] of maps.get('device') ?? []) {
    const colon = key.indexOf(':')
    const type = colon < 0 ? undefined : numericKey(key.slice(0, colon))
    const id = colon < 0 ? undefined : numericKey(key.slice(colon + 1))
    if (type === undefined || id === undefined) continue
    let byId = devices.get(type)
    if (byId === undefined) devices.set(type, byId = new Map())
    byId.set(id, name)
  }
  const deviceText = maps.get('device')
  return {
    ok: true,
    dictionary: {
      name: (kind, id) => maps.get(kind)?.get(id),
      ids: (kind) => ids.get(kind)!,
      deviceName: (type, id) =>
        typeof type === 'number' && typeof id === 'number' ? devices.get(type)?.get(id) : deviceText?.get(`${type}:${id}`),
      k8sLabels: (podId) => labels.get(podId),
    },
  }
}
