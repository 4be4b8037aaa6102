// How far behind now each source is (deepflow_relay_source_lag_seconds{source,data_source}: now −
// the time of the data source's cursor), read at scrape time, and by the status page, from what
// each source attached once it knew its cursors. observe/ sits below the sources: a source is
// seen through the reader it attaches.
import type { Registry } from './metrics.ts'

/** Where one data source of a source stands. */
export interface SourceCursorLag {
  readonly dataSource: string
  /** The time of its cursor (Unix seconds): every row before it was read. */
  readonly cursorTime: number
  /** Now − cursorTime, in seconds (0 when the cursor is ahead of now). */
  readonly lagSeconds: number
}

export interface SourceLag {
  /** Sets how a source reads its data sources' lag (replacing what it set before). */
  attach(source: string, read: () => readonly SourceCursorLag[]): void
  /** Every attached source's data sources, in the order the sources attached. */
  read(): { readonly source: string; readonly lags: readonly SourceCursorLag[] }[]
}

export function registerSourceLag(registry: Registry): SourceLag {
  const readers = new Map<string, () => readonly SourceCursorLag[]>()
  const read = () => [...readers].map(([source, lags]) => ({ source, lags: lags() }))
  registry.gauge(
    'deepflow_relay_source_lag_seconds',
    "How far a source is behind now: now − the time of the data source's cursor (rows before it were read).",
    ['source', 'data_source'],
    () => read().flatMap(({ source, lags }) => lags.map((l) => [[source, l.dataSource], l.lagSeconds] as const)),
  )
  return {
    attach(source, lags) {
      readers.set(source, lags)
    },
    read,
  }
}
