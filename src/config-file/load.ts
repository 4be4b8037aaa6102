// Reads the YAML config: a whole DeepFlow server.yaml (only `ingester.exporters` is read) or a file
// with top-level `exporters:`, plus the relay's own `relay:` and `sources:`. The file is read as
// deepflow-server reads it (Go's yaml.v2: go-yaml.ts; null is the zero value), so what DeepFlow
// starts with, the relay starts with. Every problem and warning is collected and reported with its
// YAML path and line; nothing is silently ignored. Relative file paths resolve against the
// directory of the config file.
import { dirname, isAbsolute, join } from 'node:path'
import * as v from 'valibot'
import YAML from 'yaml'
import { DATA_SOURCES } from '../deepflow/schema.ts'
import { isValidTimeZone } from '../time/zone.ts'
import { DEFAULTS } from '../config/defaults.ts'
import { checkExporter } from './check-exporter.ts'
import { GoScalar, goYamlData, parseGoYaml } from './go-yaml.ts'
import { isMapping, scalarText } from './go-values.ts'
import { parseSources } from './sources.ts'
import { parseUniversalTags } from './universal-tags.ts'
import { closest, ConfigError, type ConfigPath, type ConfigProblem, formatPath, formatProblem, issuesToProblems } from './problems.ts'
import { exporterKeysAt, ExporterSchema, ListenSchema, type RawExporter, RELAY_KEYS, RelaySchema } from './schema.ts'
import { type Config, type ExporterConfig, type Protocol, PROTOCOLS, type RelaySettings, type SkippedExporter } from '../config/types.ts'

export interface Overrides {
  /** DEEPFLOW_RELAY_AUTH_TOKEN: wins over relay.auth-token (keeps the secret out of files). */
  readonly authToken?: string
  /** HOST:PORT from --listen or DEEPFLOW_RELAY_LISTEN; wins over `relay.listen`. */
  readonly listen?: { readonly value: string; readonly from: string }
  readonly logLevel?: { readonly value: string; readonly from: string }
}

const RELAY_FILE_KEYS = ['relay', 'exporters', 'sources'] as const

/**
 * Keys named `__proto__`: they never become data (JavaScript objects and valibot skip them), so
 * they would be ignored without a word; every one is reported instead.
 */
function prototypeKeys(doc: YAML.Document, lineCounter: YAML.LineCounter): ConfigProblem[] {
  const found: ConfigProblem[] = []
  YAML.visit(doc, {
    Pair(_, pair, ancestors) {
      if (!YAML.isScalar(pair.key) || pair.key.value !== '__proto__') return
      found.push({
        path: pathOf([...ancestors, pair]),
        message: 'a key named __proto__ is never read; remove it',
        line: lineAt(lineCounter, pair.key.range?.[0]),
      })
    },
  })
  return found
}

/** The YAML path of the last node of a chain of ancestors (as YAML.visit gives them). */
function pathOf(chain: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = []
  for (let i = 0; i < chain.length; i++) {
    const node = chain[i]
    if (YAML.isPair(node) && YAML.isScalar(node.key)) path.push(String(node.key.value))
    else if (YAML.isSeq(node)) path.push(node.items.indexOf(chain[i + 1] as never))
  }
  return path
}

const lineAt = (counter: YAML.LineCounter, offset: number | undefined) => (offset === undefined ? undefined : counter.linePos(offset).line)

/** Whether the relay reads what is at `path` (the rest of a server.yaml is DeepFlow's business). */
function isRead(path: ConfigPath): boolean {
  const [first, second] = path
  if (first === undefined) return true
  if (first === 'ingester') return second === undefined || second === 'exporters'
  return first === 'relay' || first === 'exporters' || first === 'sources'
}

