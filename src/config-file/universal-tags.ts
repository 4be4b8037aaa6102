// relay.universal-tags: where resource names come from.
// - a file path: the JSON dictionary file (translate/dictionary.ts);
// - the word `clickhouse`: DeepFlow's flow_tag dictionaries, over the connection of the first
//   ClickHouse source, refreshed every 60 s (a file of that name is written `./clickhouse`);
// - `{clickhouse: {url, user, password, database, org-id, refresh}}`: the same with its own
//   connection (url absent: the first ClickHouse source's url, user and password), a pinned database
//   (`database: NAME`, or `org-id: N` for org N's), and its own refresh (seconds, at least 1).
import * as v from 'valibot'
import { DEFAULTS } from '../config/defaults.ts'
import type { ClickHouseSourceConfig, UniversalTagsConfig } from '../config/types.ts'
import { flowTagDatabase } from '../translate/flow-tag-maps.ts'
import { goMapping, goStruct, isMapping, optionalNumber, optionalText, scalarText } from './go-values.ts'
import { type ConfigProblem, issuesToProblems } from './problems.ts'

/** DeepFlow's largest organisation id (ckdb MAX_ORG_ID). */
const MAX_ORG_ID = 1024

const CLICKHOUSE_ENTRIES = {
  url: v.pipe(
    optionalText("the URL of ClickHouse's HTTP interface"),
    v.check((u) => u === undefined || /^https?:\/\/[^\s]+$/.test(u), 'expected an http:// or https:// URL'),
  ),
  user: optionalText('a user name'),
  password: optionalText('a password'),
  database: v.pipe(
    optionalText('a database name'),
    v.check((d) => d === undefined || d.trim() !== '', 'expected a database name such as flow_tag or 0002_flow_tag'),
  ),
  'org-id': v.pipe(
    optionalNumber(`an organisation id from 1 to ${MAX_ORG_ID}`),
    v.check(
      (n) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= MAX_ORG_ID),
      `expected an organisation id from 1 to ${MAX_ORG_ID}`,
    ),
  ),
  refresh: v.pipe(
    optionalNumber('a number of seconds, at least 1'),
    v.check((n) => n === undefined || (Number.isFinite(n) && n >= 1), 'expected a number of seconds, at least 1'),
  ),
}

const ClickHouseSchema = goMapping({
  clickhouse: goStruct(CLICKHOUSE_ENTRIES, 'a mapping {url, user, password, database, org-id, refresh}'),
})

export const UNIVERSAL_TAGS_KEYS: readonly string[] = Object.keys(CLICKHOUSE_ENTRIES)

/** What the schema lets through: null or absent, a scalar, or a mapping (read by parseUniversalTags). */
export const UniversalTagsValue = v.custom<unknown>(
  (x) => x === null || x === undefined || scalarText(x) !== undefined || isMapping(x),
  'expected a file path, the word clickhouse, or {clickhouse: {url, …}}',
)

const PATH = ['relay', 'universal-tags'] as const

/**
 * relay.universal-tags as the relay uses it; problems go to `problems`. `resolve` makes a file
 * path relative to the config file; `sources` are the config's ClickHouse sources.
 */
export function parseUniversalTags(
  raw: unknown,
  sources: readonly ClickHouseSourceConfig[],
  resolve: (path: string) => string,
  problems: ConfigProblem[],
): UniversalTagsConfig | null {
  if (raw === null || raw === undefined) return null
  const first = sources[0]
  const scalar = scalarText(raw)
  if (scalar !== undefined) {
    if (scalar !== 'clickhouse') return { kind: 'file', path: resolve(scalar) }
    if (first === undefined) {
      problems.push({
        path: [...PATH],
        message: 'clickhouse reuses the connection of the first ClickHouse source, and sources: has none; ' +
          'write {clickhouse: {url: http://…:8123}}, or ./clickhouse for a file of that name',
      })
      return null
    }
    return {
      kind: 'clickhouse',
      url: first.url,
      user: first.user,
      password: first.password,
      database: null,
      orgId: null,
      refresh: DEFAULTS.dictionaryRefresh,
    }
  }
  if (!isMapping(raw)) return null // RelaySchema reported it
  const parsed = v.safeParse(ClickHouseSchema, raw)
  if (!parsed.success) {
    problems.push(...issuesToProblems([...PATH], parsed.issues, (p) => (p.length === 0 ? ['clickhouse'] : UNIVERSAL_TAGS_KEYS)))
    return null
  }
  const c = parsed.output.clickhouse
  const url = c.url ?? first?.url
  if (url === undefined) {
    problems.push({
      path: [...PATH, 'clickhouse', 'url'],
      message: "expected the URL of ClickHouse's HTTP interface (no ClickHouse source to take it from)",
    })
    return null
  }
  const fromSource = c.url === undefined && first !== undefined
  if (c.database !== undefined && c['org-id'] !== undefined) {
    problems.push({ path: [...PATH, 'clickhouse', 'org-id'], message: 'give database or org-id, not both' })
    return null
  }
  const orgId = c['org-id'] ?? null
  return {
    kind: 'clickhouse',
    url,
    user: c.user ?? (fromSource ? first.user : DEFAULTS.clickhouse.user),
    password: c.password ?? (fromSource ? first.password : ''),
    database: c.database ?? (orgId === null ? null : flowTagDatabase(orgId)),
    orgId,
    refresh: c.refresh ?? DEFAULTS.dictionaryRefresh,
  }
}
