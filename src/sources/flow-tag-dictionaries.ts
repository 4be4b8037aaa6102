// Resource names from DeepFlow's own `flow_tag` dictionaries in ClickHouse (relay.universal-tags:
// {clickhouse: …}): every `refresh` seconds each database in use is loaded with plain SELECTs
// (translate/flow-tag-maps.ts) into a new dictionary, swapped in whole. Organisations as deepflow-server
// keeps them: a record of org_id N (2 and up) reads `%04d_flow_tag`, loaded on its first record
// (raw ids until then); org 0, 1 or none read `flow_tag`. `org-id`/`database` pin one database for
// every record.
// A failed load keeps the last good names and is retried with backoff (1 s doubling), never later
// than the next refresh; failures are counted and logged once per burst. Names never loaded are
// not an outage: records go out with raw ids until a load succeeds.
// One map's text is read and turned into entries at a time, so a refresh holds the names in use,
// the new entries and one answer; the old names are let go at the swap.
import type { Logger } from '../observe/log.ts'
import type { Counter } from '../observe/metrics.ts'
import { backoffDelay, type BackoffPolicy } from '../pipeline/backoff.ts'
import type { ClickHouseClient } from './clickhouse/client.ts'
import { type Clock, yieldToEventLoop } from '../util/clock.ts'
import { type Dictionary, type DictionaryHolder, EMPTY_DICTIONARY } from '../translate/dictionary.ts'
import {
  dictionaryOfMaps,
  entryCount,
  FLOW_TAG_MAPS,
  flowTagDatabase,
  type FlowTagMap,
  type LoadedMaps,
  type MapContent,
  mapQuery,
  readMap,
} from '../translate/flow-tag-maps.ts'

/** DeepFlow's largest organisation id (ckdb MAX_ORG_ID): records of a larger one get no names. */
export const MAX_ORG_ID = 1024

/** How long the relay's start waits for the first names before it starts without them. */
export const FIRST_LOAD_WAIT_MS = 5000

export const RETRY_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, jitter: 'none' }

export interface FlowTagSettings {
  /** Seconds between loads of a database (≥ 1). */
  readonly refresh: number
  /** A database every record reads, or null: by the record's org_id. */
  readonly database: string | null
  /** The k8s labels some exporter writes, or null: pod_k8s_labels_map is not read. */
  readonly labels: () => ((name: string) => boolean) | null
}

export interface FlowTagDeps {
  readonly client: ClickHouseClient
  readonly clock: Clock
  readonly log: Logger
  readonly refreshes: Counter<'outcome'>
}

/** What the status page shows of one database. */
export interface DatabaseStatus {
  readonly database: string
  /** Seconds since the names in use were loaded; null: never loaded. */
  readonly ageSeconds: number | null
  readonly entries: number
  /** The last load's error while loads fail; null once one succeeds. */
  readonly error: string | null
}

export interface FlowTagDictionaries {
  readonly holder: DictionaryHolder
  /** Loads the first database once (names from the first record when ClickHouse answers), then refreshes until `signal` aborts. */
  start(signal: AbortSignal): Promise<void>
  /** Seconds since the oldest names in use were loaded; Infinity while a database in use has none. */
  ageSeconds(): number
  databases(): readonly DatabaseStatus[]
}

interface DatabaseState {
  readonly database: string
  dictionary: Dictionary
  /** What the names in use were made of (null: never loaded). */
  maps: LoadedMaps | null
  loadedAt: number | null
  entries: number
  error: string | null
  failures: number
  /** When the next load is due (ms). */
  dueAt: number
}

/** ClickHouse's "table doesn't exist" (code 60): an older DeepFlow without that map. */
const UNKNOWN_TABLE = /\bCode: 60\b/

