// The sinks of one prometheus exporter, one per queue, put together from named pieces: the request
// of a batch (request.ts), the endpoints with their health and each queue's failover (failover.ts:
// shuffled once, the next endpoint after a retryable failure, so the worker's retry of the batch
// goes there), and one request under its deadline, classified (post.ts). Here: the metrics
// (requests by endpoint and outcome, failovers) and the log of batches an endpoint rejected for
// good, and the reuse of memory: a delivered body's buffer takes the queue's next body, and a
// batch's fragments go back to their slabs once it left the worker. One request in flight per
// queue; a send never throws.
import type { ExporterConfig } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import { retryable, type Sink } from '../../pipeline/send-result.ts'
import type { HttpFetch, TlsOptions } from '../../runtime/http-port.ts'
import type { Clock } from '../../util/clock.ts'
import { statusClass } from './classify.ts'
import { type AttemptOutcome, createEndpointPool, type EndpointState } from './failover.ts'
import { type PostOutcome, postRequest } from './post.ts'
import { requestBody, requestHeaders } from './request.ts'
import type { SeriesItem } from './rw-plan.ts'
import { releaseFragment } from '../../wire/remote-write/series-fragment.ts'

export type { EndpointState } from './failover.ts'

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

export interface RemoteWriteSinks {
  readonly endpoints: readonly EndpointState[]
  sinkFor(queue: number): Sink<SeriesItem>
  /** false when every endpoint failed its last attempt. */
  healthy(): boolean
}

/** What an endpoint's health keeps of a request: its error without the endpoint's name. */
function attemptOutcome(outcome: PostOutcome): AttemptOutcome {
  if (!outcome.answered) return { ok: false, error: outcome.error, retryable: true }
  const r = outcome.result
  return r.status === 'ok' ? { ok: true } : { ok: false, error: r.error, retryable: r.status === 'retryable' }
}

/** Larger bodies are not kept for the next request of their queue. */
export const MAX_SPARE_BODY = 4 * 1024 * 1024

export function createRemoteWriteSinks(deps: RemoteWriteDeps): RemoteWriteSinks {
  const { exporter, clock, log, metrics } = deps
  const name = exporter.name
  const pool = createEndpointPool(exporter.endpoints, clock.random)
  const headers = requestHeaders(exporter.extraHeaders, deps.version)
  const timeoutMs = exporter.requestTimeout * 1000
  for (const e of pool.endpoints) for (const s of ['2xx', '4xx', '5xx', 'timeout', 'error']) metrics.requests.touch(name, e.label, s)
  metrics.failovers.touch(name)

  const sinkFor = (_queue: number): Sink<SeriesItem> => {
    const cursor = pool.cursor()
    /** The buffer of this queue's last delivered body: the next body is written over it (see below). */
    let spare: Uint8Array<ArrayBuffer> | undefined
    return {
      async send(batch, signal) {
        const endpoint = cursor.current()
        const post = { fetch: deps.fetch, tls: deps.tls(), clock, timeoutMs }
        const body = requestBody(batch, spare)
        const outcome = await postRequest(post, { url: endpoint.url, headers, body }, signal)
        // A receiver that took the batch read the whole body: the transport is done with it, and its
        // buffer takes the next one (a body a send makes is garbage only a full collection finds,
        // as much of it as the queue sends). After any other outcome a new buffer is made next time.
        spare = outcome.answered && outcome.result.status === 'ok' && body.buffer.byteLength <= MAX_SPARE_BODY
          ? new Uint8Array(body.buffer)
          : undefined
        metrics.requests.inc([name, endpoint.label, outcome.answered ? statusClass(outcome.code) : outcome.status])
        const result = outcome.answered ? outcome.result : retryable(`${endpoint.label}: ${outcome.error}`)
        if (cursor.report(attemptOutcome(outcome))) metrics.failovers.inc([name])
        if (outcome.answered && result.status === 'failed') {
          log.warnOncePerBurst(`${name}:${endpoint.label}:${outcome.code}`, 'remote-write endpoint rejected a batch; not retried', {
            exporter: name,
            endpoint: endpoint.label,
            status: outcome.code,
            body: outcome.body,
            series: batch.reduce((n, i) => n + i.units, 0),
          })
        }
        return result
      },
      async close() {},
      /** The batch left its worker for good: its fragments' bytes are reused (Slabs). */
      release(batch) {
        for (const item of batch) releaseFragment(item.payload)
      },
    }
  }

  return { endpoints: pool.endpoints, sinkFor, healthy: pool.healthy }
}
