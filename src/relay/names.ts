// The relay's universal-tag names (relay.universal-tags): the holder every encoder looks names up
// in, and what keeps it current — the dictionary file, watched for changes, or DeepFlow's flow_tag
// dictionaries in ClickHouse, refreshed (sources/flow-tag-dictionaries.ts) with their metrics:
// deepflow_relay_dictionary_refreshes_total{outcome} and deepflow_relay_dictionary_age_seconds.
import type { UniversalTagsConfig } from '../config/types.ts'
import { DEFAULTS } from '../config/defaults.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import type { HttpFetch } from '../runtime/http-port.ts'
import { createClickHouseClient } from '../sources/clickhouse/client.ts'
import { createFlowTagDictionaries } from '../sources/flow-tag-dictionaries.ts'
import type { NamesStatus } from '../http/status.ts'
import { type DictionaryHolder, EMPTY_DICTIONARY } from '../translate/dictionary.ts'
import { loadDictionary, watchDictionary } from '../translate/dictionary-file.ts'
import type { Clock } from '../util/clock.ts'
import { StartError } from './start-error.ts'
import { withoutPassword } from '../util/url-password.ts'

export interface NamesDeps {
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: RelayMetrics
  readonly fetch?: HttpFetch
  readonly readTextFile: (path: string) => Promise<string>
  readonly fileMtime: (path: string) => Promise<number | undefined>
  /** How often the dictionary file is checked for changes. */
  readonly pollMs: number
  /** The k8s labels the exporters running now write, or null: none. */
  readonly labelsWanted: () => ((name: string) => boolean) | null
}

export interface Names {
  readonly holder: DictionaryHolder
  /** Loads the names (a StartError when the file cannot be read; ClickHouse failing is not one) and keeps them current until `signal` aborts. */
  start(signal: AbortSignal): Promise<void>
  status(): NamesStatus
}

export function createNames(config: UniversalTagsConfig | null, deps: NamesDeps): Names {
  if (config === null) {
    return {
      holder: { current: EMPTY_DICTIONARY },
      start: () => Promise.resolve(),
      status: () => ({ kind: 'none', from: null, databases: [] }),
    }
  }
  if (config.kind === 'file') {
    const holder: DictionaryHolder = { current: EMPTY_DICTIONARY }
    return {
      holder,
      async start(signal) {
        const mtime = await deps.fileMtime(config.path)
        const loaded = await loadDictionary(config.path, deps.readTextFile)
        if (!loaded.ok) throw new StartError(`relay.universal-tags: ${loaded.error}`)
        holder.current = loaded.dictionary
        void watchDictionary(config.path, mtime, holder, { ...deps, pollMs: deps.pollMs }, signal)
      },
      status: () => ({ kind: 'file', from: config.path, databases: [] }),
    }
  }
  if (deps.fetch === undefined) throw new StartError('relay.universal-tags: no HTTP client in this runtime to read ClickHouse with')
  const refreshes = deps.metrics.dictionaryRefreshes
  refreshes.touch('ok')
  refreshes.touch('error')
  const dictionaries = createFlowTagDictionaries({ refresh: config.refresh, database: config.database, labels: deps.labelsWanted }, {
    client: createClickHouseClient({
      url: config.url,
      user: config.user,
      password: config.password,
      fetch: deps.fetch,
      clock: deps.clock,
      timeoutMs: DEFAULTS.clickhouse.queryTimeout * 1000,
    }),
    clock: deps.clock,
    log: deps.log,
    refreshes,
  })
  deps.metrics.registry.gauge(
    'deepflow_relay_dictionary_age_seconds',
    'Seconds since the oldest ClickHouse names in use were loaded (+Inf while a database in use has never loaded).',
    [],
    () => [[[], dictionaries.ageSeconds()]],
  )
  deps.metrics.registry.gauge(
    'deepflow_relay_dictionary_entries',
    'Names, devices and labelled pods held from ClickHouse (every database in use): what the names cost in memory.',
    [],
    () => [[[], dictionaries.databases().reduce((n, d) => n + d.entries, 0)]],
  )
  return {
    holder: dictionaries.holder,
    start: (signal) => dictionaries.start(signal),
    status: () => ({
      kind: 'clickhouse',
      from: withoutPassword(config.url),
      databases: dictionaries.databases().map((d) => ({
        database: d.database,
        age_s: d.ageSeconds === null ? null : Math.round(d.ageSeconds * 10) / 10,
        entries: d.entries,
        error: d.error,
      })),
    }),
  }
}
