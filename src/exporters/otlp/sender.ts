// The sinks of one opentelemetry exporter, one per queue, put together from named pieces: each
// endpoint's transport from its form (endpoint.ts: host:port is OTLP/gRPC, an http(s) URL is
// OTLP/HTTP), the request of a batch (span-item.ts: its payloads are one ExportTraceServiceRequest;
// request.ts: headers and gRPC metadata), the endpoints with their health and each queue's failover
// (remote-write/failover.ts: shuffled once, the next endpoint after a retryable failure, so the
// worker's retry of the batch goes there), and one request under its deadline, classified
// (grpc-export.ts, http-transport.ts, classify.ts). Here: the metrics (requests by endpoint and
// outcome, failovers), the logs (a batch an endpoint rejected for good, a partial_success warning),
// the lazy load of the gRPC transport (grpc-js, with the first gRPC send) and its channels' close.
// One request in flight per queue; a send never throws.
import { releaseSpanBytes } from '../../encode/otlp/span-writer.ts'
import type { ExporterConfig } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import { retryable, type SendResult, type Sink } from '../../pipeline/send-result.ts'
import type { HttpFetch, TlsOptions } from '../../runtime/http-port.ts'
import type { Clock } from '../../util/clock.ts'
import { type AttemptOutcome, createEndpointPool, type EndpointState } from '../remote-write/failover.ts'
import { type OtlpEndpoint, otlpEndpoint } from './endpoint.ts'
import { exportOverGrpc } from './grpc-export.ts'
import type { GrpcTransport } from './grpc-transport.ts'
import { exportOverHttp } from './http-transport.ts'
import type { ExportOutcome } from './outcome.ts'
import { grpcMetadata, otlpHttpHeaders } from './request.ts'
import { type SpanItem, spanRequestBody } from './span-item.ts'

export type { EndpointState } from '../remote-write/failover.ts'
export { otlpEndpoint } from './endpoint.ts'
export type { GrpcEndpoint, HttpEndpoint, OtlpEndpoint } from './endpoint.ts'

export interface OtlpMetrics {
  /** deepflow_relay_otlp_requests_total. */
  readonly requests: Counter<'exporter' | 'endpoint' | 'status'>
  readonly failovers: Counter<'exporter'>
}

export interface OtlpDeps {
  readonly exporter: ExporterConfig
  readonly version: string
  readonly fetch: HttpFetch
  /** Read at send time: CA files are loaded when the relay starts. */
  readonly tls: () => TlsOptions | null
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: OtlpMetrics
}

export interface OtlpSinks {
  readonly endpoints: readonly EndpointState[]
  sinkFor(queue: number): Sink<SpanItem>
  /** false when every endpoint failed its last attempt. */
  healthy(): boolean
  /** Closes the gRPC channels (the exporter's close, after its queues drained); also done when every queue's sink was closed. */
  close(): Promise<void>
}

/** The series of each endpoint's requests made at start, so that rate() sees them from 0. */
const TOUCHED = {
  grpc: ['OK', 'UNAVAILABLE', 'timeout', 'error'],
  http: ['2xx', '4xx', '5xx', 'timeout', 'error'],
} as const

/** What an endpoint's health keeps of a request: its error, and whether it moves the queue on. */
function attemptOutcome(outcome: ExportOutcome): AttemptOutcome {
  if (!outcome.answered) return { ok: false, error: outcome.error, retryable: true }
  const r = outcome.result
  return r.status === 'ok' ? { ok: true } : { ok: false, error: r.error, retryable: r.status === 'retryable' }
}

/** The result with the endpoint named in its error (the worker logs it, and it does not know the endpoint). */
function naming(result: SendResult, label: string): SendResult {
  return result.status === 'ok' ? result : { ...result, error: `${label}: ${result.error}` }
}