/** yaml.v2 keeps the last of two equal keys without a word; where the relay reads, it says so. */
function duplicateKeys(doc: YAML.Document, lineCounter: YAML.LineCounter): ConfigProblem[] {
  const found: ConfigProblem[] = []
  YAML.visit(doc, {
    Map(_, map, ancestors) {
      const path = pathOf([...ancestors, map])
      if (!isRead(path)) return
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        const key = YAML.isScalar(pair.key) ? pair.key.value : pair.key
        if (seen.has(key)) {
          const keyNode = pair.key as YAML.Node | null
          found.push({
            path: [...path, String(key)],
            message: 'duplicate key; the last one is used, as in DeepFlow',
            line: lineAt(lineCounter, keyNode?.range?.[0]),
          })
        }
        seen.add(key)
      }
    },
  })
  return found
}

/** Parses and validates config text. Throws ConfigError listing every problem. */
export function parseConfig(text: string, file: string | null, overrides: Overrides = {}): Config {
  const { doc, lineCounter } = parseGoYaml(text)
  const problems: ConfigProblem[] = []
  const warnings: ConfigProblem[] = []
  for (const err of doc.errors) {
    problems.push({ path: [], message: `invalid YAML: ${err.message.split('\n')[0]}`, line: err.linePos?.[0]?.line })
  }
  if (problems.length > 0) throw new ConfigError(problems)
  problems.push(...prototypeKeys(doc, lineCounter))
  if (problems.length > 0) throw new ConfigError(problems)

  let root: unknown
  try {
    root = goYamlData(doc)
  } catch (err) {
    // Unresolved aliases (`*a`), alias bombs: the YAML parses but cannot become data.
    throw new ConfigError([{ path: [], message: `invalid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }])
  }
  if (!isMapping(root)) {
    throw new ConfigError([{
      path: [],
      message: 'expected a mapping with `exporters:` (or a DeepFlow server.yaml with `ingester.exporters:`)',
    }])
  }

  let listPath: ConfigPath
  let list: unknown
  if ('ingester' in root) {
    listPath = ['ingester', 'exporters']
    if ('exporters' in root) {
      problems.push({ path: ['exporters'], message: 'both `exporters` and `ingester.exporters` are present; keep one' })
    }
    const ingester = root.ingester
    list = isMapping(ingester) ? ingester.exporters : undefined
    if (ingester !== null && !isMapping(ingester)) problems.push({ path: ['ingester'], message: 'expected a mapping' })
  } else {
    listPath = ['exporters']
    list = root.exporters
    for (const key of Object.keys(root)) {
      if (!(RELAY_FILE_KEYS as readonly string[]).includes(key)) {
        const guess = closest(key, [...RELAY_FILE_KEYS, 'ingester'])
        problems.push({
          path: [key],
          message: `unknown key${
            guess ? `; did you mean "${guess}"?` : ''
          } (valid top-level keys: relay, exporters, sources, or a DeepFlow server.yaml's ingester)`,
        })
      }
    }
  }

  warnings.push(...duplicateKeys(doc, lineCounter))
  const path = configPaths(file)
  const relay = parseRelay(root.relay, overrides, problems, path)
  const sources = parseSources(root.sources, problems, warnings).map((src) => ({ ...src, cursorFile: path(src.cursorFile) }))
  const universalTags = parseUniversalTags(
    isMapping(root.relay) ? root.relay['universal-tags'] : undefined,
    sources,
    (p) => path(p)!,
    problems,
  )
  const parsed: ParsedExporter[] = []
  const skipped: SkippedExporter[] = []
  if (list === undefined || list === null) {
    warnings.push({ path: listPath, message: 'no exporters configured; records are accepted and counted but sent nowhere' })
  } else if (!Array.isArray(list)) {
    problems.push({ path: listPath, message: 'expected a list of exporters' })
  } else {
    list.forEach((entry, i) => {
      const found = parseExporter(entry, i, [...listPath, i], problems, warnings, skipped, path)
      if (found !== undefined) parsed.push(found)
    })
  }

  const seen = new Map<string, number>()
  for (const { exporter: e } of parsed) {
    const prior = seen.get(e.name)
    if (prior !== undefined) {
      problems.push({
        path: [...listPath, e.index, 'name'],
        message: `duplicate exporter name "${e.name}" (also used by ${formatPath(listPath)}[${prior}])`,
      })
    }
    seen.set(e.name, e.index)
  }

  for (const p of [...problems, ...warnings]) p.line ??= lineOf(doc, lineCounter, p.path)
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    file,
    exportersPath: listPath,
    relay: { ...relay, universalTags },
    exporters: parsed.filter((p) => p.runs).map((p) => p.exporter),
    skipped,
    sources,
    warnings: warnings.map(formatProblem),
  }
}

