// A small load driver for the end-to-end memory tests: N concurrent clients POST prebuilt NDJSON
// bodies (built once, reused) for a fixed time and/or number of requests, honouring Retry-After
// (they sleep that long, in real time), and count what the relay answered: records accepted (the
// `accepted` field of a 202), requests refused (429/503) by status, other statuses and errors.
// Beside it, a poller that asks /healthz every 200 ms and records any failure.
// The bodies are realistic flow_metrics.network_map.1s records (every tag and metric field of the
// schema, ids of a small pod topology), about 2.4 kB each as NDJSON.
import { rng, schemaFields } from '../../scripts/bench/records.ts'
import { snappyBlockCompress } from '../../src/util/snappy.ts'
import { encodeWriteRequest, type TimeSeries } from '../../src/wire/remote-write/prompb.ts'

export const NETWORK_MAP_1S = 'flow_metrics.network_map.1s'

/** One request body, posted as is by every client. */
export interface Body {
  readonly bytes: Uint8Array<ArrayBuffer>
  readonly records: number
}

const PORTS = [9080, 8080, 80, 443, 8443, 3306, 6379, 5432, 9092, 53, 50051, 27017]
const OBSERVATION_POINTS = ['c', 's', 'c-nd', 's-nd', 'c-p', 's-p', 'local', 'rest']
const BASE_TIME = 1_715_133_600
const PODS = 400

/** Universal tags of pod p on side `_0` (client) or `_1` (server). */
function sideTags(p: number, side: '_0' | '_1'): Record<string, number | string> {
  const group = p % 100
  const node = 1 + (p % 13)
  const ns = 1 + (group % 12)
  const cluster = 1 + (ns % 2)
  return {
    [`ip4${side}`]: `10.${16 + (p >> 8)}.${p & 255}.${2 + ((p * 7) % 250)}`,
    [`l3_epc_id${side}`]: 1 + cluster,
    [`l3_device_id${side}`]: 1000 + p,
    [`l3_device_type${side}`]: 10,
    [`region_id${side}`]: 1,
    [`subnet_id${side}`]: 4096 + ns,
    [`host_id${side}`]: node,
    [`pod_node_id${side}`]: node,
    [`az_id${side}`]: 1 + (node % 3),
    [`pod_group_id${side}`]: 100 + group,
    [`pod_ns_id${side}`]: ns,
    [`pod_id${side}`]: 1000 + p,
    [`pod_cluster_id${side}`]: cluster,
    [`service_id${side}`]: 500 + group,
    [`auto_instance_id${side}`]: 1000 + p,
    [`auto_instance_type${side}`]: 10,
    [`auto_service_id${side}`]: 500 + group,
    [`auto_service_type${side}`]: 102,
    [`gprocess_id${side}`]: 20000 + p,
  }
}

/** flow_metrics.network_map.1s record k: a client pod talking to a server pod for one second. */
export function networkMapRecord(k: number): Record<string, unknown> {
  const r = rng(k * 2654435761 + 11)
  const client = Math.floor(r() * PODS)
  const server = (client + 1 + Math.floor(r() * (PODS - 1))) % PODS
  const port = PORTS[server % PORTS.length]!
  const tags: Record<string, unknown> = {
    time: BASE_TIME + Math.floor(k / 1000),
    thread_id: 1 + (k % 4),
    ...sideTags(client, '_0'),
    ...sideTags(server, '_1'),
    protocol: port === 53 ? 17 : 6,
    server_port: port,
    agent_id: 1 + (client % 13),
    org_id: 1,
    team_id: 1,
    capture_nic: 0x10000 + (client % 64),
    capture_nic_type: 7,
    nat_source: 0,
    tunnel_type: client % 3 === 0 ? 1 : 0,
    observation_point: OBSERVATION_POINTS[k % OBSERVATION_POINTS.length],
    capture_network_type_id: 3,
    is_ipv4: 1,
    signal_source: 0,
  }
  const packets = Math.floor(1 + r() * 800)
  const out: Record<string, unknown> = {}
  for (const f of schemaFields(NETWORK_MAP_1S)) {
    if (f.kind === 'tag') {
      if (tags[f.name] !== undefined) out[f.name] = tags[f.name]
      continue
    }
    const n = f.name
    if (n === 'direction_score') out[n] = [0, 127, 255][k % 3]
    else if (n.startsWith('packet_')) out[n] = Math.max(1, Math.round(packets * (0.6 + r() * 0.8)))
    else if (n.includes('byte_')) out[n] = Math.round(packets * (80 + r() * 1300))
    else if (n.endsWith('_max')) out[n] = Math.floor(200 + r() * 40_000)
    else if (n.endsWith('_sum')) out[n] = Math.floor(r() * 1_500_000)
    else out[n] = Math.floor(r() * 50)
  }
  return out
}

