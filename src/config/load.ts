// Reads the YAML config: a whole DeepFlow server.yaml (only `ingester.exporters` is read) or a file
// with top-level `exporters:`, plus the relay's own `relay:` settings. Every problem is collected
// and reported with its YAML path and line; nothing is silently ignored.
import * as v from 'valibot'
import YAML, { LineCounter } from 'yaml'
import { DATA_SOURCES } from '../deepflow/schema.ts'
import { isValidTimeZone } from '../encode/time-str.ts'
import { DEFAULTS } from './defaults.ts'
import { checkExporter } from './check-exporter.ts'
import { parseSources } from './sources.ts'
import { closest, ConfigError, issuesToProblems, type ConfigPath, type ConfigProblem } from './problems.ts'
import { exporterKeysAt, ExporterSchema, ListenSchema, RELAY_KEYS, RelaySchema } from './schema.ts'
import { PROTOCOLS, type Config, type ExporterConfig, type RelaySettings, type SkippedExporter } from './types.ts'

export interface Overrides {
  /** DEEPFLOW_RELAY_AUTH_TOKEN: wins over relay.auth-token (keeps the secret out of files). */
  readonly authToken?: string
  /** HOST:PORT from --listen or DEEPFLOW_RELAY_LISTEN; wins over `relay.listen`. */
  readonly listen?: { readonly value: string; readonly from: string }
  readonly logLevel?: { readonly value: string; readonly from: string }
}

const RELAY_FILE_KEYS = ['relay', 'exporters', 'sources'] as const

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/**
 * Keys named `__proto__`: they never become data (JavaScript objects and valibot skip them), so
 * they would be ignored without a word; every one is reported instead.
 */
function prototypeKeys(doc: YAML.Document, lineCounter: LineCounter): ConfigProblem[] {
  const found: ConfigProblem[] = []
  YAML.visit(doc, {
    Pair(_, pair, ancestors) {
      if (!YAML.isScalar(pair.key) || pair.key.value !== '__proto__') return
      const path: (string | number)[] = []
      const chain = [...ancestors, pair]
      for (let i = 0; i < chain.length; i++) {
        const node = chain[i]
        if (YAML.isPair(node) && YAML.isScalar(node.key)) path.push(String(node.key.value))
        else if (YAML.isSeq(node)) path.push(node.items.indexOf(chain[i + 1] as never))
      }
      const at = pair.key.range?.[0]
      found.push({ path, message: 'a key named __proto__ is never read; remove it', line: at === undefined ? undefined : lineCounter.linePos(at).line })
    },
  })
  return found
}

/** Parses and validates config text. Throws ConfigError listing every problem. */
export function parseConfig(text: string, file: string | null, overrides: Overrides = {}): Config {
  const lineCounter = new LineCounter()
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: true })
  const problems: ConfigProblem[] = []
  const warnings: string[] = []
  for (const err of doc.errors) {
    problems.push({ path: [], message: `invalid YAML: ${err.message.split('\n')[0]}`, line: err.linePos?.[0]?.line })
  }
  if (problems.length > 0) throw new ConfigError(problems)
  problems.push(...prototypeKeys(doc, lineCounter))
  if (problems.length > 0) throw new ConfigError(problems)

  let root: unknown
  try {
    root = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    // Unresolved aliases (`*a`), alias bombs: the YAML parses but cannot become data.
    throw new ConfigError([{ path: [], message: `invalid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }])
  }
  if (!isMapping(root)) {
    throw new ConfigError([{ path: [], message: 'expected a mapping with `exporters:` (or a DeepFlow server.yaml with `ingester.exporters:`)' }])
  }

  let listPath: ConfigPath
  let list: unknown
  if ('ingester' in root) {
    listPath = ['ingester', 'exporters']
    if ('exporters' in root) problems.push({ path: ['exporters'], message: 'both `exporters` and `ingester.exporters` are present; keep one' })
    const ingester = root.ingester
    list = isMapping(ingester) ? ingester.exporters : undefined
    if (ingester !== null && !isMapping(ingester)) problems.push({ path: ['ingester'], message: 'expected a mapping' })
  } else {
    listPath = ['exporters']
    list = root.exporters
    for (const key of Object.keys(root)) {
      if (!(RELAY_FILE_KEYS as readonly string[]).includes(key)) {
        const guess = closest(key, [...RELAY_FILE_KEYS, 'ingester'])
        problems.push({ path: [key], message: `unknown key${guess ? `; did you mean "${guess}"?` : ''} (valid top-level keys: relay, exporters, sources, or a DeepFlow server.yaml's ingester)` })
      }
    }
  }

  const relay = parseRelay(root.relay, overrides, problems)
  const sources = parseSources(root.sources, problems, warnings)
  const exporters: ExporterConfig[] = []
  const skipped: SkippedExporter[] = []
  if (list === undefined || list === null) {
    warnings.push(`${listPath.join('.')}: no exporters configured; records are accepted and counted but sent nowhere`)
  } else if (!Array.isArray(list)) {
    problems.push({ path: listPath, message: 'expected a list of exporters' })
  } else {
    list.forEach((entry, i) => {
      const base = [...listPath, i]
      const exporter = parseExporter(entry, i, base, problems, warnings, skipped)
      if (exporter !== undefined) exporters.push(exporter)
    })
  }

  const seen = new Map<string, number>()
  for (const e of exporters) {
    const prior = seen.get(e.name)
    if (prior !== undefined) {
      problems.push({ path: [...listPath, e.index, 'name'], message: `duplicate exporter name "${e.name}" (also used by ${listPath.join('.')}[${prior}])` })
    }
    seen.set(e.name, e.index)
  }

  if (problems.length > 0) {
    for (const p of problems) p.line = lineOf(doc, lineCounter, p.path)
    throw new ConfigError(problems)
  }
  return { file, relay, exporters: exporters.filter((e) => e.enabled), skipped, sources, warnings }
}

function lineOf(doc: YAML.Document, counter: LineCounter, path: ConfigPath): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true)
    if (YAML.isNode(node) && node.range) return counter.linePos(node.range[0]).line
  }
  return undefined
}

