// The sources of the config, built beside the exporters (exporters/build-exporter.ts): one ClickHouse
// source per `sources:` entry, with its HTTP client (a query is abandoned after
// DEFAULTS.clickhouse.queryTimeout) and admission into the exporters running at the time (a reload
// replaces them). Throws when the config has a source but the runtime has no HTTP client.
import { DEFAULTS } from '../config/defaults.ts'
import type { ClickHouseSourceConfig } from '../config/types.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import type { MemoryLimiter } from '../ingest/memory-limiter.ts'
import { admitGroups } from '../pipeline/admission.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { HttpFetch } from '../runtime/http-port.ts'
import { createWallClockParser } from '../time/parse-wall-clock.ts'
import type { ZoneFileReader } from '../time/zone.ts'
import type { Clock } from '../util/clock.ts'
import { createClickHouseClient } from './clickhouse/client.ts'
import { createClickHouseSource, type Source } from './clickhouse/source.ts'

export interface SourcesDeps {
  /** The exporters running now. */
  readonly exporters: () => readonly Exporter<Sized>[]
  readonly fetch?: HttpFetch
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: RelayMetrics
  readonly readZoneFile?: ZoneFileReader
  readonly readTextFile: (path: string) => Promise<string>
  /** A source reserves each page's memory with it before the page is read (waiting while it refuses). */
  readonly memory?: MemoryLimiter
  /** For the cursor files; undefined: a runtime that cannot write files (a source fails when it saves). */
  readonly writeTextFileAtomic?: (path: string, text: string) => Promise<void>
}

export function buildSources(configs: readonly ClickHouseSourceConfig[], deps: SourcesDeps): Source[] {
  const { clock, log, metrics } = deps
  return configs.map((sc) => {
    if (deps.fetch === undefined) throw new Error(`sources: ${sc.name}: no HTTP client in this runtime`)
    const timeoutMs = DEFAULTS.clickhouse.queryTimeout * 1000
    return createClickHouseSource({
      config: sc,
      client: createClickHouseClient({ url: sc.url, user: sc.user, password: sc.password, fetch: deps.fetch, clock, timeoutMs }),
      // The page's memory was reserved before it was read (reserve), so admission only asks the queues.
      admit: (groups) => admitGroups(groups, deps.exporters()),
      // Once a page is done: its garbage counts as parsed input (a young collection, a pace).
      reserve: (bytes) => {
        const memory = deps.memory
        const verdict = memory?.admit(bytes)
        if (verdict === undefined) return () => {}
        if (!verdict.ok) return null
        return () => {
          memory!.consumed(bytes)
          verdict.release()
        }
      },
      wallClock: (zone) => createWallClockParser(zone, deps.readZoneFile),
      clock,
      log,
      metrics: {
        rows: metrics.sourceRows,
        queries: metrics.sourceQueries,
        waits: metrics.sourceWaits,
        rejected: metrics.rejected,
        received: metrics.received,
        unknownFields: metrics.unknownFields,
        lag: metrics.sourceLag,
      },
      readTextFile: deps.readTextFile,
      writeTextFileAtomic: deps.writeTextFileAtomic ?? (() => Promise.reject(new Error('no file writer in this runtime'))),
    })
  })
}