/** An NDJSON body of `records` network_map.1s records (k from `first`). */
export function networkMapBody(records: number, first = 0): Body {
  const lines: string[] = []
  for (let k = first; k < first + records; k++) lines.push(JSON.stringify(networkMapRecord(k)))
  return { bytes: new TextEncoder().encode(`${lines.join('\n')}\n`), records }
}

export interface LoadOptions {
  /** The ingest URL, e.g. `${relay.url}v1/records/flow_metrics.network_map.1s`. */
  readonly url: string
  readonly body: Body
  readonly clients: number
  /** No request starts after this long (those in flight finish). */
  readonly durationMs?: number
  /** At most this many requests in all (refused ones count too). */
  readonly requests?: number
  /** A request that takes longer is aborted and counted as an error (default 60 s). */
  readonly requestTimeoutMs?: number
  readonly contentType?: string
  /** Headers beside Content-Type (e.g. Content-Encoding: snappy for remote write). */
  readonly headers?: Record<string, string>
}

export interface LoadResult {
  readonly elapsedMs: number
  readonly requests: number
  /** Records answered 202 (the sum of `accepted`). */
  readonly acceptedRecords: number
  readonly acceptedRequests: number
  /** Records of 202 answers reported as rejected (invalid): should be 0. */
  readonly rejectedRecords: number
  /** Refused requests (429, 503) by status. */
  readonly refused: Readonly<Record<number, number>>
  /** Every answer by status. */
  readonly statuses: Readonly<Record<number, number>>
  /** Requests that got no answer, or an answer other than 202/429/503. */
  readonly errors: number
  readonly firstError: string
  /** Sum of the Retry-After waits the clients slept, in ms. */
  readonly sleptMs: number
  /** Accepted records per second of the run. */
  readonly rate: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Seconds of a Retry-After header (delay-seconds or an HTTP date), 1 when absent or unreadable. */
function retryAfterMs(header: string | null): number {
  if (header === null) return 1000
  const s = Number(header)
  if (Number.isFinite(s) && s >= 0) return s * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? 1000 : Math.max(0, at - Date.now())
}

export async function drive(opts: LoadOptions): Promise<LoadResult> {
  const { url, body, clients } = opts
  const started = performance.now()
  const deadline = opts.durationMs === undefined ? Infinity : started + opts.durationMs
  const maxRequests = opts.requests ?? Infinity
  if (deadline === Infinity && maxRequests === Infinity) throw new Error('drive: give durationMs or requests')
  const headers = { 'content-type': opts.contentType ?? 'application/x-ndjson', ...opts.headers }
  const timeoutMs = opts.requestTimeoutMs ?? 60_000
  let requests = 0
  let acceptedRecords = 0
  let acceptedRequests = 0
  let rejectedRecords = 0
  let errors = 0
  let firstError = ''
  let sleptMs = 0
  const refused: Record<number, number> = {}
  const statuses: Record<number, number> = {}
  const error = (what: string) => {
    errors++
    if (firstError === '') firstError = what
  }
  /** Sleeps ms, but not past the deadline; returns how long. */
  const pause = async (ms: number) => {
    const t = Math.max(0, Math.min(ms, deadline - performance.now()))
    await sleep(t)
    return t
  }

  async function client(): Promise<void> {
    while (performance.now() < deadline && requests < maxRequests) {
      requests++
      let res: Response
      let text: string
      try {
        res = await fetch(url, { method: 'POST', body: body.bytes, headers, signal: AbortSignal.timeout(timeoutMs) })
        text = await res.text()
      } catch (err) {
        error(`request failed: ${err instanceof Error ? err.message : String(err)}`)
        await pause(100) // a relay that is gone: do not spin
        continue
      }
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
      if (res.status === 204) {
        // remote write: the whole request was queued
        acceptedRequests++
        acceptedRecords += body.records
      } else if (res.status === 202) {
        acceptedRequests++
        const answer = JSON.parse(text) as { accepted?: unknown; rejected?: unknown }
        if (typeof answer.accepted !== 'number') error(`202 without an accepted count: ${text.slice(0, 300)}`)
        else acceptedRecords += answer.accepted
        if (typeof answer.rejected === 'number') rejectedRecords += answer.rejected
      } else if (res.status === 429 || res.status === 503) {
        refused[res.status] = (refused[res.status] ?? 0) + 1
        sleptMs += await pause(retryAfterMs(res.headers.get('retry-after')))
      } else {
        error(`${res.status} ${text.slice(0, 300)}`)
      }
    }
  }

  await Promise.all(Array.from({ length: clients }, client))
  const elapsedMs = performance.now() - started
  return {
    elapsedMs,
    requests,
    acceptedRecords,
    acceptedRequests,
    rejectedRecords,
    refused,
    statuses,
    errors,
    firstError,
    sleptMs,
    rate: acceptedRecords / (elapsedMs / 1000),
  }
}

export interface HealthReport {
  readonly probes: number
  /** Probes that failed: no answer within the timeout, or not 200. */
  readonly failures: readonly string[]
  readonly maxLatencyMs: number
}

/** Asks `${url}healthz` every intervalMs (each probe gets timeoutMs) until stop(). */
export function pollHealth(url: string, intervalMs = 200, timeoutMs = 5000): { stop(): Promise<HealthReport> } {
  let probes = 0
  let maxLatencyMs = 0
  const failures: string[] = []
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now()
      probes++
      try {
        const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(timeoutMs) })
        const text = await res.text()
        if (res.status !== 200) failures.push(`${new Date().toISOString()} ${res.status} ${text.slice(0, 200)}`)
      } catch (err) {
        failures.push(`${new Date().toISOString()} ${err instanceof Error ? err.message : String(err)}`)
      }
      const took = performance.now() - t0
      maxLatencyMs = Math.max(maxLatencyMs, took)
      if (!stopped) await sleep(Math.max(0, intervalMs - took))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      return { probes, failures, maxLatencyMs }
    },
  }
}

/**
 * A remote-write 1.0 body (snappy block + WriteRequest) of `series` flow_metrics.network.1m series,
 * one `byte_tx` sample each, shaped as deepflow-server writes them: each becomes one record.
 */
export function remoteWriteBody(series: number): Body {
  const list: TimeSeries[] = []
  for (let k = 0; k < series; k++) {
    list.push({
      labels: [
        { name: '__name__', value: 'byte_tx' },
        { name: 'datasource', value: 'flow_metrics.network.1m' },
        { name: 'ip4', value: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}` },
        { name: 'protocol', value: 'TCP' },
        { name: 'role', value: 'Server' },
        { name: 'server_port', value: String(PORTS[k % PORTS.length]) },
      ],
      samples: [{ value: 1000 + k, timestamp: BASE_TIME * 1000 }],
    })
  }
  return { bytes: snappyBlockCompress(encodeWriteRequest(list)), records: series }
}
