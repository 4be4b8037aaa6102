// The top-level `sources:` list: feeders that pull DeepFlow records instead of waiting for POSTs.
// Exactly one kind today: `- clickhouse: {url, user, password, data-sources, interval, since,
// batch-rows, cursor-file, settle}`, reading DeepFlow's own ClickHouse. `settle` is seconds for
// every table, or a mapping of them by kind of table (`{1m: 180, 1s: 30, flow_log: 30, event: 30}`,
// a kind left out keeping its default).
import * as v from 'valibot'
import { DATA_SOURCES, dataSource } from '../deepflow/schema.ts'
import { GoScalar } from './go-yaml.ts'
import { goList, goMapping, goStruct, isMapping, optionalNumber, optionalText, positiveInt, seconds, text } from './go-values.ts'
import { closest, type ConfigPath, type ConfigProblem, issuesToProblems } from './problems.ts'
import { DEFAULTS } from '../config/defaults.ts'
import type { ClickHouseSourceConfig, SettleKind } from '../config/types.ts'

/** Unix seconds or RFC 3339 text → Unix seconds. */
export function parseSince(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000)
}

const SETTLE_KINDS = Object.keys(DEFAULTS.clickhouse.settle) as SettleKind[]
const SECONDS = 'a whole number of seconds (0 or more)'
const SETTLE_WHAT = `${SECONDS}, or a mapping {${SETTLE_KINDS.join(', ')}} of them`

/** Whole seconds (a cursor's time is whole seconds); null or absent: `fallback`. */
const wholeSeconds = (fallback: number) =>
  v.pipe(
    optionalNumber(SECONDS),
    v.check((n) => n === undefined || (Number.isSafeInteger(n) && n >= 0), `expected ${SECONDS}`),
    v.transform((n): number => n ?? fallback),
  )

/** `settle`: one number for every kind of table, or a mapping by kind; a kind left out keeps its default. */
const settle = v.pipe(
  v.custom<unknown>((x) => isMapping(x) || v.is(wholeSeconds(0), x), `expected ${SETTLE_WHAT}`),
  v.transform((x) => (isMapping(x) ? x : x === null || x === undefined ? {} : Object.fromEntries(SETTLE_KINDS.map((k) => [k, x])))),
  goMapping(
    Object.fromEntries(SETTLE_KINDS.map((k) => [k, wholeSeconds(DEFAULTS.clickhouse.settle[k])])) as Record<
      SettleKind,
      ReturnType<typeof wholeSeconds>
    >,
  ),
)

const CLICKHOUSE_ENTRIES = {
  url: v.pipe(
    text("the URL of ClickHouse's HTTP interface"),
    v.check((u: string) => /^https?:\/\/[^\s]+$/.test(u), 'expected an http:// or https:// URL'),
  ),
  user: text('a user name', DEFAULTS.clickhouse.user),
  password: text('a password'),
  'data-sources': goList(text('a data source'), 'a list of data sources'),
  interval: seconds(DEFAULTS.clickhouse.interval),
  since: v.pipe(
    v.custom<unknown>(
      (x) => x === null || x === undefined || typeof x === 'string' || (x instanceof GoScalar && x.kind !== 'bool'),
      'expected Unix seconds or an RFC 3339 time',
    ),
    v.transform((x) => (x instanceof GoScalar ? (x.value as number) : (x as string | null | undefined) ?? undefined)),
    v.check(
      (x) => x === undefined || parseSince(x) !== undefined,
      (i) => `expected Unix seconds or an RFC 3339 time such as 2026-11-01T00:00:00Z, got ${i.received}`,
    ),
    v.transform((x) => (x === undefined ? undefined : parseSince(x)!)),
  ),
  'batch-rows': positiveInt('a positive number of rows', DEFAULTS.clickhouse.batchRows),
  'cursor-file': optionalText('a file path'),
  settle,
}

const SourceSchema = v.pipe(
  v.custom<unknown>(isMapping, 'expected a mapping: - clickhouse: {url, data-sources, ...}'),
  goMapping({ clickhouse: goStruct(CLICKHOUSE_ENTRIES, 'a mapping {url, data-sources, ...}') }),
)

export function parseSources(raw: unknown, problems: ConfigProblem[], warnings: ConfigProblem[]): ClickHouseSourceConfig[] {
  if (raw === undefined || raw === null) return []
  const base: ConfigPath = ['sources']
  if (!Array.isArray(raw)) {
    problems.push({
      path: base,
      message: 'expected a list of sources, e.g. - clickhouse: {url: http://127.0.0.1:8123, data-sources: [...]}',
    })
    return []
  }
  const out: ClickHouseSourceConfig[] = []
  raw.forEach((entry, i) => {
    const result = v.safeParse(SourceSchema, entry)
    if (!result.success) {
      problems.push(
        ...issuesToProblems(
          [...base, i],
          result.issues,
          (p) => (p.length === 0 ? ['clickhouse'] : p.length === 1 ? Object.keys(CLICKHOUSE_ENTRIES) : SETTLE_KINDS),
        ),
      )
      return
    }
    const c = result.output.clickhouse
    const name = `clickhouse-${i}`
    let ok = true
    c['data-sources'].forEach((ds, j) => {
      if (dataSource(ds) === undefined) {
        ok = false
        const guess = closest(ds, DATA_SOURCES)
        problems.push({
          path: [...base, i, 'clickhouse', 'data-sources', j],
          message: `unknown data source ${JSON.stringify(ds)}${guess ? `; did you mean "${guess}"?` : ''}`,
        })
      }
    })
    if (c['data-sources'].length === 0) {
      ok = false
      problems.push({ path: [...base, i, 'clickhouse', 'data-sources'], message: 'at least one data source is required' })
    }
    if (c['cursor-file'] === undefined) {
      warnings.push({ path: [...base, i, 'clickhouse'], message: 'no cursor-file; a restart starts again from `since` (or now)' })
    }
    if (!ok) return
    out.push({
      name,
      url: c.url,
      user: c.user,
      password: c.password,
      dataSources: c['data-sources'],
      interval: c.interval,
      since: c.since ?? null,
      batchRows: c['batch-rows'],
      cursorFile: c['cursor-file'] ?? null,
      settle: c.settle,
    })
  })
  return out
}
