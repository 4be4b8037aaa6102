// What the status page shows (GET /v1/status, GET /): per exporter its protocol, data sources,
// endpoints with up/down and last error, queue fill against its bounds, records/s in and out over
// the last minute, retries and drops by reason; the relay's version, runtime, uptime, config
// file and the config's warnings (what DeepFlow would ignore or mishandle, skipped exporters); per
// ClickHouse source, each data source's cursor time and lag (observe/source-lag.ts).
// Endpoints are what each exporter reports (Exporter.endpoints()). Rates come from snapshots of the
// counters taken every few seconds (injected clock). Served by http/app.ts; the page is
// http/status-page.ts.
import { DROP_REASONS } from '../pipeline/send-result.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Clock } from '../util/clock.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'

export interface EndpointStatus {
  readonly endpoint: string
  readonly up: boolean
  readonly last_error: string | null
}

export interface ExporterStatus {
  readonly name: string
  readonly protocol: string
  readonly data_sources: readonly string[]
  readonly up: boolean
  readonly endpoints: readonly EndpointStatus[]
  readonly queue: { readonly records: number; readonly capacity_records: number; readonly bytes: number; readonly capacity_bytes: number }
  /** Records per second over the last minute: taken into the queues, and delivered. */
  readonly rate: { readonly in_per_s: number; readonly out_per_s: number }
  readonly sent: number
  readonly retries: number
  readonly dropped: Readonly<Record<string, number>>
}

export interface SourceStatus {
  readonly name: string
  /** Per data source: the time of its cursor (every row before it was read) and now − that, in seconds. */
  readonly data_sources: readonly { readonly name: string; readonly cursor_time: string; readonly lag_s: number }[]
}

export interface RelayStatus {
  readonly version: string
  readonly runtime: string
  readonly config_file: string | null
  readonly started_at: string
  readonly uptime_s: number
  readonly ready: boolean
  readonly not_ready_reason: string | null
  /** The running config's warnings, as `check` prints them. */
  readonly warnings: readonly string[]
  readonly exporters: readonly ExporterStatus[]
  readonly sources: readonly SourceStatus[]
  /** Where the universal-tag names come from and, for ClickHouse, how old they are. */
  readonly names: NamesStatus
}

/** The universal-tag names: `none`, a `file`, or `clickhouse` with each database in use. */
export interface NamesStatus {
  readonly kind: 'none' | 'file' | 'clickhouse'
  /** The file's path or ClickHouse's URL. */
  readonly from: string | null
  readonly databases: readonly {
    readonly database: string
    /** Seconds since its names were loaded; null: never loaded (ids stay raw). */
    readonly age_s: number | null
    readonly entries: number
    /** The last load's error while loads fail. */
    readonly error: string | null
  }[]
}

const NO_NAMES: NamesStatus = { kind: 'none', from: null, databases: [] }

export interface StatusDeps {
  readonly clock: Clock
  readonly metrics: RelayMetrics
  readonly exporters: () => readonly Exporter<Sized>[]
  readonly version: string
  readonly runtime: string
  readonly configFile: string | null
  readonly notReadyReason: () => string | null
  readonly warnings: () => readonly string[]
  /** The universal-tag names' status; absent: none. */
  readonly names?: () => NamesStatus
}

export const SAMPLE_EVERY_MS = 5000
const WINDOW_MS = 60_000

interface Sample {
  readonly at: number
  /** Per exporter: records that entered (sent + dropped + held) and records sent. */
  readonly counts: ReadonlyMap<string, { readonly entered: number; readonly sent: number }>
}

export interface StatusTracker {
  snapshot(): RelayStatus
  /** Takes a sample now (the sampling loop calls this every SAMPLE_EVERY_MS). */
  sample(): void
  /** Samples until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>
}

export function createStatusTracker(deps: StatusDeps): StatusTracker {
  const { metrics, clock } = deps
  const startedAt = clock.now()
  let samples: Sample[] = []

  const countsOf = (e: Exporter<Sized>) => {
    const name = e.config.name
    const sent = metrics.sent.get([name])
    const dropped = DROP_REASONS.reduce((n, r) => n + metrics.dropped.get([name, r]), 0)
    return { entered: sent + dropped + e.held().records, sent }
  }

  const sample = () => {
    const now = clock.now()
    samples.push({ at: now, counts: new Map(deps.exporters().map((e) => [e.config.name, countsOf(e)])) })
    samples = samples.filter((s) => now - s.at <= WINDOW_MS)
  }

  const rate = (e: Exporter<Sized>) => {
    const oldest = samples.find((s) => s.counts.has(e.config.name))
    const then = oldest?.counts.get(e.config.name)
    const seconds = oldest === undefined ? 0 : (clock.now() - oldest.at) / 1000
    if (then === undefined || seconds <= 0) return { in_per_s: 0, out_per_s: 0 }
    const now = countsOf(e)
    const round = (x: number) => Math.round(x * 10) / 10
    return { in_per_s: round((now.entered - then.entered) / seconds), out_per_s: round((now.sent - then.sent) / seconds) }
  }

  return {
    sample,
    async run(signal) {
      sample()
      while (!signal.aborted) {
        await clock.sleep(SAMPLE_EVERY_MS, signal)
        if (!signal.aborted) sample()
      }
    },
    snapshot() {
      const now = clock.now()
      const reason = deps.notReadyReason()
      return {
        version: deps.version,
        runtime: deps.runtime,
        config_file: deps.configFile,
        started_at: new Date(startedAt).toISOString(),
        uptime_s: Math.floor((now - startedAt) / 1000),
        ready: reason === null,
        not_ready_reason: reason,
        warnings: deps.warnings(),
        names: deps.names?.() ?? NO_NAMES,
        exporters: deps.exporters().map((e) => {
          const c = e.config
          const held = e.held()
          const endpoints: EndpointStatus[] = e.endpoints().map((ep) => ({ endpoint: ep.endpoint, up: ep.up, last_error: ep.lastError }))
          return {
            name: c.name,
            protocol: c.protocol,
            data_sources: c.dataSources,
            up: e.healthy(),
            endpoints,
            queue: {
              records: held.records,
              capacity_records: c.queueSize * c.queueCount,
              bytes: held.bytes,
              capacity_bytes: c.queueMaxBytes,
            },
            rate: rate(e),
            sent: metrics.sent.get([c.name]),
            retries: metrics.retries.get([c.name]),
            dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, metrics.dropped.get([c.name, r])])),
          }
        }),
        sources: metrics.sourceLag.read().map(({ source, lags }) => ({
          name: source,
          data_sources: lags.map((l) => ({
            name: l.dataSource,
            cursor_time: new Date(l.cursorTime * 1000).toISOString(),
            lag_s: Math.round(l.lagSeconds),
          })),
        })),
      }
    },
  }
}