/**
 * Relative file paths resolve against the config file's directory, as Prometheus and Vector
 * resolve theirs (the embedded default has none): `conf/relay.yaml` naming `tags.json` means
 * `conf/tags.json`, whatever the working directory.
 */
function configPaths(file: string | null): <T extends string | null>(p: T) => T {
  return <T extends string | null>(p: T): T => (p === null || file === null || isAbsolute(p) ? p : join(dirname(file), p) as T)
}

/**
 * The line of what a path names: its key (`sasl:`, not the mapping below it) or its list item;
 * for a path that does not exist, its deepest existing part (duplicate keys: the last, as read).
 */
function lineOf(doc: YAML.Document, counter: YAML.LineCounter, path: ConfigPath): number | undefined {
  let node: unknown = doc.contents
  let line: number | undefined
  for (const part of path) {
    let next: YAML.Node | null | undefined
    if (YAML.isMap(node)) {
      const pair = node.items.findLast((p) => YAML.isScalar(p.key) && p.key.value === part)
      if (pair === undefined) break
      line = lineAt(counter, (pair.key as YAML.Node).range?.[0]) ?? line
      next = pair.value as YAML.Node | null
    } else if (YAML.isSeq(node) && typeof part === 'number') {
      next = node.items[part] as YAML.Node | undefined
      if (next === undefined) break
      line = lineAt(counter, next?.range?.[0]) ?? line
    } else break
    node = YAML.isAlias(next) ? next.resolve(doc) : next
  }
  return line
}

function parseRelay(
  raw: unknown,
  overrides: Overrides,
  problems: ConfigProblem[],
  path: (p: string | null) => string | null,
): RelaySettings {
  const result = v.safeParse(RelaySchema, raw)
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
  const rawZone = isMapping(raw) ? scalarText(raw['time-zone']) : undefined
  const timeZone = r?.['time-zone'] ?? rawZone ?? DEFAULTS.relay.timeZone
  if (!isValidTimeZone(timeZone)) {
    problems.push({
      path: ['relay', 'time-zone'],
      message: `unknown time zone ${JSON.stringify(timeZone)}; expected UTC or an IANA name such as Asia/Shanghai`,
    })
  }
  let logLevel = r?.['log-level'] ?? DEFAULTS.relay.logLevel
  if (overrides.logLevel !== undefined) {
    const lv = overrides.logLevel.value
    if (lv === 'debug' || lv === 'info' || lv === 'warn' || lv === 'error') logLevel = lv
    else problems.push({ path: [overrides.logLevel.from], message: `expected one of debug, info, warn, error, got ${JSON.stringify(lv)}` })
  }
  const soft = r?.['memory-soft-limit'] ?? DEFAULTS.relay.memorySoftLimit
  const hard = r?.['memory-hard-limit'] ?? DEFAULTS.relay.memoryHardLimit
  if (soft >= hard) {
    problems.push({ path: ['relay', 'memory-soft-limit'], message: `must be below relay.memory-hard-limit (${hard}), got ${soft}` })
  }
  return {
    listen,
    maxBodyBytes: r?.['max-body-bytes'] ?? DEFAULTS.relay.maxBodyBytes,
    timeZone,
    universalTags: null,
    shutdownTimeout: r?.['shutdown-timeout'] ?? DEFAULTS.relay.shutdownTimeout,
    logLevel,
    authToken: overrides.authToken ?? r?.['auth-token'] ?? null,
    protectMetrics: r?.['protect-metrics'] ?? DEFAULTS.relay.protectMetrics,
    tls: r?.tls == null ? null : { certFile: path(r.tls['cert-file'])!, keyFile: path(r.tls['key-file'])! },
    overflow: r?.overflow ?? DEFAULTS.relay.overflow,
    limits: {
      maxRecordsPerRequest: r?.['max-records-per-request'] ?? DEFAULTS.relay.limits.maxRecordsPerRequest,
      maxLineBytes: r?.['max-line-bytes'] ?? DEFAULTS.relay.limits.maxLineBytes,
      maxDepth: r?.['max-depth'] ?? DEFAULTS.relay.limits.maxDepth,
      maxFields: r?.['max-fields'] ?? DEFAULTS.relay.limits.maxFields,
      maxStringBytes: r?.['max-string-bytes'] ?? DEFAULTS.relay.limits.maxStringBytes,
    },
    clientTimeout: r?.['client-timeout'] ?? DEFAULTS.relay.clientTimeout,
    memoryLimit: r?.['memory-limit'] ?? null,
    memorySoftLimit: soft,
    memoryHardLimit: hard,
    maxConcurrentRequests: r?.['max-concurrent-requests'] ?? null,
  }
}