function parseRelay(raw: unknown, overrides: Overrides, problems: ConfigProblem[]): RelaySettings {
  const result = v.safeParse(RelaySchema, raw ?? {})
  if (!result.success) {
    problems.push(...issuesToProblems(['relay'], result.issues, () => RELAY_KEYS))
  }
  const r = result.success ? result.output : undefined
  let listen = r?.listen ?? { host: DEFAULTS.relay.host, port: DEFAULTS.relay.port }
  if (overrides.listen !== undefined) {
    const parsed = v.safeParse(ListenSchema, overrides.listen.value)
    if (parsed.success) listen = parsed.output
    else problems.push({ path: [overrides.listen.from], message: parsed.issues[0].message })
  }
  // Checked even when another relay key failed, so that every problem is listed.
  const rawZone = isMapping(raw) && typeof raw['time-zone'] === 'string' ? raw['time-zone'] : undefined
  const timeZone = r?.['time-zone'] ?? rawZone ?? DEFAULTS.relay.timeZone
  if (!isValidTimeZone(timeZone)) {
    problems.push({ path: ['relay', 'time-zone'], message: `unknown time zone ${JSON.stringify(timeZone)}; expected UTC or an IANA name such as Asia/Shanghai` })
  }
  let logLevel = r?.['log-level'] ?? DEFAULTS.relay.logLevel
  if (overrides.logLevel !== undefined) {
    const lv = overrides.logLevel.value
    if (lv === 'debug' || lv === 'info' || lv === 'warn' || lv === 'error') logLevel = lv
    else problems.push({ path: [overrides.logLevel.from], message: `expected one of debug, info, warn, error, got ${JSON.stringify(lv)}` })
  }
  return {
    listen,
    maxBodyBytes: r?.['max-body-bytes'] ?? DEFAULTS.relay.maxBodyBytes,
    timeZone,
    universalTags: r?.['universal-tags'] ?? null,
    shutdownTimeout: r?.['shutdown-timeout'] ?? DEFAULTS.relay.shutdownTimeout,
    logLevel,
    authToken: overrides.authToken ?? r?.['auth-token'] ?? null,
    protectMetrics: r?.['protect-metrics'] ?? DEFAULTS.relay.protectMetrics,
    tls: r?.tls === undefined ? null : { certFile: r.tls['cert-file'], keyFile: r.tls['key-file'] },
    overflow: r?.overflow ?? DEFAULTS.relay.overflow,
    limits: {
      maxRecordsPerRequest: r?.['max-records-per-request'] ?? DEFAULTS.relay.limits.maxRecordsPerRequest,
      maxLineBytes: r?.['max-line-bytes'] ?? DEFAULTS.relay.limits.maxLineBytes,
      maxDepth: r?.['max-depth'] ?? DEFAULTS.relay.limits.maxDepth,
      maxFields: r?.['max-fields'] ?? DEFAULTS.relay.limits.maxFields,
      maxStringBytes: r?.['max-string-bytes'] ?? DEFAULTS.relay.limits.maxStringBytes,
    },
    clientTimeout: r?.['client-timeout'] ?? DEFAULTS.relay.clientTimeout,
  }
}

