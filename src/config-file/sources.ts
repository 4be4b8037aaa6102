// The top-level `sources:` list: feeders that pull DeepFlow records instead of waiting for POSTs.
// Exactly one kind today: `- clickhouse: {url, user, password, data-sources, interval, since,
// batch-rows, cursor-file}`, reading DeepFlow's own ClickHouse.
import * as v from 'valibot'
import { DATA_SOURCES, dataSource } from '../deepflow/schema.ts'
import { GoScalar } from './go-yaml.ts'
import { goList, goMapping, goStruct, isMapping, optionalText, positiveInt, seconds, text } from './go-values.ts'
import { closest, type ConfigPath, type ConfigProblem, issuesToProblems } from './problems.ts'
import { DEFAULTS } from '../config/defaults.ts'
import type { ClickHouseSourceConfig } from '../config/types.ts'

/** Unix seconds or RFC 3339 text → Unix seconds. */
export function parseSince(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000)
}

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
        ...issuesToProblems([...base, i], result.issues, (p) => (p.length === 0 ? ['clickhouse'] : Object.keys(CLICKHOUSE_ENTRIES))),
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
    })
  })
  return out
}