export function createFlowTagDictionaries(settings: FlowTagSettings, deps: FlowTagDeps): FlowTagDictionaries {
  const { clock, log } = deps
  const states = new Map<string, DatabaseState>()
  const byOrg = new Map<number, DatabaseState>()
  let wake: AbortController | undefined

  const stateOf = (database: string): DatabaseState => {
    let s = states.get(database)
    if (s === undefined) {
      s = { database, dictionary: EMPTY_DICTIONARY, maps: null, loadedAt: null, entries: 0, error: null, failures: 0, dueAt: clock.now() }
      states.set(database, s)
      wake?.abort('new database')
    }
    return s
  }
  const main = stateOf(settings.database ?? flowTagDatabase(1))

  const holder: DictionaryHolder = {
    get current() {
      return main.dictionary
    },
    ...(settings.database !== null ? {} : {
      forOrg: (org: number) => {
        const known = byOrg.get(org)
        if (known !== undefined) return known.dictionary
        if (org > MAX_ORG_ID || !Number.isInteger(org)) return EMPTY_DICTIONARY
        const s = stateOf(flowTagDatabase(org))
        byOrg.set(org, s)
        return s.dictionary
      },
    }),
  }

  /**
   * One load of a database: its maps, or the first error. A map ClickHouse does not have (an older
   * DeepFlow, or one the controller is recreating) keeps what the last load gave, if anything.
   */
  async function load(s: DatabaseState, signal: AbortSignal): Promise<{ ok: true; maps: LoadedMaps } | { ok: false; error: string }> {
    const database = s.database
    const maps = new Map<FlowTagMap['kind'], MapContent>()
    for (const map of FLOW_TAG_MAPS) {
      const keepLabel = map.kind === 'k8s_labels' ? settings.labels() : undefined
      if (keepLabel === null) continue
      const r = await deps.client.query(mapQuery(database, map), signal)
      if (signal.aborted) return { ok: false, error: 'stopped' }
      if (!r.ok) {
        if (UNKNOWN_TABLE.test(r.error)) {
          const last = s.maps?.get(map.kind)
          if (last !== undefined) maps.set(map.kind, last)
          log.warnOncePerBurst(
            `dictionary:${database}.${map.table}`,
            last === undefined
              ? 'ClickHouse has no such flow_tag map; its names stay raw ids'
              : 'ClickHouse has no such flow_tag map now; keeping its last names',
            { database, table: map.table },
          )
          continue
        }
        return { ok: false, error: `${database}.${map.table}: ${r.error}` }
      }
      maps.set(
        map.kind,
        await readMap(map, r.text, { ...(keepLabel === undefined ? {} : { keepLabel }), earlier: maps, pause: yieldToEventLoop }),
      )
    }
    return { ok: true, maps }
  }

  async function refresh(s: DatabaseState, signal: AbortSignal): Promise<void> {
    const loaded = await load(s, signal)
    if (signal.aborted) return
    const now = clock.now()
    if (loaded.ok) {
      s.dictionary = dictionaryOfMaps(loaded.maps)
      s.maps = loaded.maps
      s.entries = entryCount(loaded.maps)
      if (s.error !== null) log.info('universal-tags names loaded again from ClickHouse', { database: s.database, entries: s.entries })
      else if (s.loadedAt === null) log.info('universal-tags names loaded from ClickHouse', { database: s.database, entries: s.entries })
      s.loadedAt = now
      s.error = null
      s.failures = 0
      s.dueAt = now + settings.refresh * 1000
      deps.refreshes.inc(['ok'])
      return
    }
    s.error = loaded.error
    const retryIn = Math.min(settings.refresh * 1000, backoffDelay(RETRY_BACKOFF, s.failures++, clock.random))
    s.dueAt = now + retryIn
    deps.refreshes.inc(['error'])
    log.warnOncePerBurst(
      `dictionary:${s.database}`,
      s.loadedAt === null
        ? 'universal-tags names not loaded from ClickHouse; ids stay raw until they are'
        : 'universal-tags names not refreshed from ClickHouse; keeping the last ones',
      { database: s.database, error: loaded.error, retry_in_ms: retryIn },
    )
  }

  async function run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      for (const s of [...states.values()]) {
        if (signal.aborted) return
        if (s.dueAt <= clock.now()) await refresh(s, signal)
      }
      let next = Infinity
      for (const s of states.values()) next = Math.min(next, s.dueAt)
      wake = new AbortController()
      const stop = () => wake?.abort('stopped')
      signal.addEventListener('abort', stop, { once: true })
      await clock.sleep(Math.max(0, next - clock.now()), wake.signal)
      signal.removeEventListener('abort', stop)
    }
  }

  return {
    holder,
    async start(signal) {
      const first = refresh(main, signal)
      void first.then(() => run(signal))
      // The relay starts once the first load is in, or after FIRST_LOAD_WAIT_MS (a ClickHouse that
      // does not answer must not hold the start up to its query timeout): raw ids until then.
      const waited = new AbortController()
      const stop = () => waited.abort('stopped')
      signal.addEventListener('abort', stop, { once: true })
      await Promise.race([first, clock.sleep(FIRST_LOAD_WAIT_MS, waited.signal)])
      waited.abort('loaded')
      signal.removeEventListener('abort', stop)
    },
    ageSeconds() {
      let oldest = 0
      for (const s of states.values()) {
        if (s.loadedAt === null) return Infinity
        oldest = Math.max(oldest, (clock.now() - s.loadedAt) / 1000)
      }
      return oldest
    },
    databases: () =>
      [...states.values()].map((s) => ({
        database: s.database,
        ageSeconds: s.loadedAt === null ? null : (clock.now() - s.loadedAt) / 1000,
        entries: s.entries,
        error: s.error,
      })),
  }
}