function parseExporter(
  entry: unknown,
  index: number,
  base: ConfigPath,
  problems: ConfigProblem[],
  warnings: string[],
  skipped: SkippedExporter[],
): ExporterConfig | undefined {
  const where = base.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replaceAll('.[', '[')
  if (!isMapping(entry)) {
    problems.push({ path: base, message: 'expected a mapping with at least `protocol`' })
    return undefined
  }
  const protocol = entry.protocol
  if (typeof protocol === 'string' && !(PROTOCOLS as readonly string[]).includes(protocol)) {
    const reason = `unknown protocol ${JSON.stringify(protocol)} (supported: ${PROTOCOLS.join(', ')}); exporter skipped, as DeepFlow does`
    skipped.push({ path: where, reason })
    warnings.push(`${where}: ${reason}`)
    return undefined
  }
  let result = v.safeParse(ExporterSchema, entry)
  let valid = true
  if (!result.success) {
    valid = false
    problems.push(...issuesToProblems(base, result.issues, exporterKeysAt))
    // Check the rest too, so that every problem is listed: drop the keys that failed and retry.
    const failed = new Set(result.issues.map((i) => i.path?.[0]?.key))
    const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !failed.has(k)))
    result = v.safeParse(ExporterSchema, rest)
    if (!result.success) return undefined
  }
  const raw = result.output
  const exporter: ExporterConfig = {
    index,
    name: raw.name ?? `${raw.protocol}-${index}`,
    protocol: raw.protocol,
    enabled: raw.enabled,
    endpoints: raw.endpoints,
    dataSources: raw['data-sources'],
    queueCount: raw['queue-count'],
    queueSize: raw['queue-size'],
    queueMaxBytes: raw['queue-max-bytes'],
    batchSize: raw['batch-size'],
    flushTimeout: raw['flush-timeout'],
    tagFilters: raw['tag-filters'],
    tagFilterCondition: raw['tag-filter-condition'] ?? 'and',
    tagFiltersGroups: raw['tag-filters-groups'],
    exportFields: raw['export-fields'],
    exportEmptyTag: raw['export-empty-tag'],
    exportEmptyMetricsDisabled: raw['export-empty-metrics-disabled'],
    enumTranslateToNameDisabled: raw['enum-translate-to-name-disabled'],
    universalTagTranslateToNameDisabled: raw['universal-tag-translate-to-name-disabled'],
    sasl: raw.sasl ?? null,
    topic: raw.topic ?? null,
    extraHeaders: raw['extra-headers'],
    requestTimeout: raw['request-timeout'],
    maxRetryDuration: raw['max-retry-duration'],
    tls: raw.tls === undefined ? null : { caFile: raw.tls['ca-file'] ?? null, insecureSkipVerify: raw.tls['insecure-skip-verify'] },
    compression: raw.compression,
    maxMessageBytes: raw['max-message-bytes'],
  }
  const found = checkExporter(exporter, base, warnings)
  problems.push(...found)
  if (!valid) return undefined
  if (!exporter.enabled && found.length === 0) {
    const reason = '`enabled` is not true; exporter skipped, as DeepFlow does (set `enabled: true`)'
    skipped.push({ path: where, reason })
    warnings.push(`${where}: ${reason}`)
  }
  return found.length === 0 ? exporter : undefined
}

/** The embedded default: one stdout exporter for every data source, `[$tag, $metrics]`. */
export const EMBEDDED_DEFAULT_YAML = `# deepflow-relay embedded default
exporters:
  - protocol: stdout
    enabled: true
    data-sources: [${DATA_SOURCES.join(', ')}]
    export-fields: [$tag, $metrics]
`

export function embeddedDefaultConfig(overrides: Overrides = {}): Config {
  return parseConfig(EMBEDDED_DEFAULT_YAML, null, overrides)
}