/** An exporter whose `protocol` the relay runs, and whether it runs (enabled, with work to do). */
interface ParsedExporter {
  readonly exporter: ExporterConfig
  readonly runs: boolean
}

function isProtocol(p: string): p is Protocol {
  return (PROTOCOLS as readonly string[]).includes(p)
}

function parseExporter(
  entry: unknown,
  index: number,
  base: ConfigPath,
  problems: ConfigProblem[],
  warnings: ConfigProblem[],
  skipped: SkippedExporter[],
  path: (p: string | null) => string | null,
): ParsedExporter | undefined {
  const skip = (at: ConfigPath, reason: string) => {
    skipped.push({ path: formatPath(base), reason })
    warnings.push({ path: at, message: reason })
  }
  const notEnabled = '`enabled` is not true; exporter skipped, as DeepFlow does (set `enabled: true`)'
  if (entry === null || entry === undefined) {
    skip(base, 'an empty entry (no protocol, not enabled); exporter skipped, as DeepFlow does')
    return undefined
  }
  if (!isMapping(entry)) {
    problems.push({ path: base, message: 'expected a mapping with at least `protocol`' })
    return undefined
  }
  const protocol = entry.protocol === null || entry.protocol === undefined ? '' : scalarText(entry.protocol)
  if (protocol !== undefined && !isProtocol(protocol)) {
    const enabled = entry.enabled instanceof GoScalar && entry.enabled.value === true
    const guess = closest(protocol, PROTOCOLS)
    skip(
      enabled ? [...base, 'protocol'] : base,
      !enabled
        ? notEnabled
        : protocol === ''
        ? 'no protocol; exporter skipped, as DeepFlow does'
        : `unknown protocol ${JSON.stringify(protocol)} (supported: ${PROTOCOLS.join(', ')}${
          guess ? `; did you mean "${guess}"?` : ''
        }); exporter skipped, as DeepFlow does`,
    )
    return undefined
  }
  const before = problems.length
  let result = v.safeParse(ExporterSchema, entry)
  if (!result.success) {
    problems.push(...issuesToProblems(base, result.issues, exporterKeysAt))
    // Check the rest too, so that every problem is listed: drop the keys that failed and retry.
    const failed = new Set(result.issues.map((i) => i.path?.[0]?.key))
    const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !failed.has(k)))
    result = v.safeParse(ExporterSchema, { ...rest, protocol })
    if (!result.success) return undefined
  }
  const raw = { ...(result.output as RawExporter), protocol: protocol as Protocol }
  const { exporter, skip: nothingToDo } = checkExporter(raw, index, base, problems, warnings)
  if (problems.length > before) return undefined
  if (!exporter.enabled) skip(base, notEnabled)
  else if (nothingToDo !== null) skip(nothingToDo.path, nothingToDo.reason)
  const tls = exporter.tls && { ...exporter.tls, caFile: path(exporter.tls.caFile) }
  const buffer = exporter.buffer.type === 'disk' ? { ...exporter.buffer, path: path(exporter.buffer.path)! } : exporter.buffer
  return { exporter: { ...exporter, tls, buffer }, runs: exporter.enabled && nothingToDo === null }
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
