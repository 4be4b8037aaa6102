// The opentelemetry sinks of one exporter for the tests: a manual clock (a deadline fires only when
// the test advances it), the runtime's own fetch, relay metrics and a logger that keeps its lines.
// random() is 0.99 unless set: the endpoints keep their order.
import type { ExporterConfig, TlsSettings } from '../../../src/config/types.ts'
import { createOtlpSinks, type OtlpSinks } from '../../../src/exporters/otlp/sender.ts'
import type { SpanItem } from '../../../src/exporters/otlp/span-item.ts'
import { createLogger } from '../../../src/observe/log.ts'
import { createRelayMetrics } from '../../../src/observe/relay-metrics.ts'
import type { SendResult } from '../../../src/pipeline/send-result.ts'
import type { TlsOptions } from '../../../src/runtime/http-port.ts'
import { exporterFromYaml } from '../../helpers/encode.ts'
import { createManualClock, type ManualClock } from '../../helpers/manual-clock.ts'
import { runtimeHttpFetch } from '../../helpers/runtime-fetch.ts'

export const T0 = 1_700_000_000_000
export const NAME = 'otel'
const BASE = exporterFromYaml('data-sources: [event.file_event]\nexport-fields: [$tag]')

export interface SinksOptions {
  readonly extraHeaders?: Readonly<Record<string, string>>
  /** Seconds (60 unless set). */
  readonly requestTimeout?: number
  /** The exporter's tls settings (gRPC: TLS on when set). */
  readonly tls?: TlsSettings | null
  /** What the relay read of them (the CA's PEM). */
  readonly tlsOptions?: TlsOptions | null
  readonly random?: () => number
  readonly version?: string
}

export interface TestSinks {
  readonly exporter: ExporterConfig
  readonly sinks: OtlpSinks
  readonly clock: ManualClock
  readonly metrics: ReturnType<typeof createRelayMetrics>
  readonly logs: Record<string, unknown>[]
  /** deepflow_relay_otlp_requests_total of an endpoint and status. */
  requests(endpoint: string, status: string): number
  failovers(): number
  /** Sends a batch through queue `queue`'s sink (made on first use). */
  send(batch: readonly SpanItem[], queue?: number, signal?: AbortSignal): Promise<SendResult>
  close(): Promise<void>
}

export function otlpSinks(endpoints: readonly string[], opts: SinksOptions = {}): TestSinks {
  const clock = createManualClock(T0, opts.random ?? (() => 0.99))
  const metrics = createRelayMetrics()
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: clock.now, level: 'debug' })
  const exporter: ExporterConfig = {
    ...BASE,
    name: NAME,
    protocol: 'opentelemetry',
    endpoints,
    extraHeaders: opts.extraHeaders ?? {},
    requestTimeout: opts.requestTimeout ?? 60,
    tls: opts.tls ?? null,
  }
  const sinks = createOtlpSinks({
    exporter,
    version: opts.version ?? '0.1.0',
    fetch: runtimeHttpFetch,
    tls: () => opts.tlsOptions ?? null,
    clock,
    log,
    metrics: { requests: metrics.otlpRequests, failovers: metrics.failovers },
  })
  const queues = new Map<number, ReturnType<OtlpSinks['sinkFor']>>()
  const sinkOf = (q: number) => {
    let sink = queues.get(q)
    if (sink === undefined) queues.set(q, sink = sinks.sinkFor(q))
    return sink
  }
  return {
    exporter,
    sinks,
    clock,
    metrics,
    logs,
    requests: (endpoint, status) => metrics.otlpRequests.get([NAME, endpoint, status]),
    failovers: () => metrics.failovers.get([NAME]),
    send: (batch, queue = 0, signal = new AbortController().signal) => sinkOf(queue).send(batch, signal),
    close: () => sinks.close(),
  }
}
