// Sends batches of encoded series to remote-write endpoints. Endpoints are shuffled once at start;
// each queue sends to its current endpoint and moves to the next on a retryable failure, so the
// worker's retry of the same batch goes to the next endpoint. One request in flight per queue.
import type { ExporterConfig } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import type { Sink } from '../../pipeline/send-result.ts'
import { retryable } from '../../pipeline/send-result.ts'
import { type Clock, NOT_NEEDED } from '../../util/clock.ts'
import { shuffled } from '../../util/shuffle.ts'
import { classifyStatus, statusClass, type StatusClass } from './classify.ts'
import type { SeriesItem } from './rw-plan.ts'
import { snappyBlockOf } from '../../wire/remote-write/series-fragment.ts'
import type { Counter } from '../../observe/metrics.ts'
import type { HttpFetch, TlsOptions } from '../../runtime/http-port.ts'
import { CONTENT_ENCODING, CONTENT_TYPE, RESERVED_HEADERS, RW_VERSION } from '../../wire/remote-write/headers.ts'

export interface RemoteWriteMetrics {
  readonly requests: Counter<'exporter' | 'endpoint' | 'status'>
  readonly failovers: Counter<'exporter'>
}

export interface RemoteWriteDeps {
  readonly exporter: ExporterConfig
  readonly version: string
  readonly fetch: HttpFetch
  /** Read at send time: CA files are loaded when the relay starts. */
  readonly tls: () => TlsOptions | null
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: RemoteWriteMetrics
}

export interface EndpointState {
  readonly url: string
  /** The URL as shown in logs and metrics: user info masked. */
  readonly label: string
  /** Result of the last attempt: undefined before the first. */
  lastOk: boolean | undefined
  lastError: string | undefined
}

export interface RemoteWriteSinks {
  readonly endpoints: readonly EndpointState[]
  sinkFor(queue: number): Sink<SeriesItem>
  /** false when every endpoint failed its last attempt. */
  healthy(): boolean
}

const MAX_ERROR_BODY = 1024

export function maskUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.username !== '' || u.password !== '') {
      u.username = '***'
      u.password = ''
    }
    return u.href
  } catch {
    return url
  }
}

export function requestHeaders(extra: Readonly<Record<string, string>>, version: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(extra)) {
    if (!RESERVED_HEADERS.includes(name.toLowerCase())) headers[name] = value
  }
  headers['Content-Encoding'] = CONTENT_ENCODING
  headers['Content-Type'] = CONTENT_TYPE
  headers['X-Prometheus-Remote-Write-Version'] = RW_VERSION
  headers['User-Agent'] = `deepflow-relay/${version}`
  return headers
}

export function createRemoteWriteSinks(deps: RemoteWriteDeps): RemoteWriteSinks {
  const { exporter, clock, log, metrics } = deps
  const name = exporter.name
  const endpoints: EndpointState[] = shuffled(exporter.endpoints, clock.random).map((url) => ({
    url, label: maskUrl(url), lastOk: undefined, lastError: undefined,
  }))
  const headers = requestHeaders(exporter.extraHeaders, deps.version)
  const timeoutMs = exporter.requestTimeout * 1000
  for (const e of endpoints) for (const s of ['2xx', '4xx', '5xx', 'timeout', 'error']) metrics.requests.touch(name, e.label, s)
  metrics.failovers.touch(name)

  const record = (endpoint: EndpointState, status: StatusClass, ok: boolean, error?: string) => {
    metrics.requests.inc([name, endpoint.label, status])
    endpoint.lastOk = ok
    endpoint.lastError = error
  }

  const sinkFor = (queue: number): Sink<SeriesItem> => {
    let current = 0
    const advance = () => {
      if (endpoints.length > 1) {
        current = (current + 1) % endpoints.length
        metrics.failovers.inc([name])
      }
    }
    return {
      async send(batch, signal) {
        const endpoint = endpoints[current]!
        const body = snappyBlockOf(batch.map((item) => item.payload))
        const ac = new AbortController()
        const onAbort = () => ac.abort()
        signal.addEventListener('abort', onAbort, { once: true })
        const timer = new AbortController()
        let timedOut = false
        void clock.sleep(timeoutMs, timer.signal).then(() => {
          if (!timer.signal.aborted) {
            timedOut = true
            ac.abort()
          }
        })
        try {
          const res = await deps.fetch(endpoint.url, { method: 'POST', headers, body, signal: ac.signal, keepalive: true }, deps.tls())
          const text = res.ok ? (await res.arrayBuffer(), '') : (await res.text()).slice(0, MAX_ERROR_BODY)
          const result = classifyStatus(res.status, res.headers.get('retry-after'), text, clock.now())
          record(endpoint, statusClass(res.status), result.status === 'ok', result.status === 'ok' ? undefined : result.error)
          if (result.status === 'failed') {
            log.warnOncePerBurst(`${name}:${endpoint.label}:${res.status}`, 'remote-write endpoint rejected a batch; not retried', {
              exporter: name, endpoint: endpoint.label, status: res.status, body: text, series: batch.reduce((n, i) => n + i.units, 0),
            })
          }
          if (result.status === 'retryable') advance()
          return result
        } catch (err) {
          const why = timedOut ? `timeout after ${exporter.requestTimeout} s` : `connection error: ${err instanceof Error ? err.message : String(err)}`
          record(endpoint, timedOut ? 'timeout' : 'error', false, why)
          advance()
          return retryable(`${endpoint.label}: ${why}`)
        } finally {
          timer.abort(NOT_NEEDED)
          signal.removeEventListener('abort', onAbort)
        }
      },
      async close() {},
    }
  }

  return {
    endpoints,
    sinkFor,
    healthy: () => endpoints.some((e) => e.lastOk !== false),
  }
}