export function createOtlpSinks(deps: OtlpDeps): OtlpSinks {
  const { exporter, clock, log, metrics } = deps
  const name = exporter.name
  const targets = new Map<string, OtlpEndpoint>()
  for (const text of exporter.endpoints) {
    const parsed = otlpEndpoint(text)
    if ('error' in parsed) throw new Error(`exporter "${name}": ${parsed.error}`)
    targets.set(text, parsed)
  }
  const pool = createEndpointPool(exporter.endpoints, clock.random)
  const timeoutMs = exporter.requestTimeout * 1000
  const headers = otlpHttpHeaders(exporter.extraHeaders, deps.version)
  const metadata = grpcMetadata(exporter.extraHeaders)
  const anyGrpc = [...targets.values()].some((t) => t.kind === 'grpc')
  if (anyGrpc) {
    for (const { key, why } of metadata.skipped) log.warn('extra-header not sent as gRPC metadata', { exporter: name, header: key, why })
  }
  for (const e of pool.endpoints) for (const s of TOUCHED[targets.get(e.url)!.kind]) metrics.requests.touch(name, e.label, s)
  metrics.failovers.touch(name)

  let grpc: Promise<GrpcTransport> | undefined
  let closed = false
  // grpc-js is loaded with the exporter's first gRPC request: a relay without one never pays for it.
  // A failed load is tried again with the next request.
  const transport = (): Promise<GrpcTransport> => {
    if (closed) return Promise.reject(new Error('the exporter is closed'))
    return grpc ??= import('./grpc-transport.ts')
      .then(({ createGrpcTransport }) => createGrpcTransport({ version: deps.version, metadata: metadata.entries }))
      .catch((err: unknown) => {
        grpc = undefined
        throw err
      })
  }
  const close = async () => {
    closed = true
    const loading = grpc
    grpc = undefined
    if (loading !== undefined) (await loading.catch(() => null))?.close()
  }
  /** TLS of gRPC channels: on when the exporter has tls settings (the CA as read at start). */
  const grpcTls = (): TlsOptions | null => exporter.tls === null ? null : (deps.tls() ?? { ca: null, insecureSkipVerify: false })

  let open = 0
  const sinkFor = (_queue: number): Sink<SpanItem> => {
    const cursor = pool.cursor()
    let sinkClosed = false
    open++
    return {
      async send(batch, signal) {
        const endpoint = cursor.current()
        const target = targets.get(endpoint.url)!
        const body = spanRequestBody(batch)
        const outcome = target.kind === 'grpc'
          ? await exportOverGrpc({ transport, tls: grpcTls(), clock, timeoutMs }, { endpoint: target, body }, signal)
          : await exportOverHttp({ fetch: deps.fetch, tls: deps.tls(), clock, timeoutMs }, { url: target.url, headers, body }, signal)
        metrics.requests.inc([name, endpoint.label, outcome.status])
        if (cursor.report(attemptOutcome(outcome))) metrics.failovers.inc([name])
        const result = outcome.answered ? naming(outcome.result, endpoint.label) : retryable(`${endpoint.label}: ${outcome.error}`)
        if (outcome.answered && result.status === 'failed') {
          log.warnOncePerBurst(`${name}:${endpoint.label}:${outcome.status}`, 'opentelemetry endpoint rejected a batch; not retried', {
            exporter: name,
            endpoint: endpoint.label,
            status: outcome.status,
            error: result.error,
            spans: batch.reduce((n, i) => n + i.units, 0),
          })
        }
        if (result.status === 'ok' && result.rejected === undefined && result.why !== undefined) {
          log.warnOncePerBurst(`${name}:${endpoint.label}:warning`, 'opentelemetry endpoint took a batch with a warning', {
            exporter: name,
            endpoint: endpoint.label,
            warning: result.why,
          })
        }
        return result
      },
      /** The batch left its worker for good: its spans' bytes go back to their slabs. */
      release(batch) {
        for (const item of batch) releaseSpanBytes(item.payload)
      },
      /** The last queue's close closes the gRPC channels. */
      async close() {
        if (sinkClosed) return
        sinkClosed = true
        if (--open === 0) await close()
      },
    }
  }

  return { endpoints: pool.endpoints, sinkFor, healthy: pool.healthy, close }
}
