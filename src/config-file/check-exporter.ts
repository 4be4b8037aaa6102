// One exporter entry after yaml.v2 typed it (schema.ts): DeepFlow's Validate() (zeros become
// defaults, an unknown condition type becomes `and`) and the relay's checks against DeepFlow's
// facts (data sources, field names, regular expressions, what each protocol can send).
// The rule: what deepflow-server starts with, the relay starts with. Where DeepFlow ignores or
// mishandles a setting, the relay ignores it too and says so in a warning; it refuses (a problem)
// only what DeepFlow cannot run or what would lose records without a word: an unknown data source,
// an unknown operator, an invalid regular expression, a missing or empty export-fields, a
// queue-count DeepFlow panics on, a negative queue-size, and the relay-only keys' own rules.
// An exporter left with nothing to do (no data source it can send, no usable endpoint) is reported
// as such: the loader skips it with a warning, as it skips a disabled one.
import { DATA_SOURCES, dataSource, type DataSourceSpec, DEFINED_NEVER_EXPORTED } from '../deepflow/schema.ts'
import { bindFilterField } from '../filter/compile-filter.ts'
import { compileGoRegexp, wildcardToGoRegexp } from '../deepflow/go-regexp.ts'
import { fieldSpellings, parseExportFields } from '../export-fields/export-fields.ts'
import { DEFAULTS, SUGGESTED_EXPORT_FIELDS } from '../config/defaults.ts'
import { closest, type ConfigPath, type ConfigProblem } from './problems.ts'
import type { RawExporter } from './schema.ts'
import { checkBuffer } from './buffer.ts'
import type { Condition, ExporterConfig, Protocol, Sasl, TagFilter, TagFiltersGroup } from '../config/types.ts'
import { RESERVED_HEADERS } from '../wire/remote-write/headers.ts'
import { otlpEndpoint } from '../exporters/otlp/endpoint.ts'
import { stringsToCategoryBits } from '../encode/otlp/categories.ts'
import { grpcMetadata, OTLP_HTTP_RESERVED_HEADERS } from '../exporters/otlp/request.ts'

export interface CheckedExporter {
  readonly exporter: ExporterConfig
  /** Why the exporter has nothing to do, and where; null when it can run. */
  readonly skip: { readonly path: ConfigPath; readonly reason: string } | null
}

const SECURITY_PROTOCOLS = ['SASL_SSL', 'SASL_PLAINTEXT'] as const
const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
const KAFKA_BROKER = /^[^\s:/]+:\d{1,5}$/
/** The one data source DeepFlow's span encoder takes (export.go: the others are encode errors). */
export const OTLP_DATA_SOURCE = 'flow_log.l7_flow_log'
const OTLP_IGNORED_SWITCHES = [
  'export-empty-tag',
  'export-empty-metrics-disabled',
  'enum-translate-to-name-disabled',
  'universal-tag-translate-to-name-disabled',
] as const

/** `tag-filter-condition.type` as TagFilterCondition.Validate() reads it: exactly "or", else "and". */
function conditionOf(type: string, path: ConfigPath, warnings: ConfigProblem[]): Condition {
  if (type === 'or' || type === 'and') return type
  if (type !== '') {
    warnings.push({
      path: [...path, 'type'],
      message: `${JSON.stringify(type)} is neither "and" nor "or" (DeepFlow compares exactly); "and" is used, as DeepFlow does`,
    })
  }
  return 'and'
}

/** A DeepFlow int after yaml.v2 truncated it toward zero (warned here: 2.5 becomes 2). */
function goInt(n: number | undefined, path: ConfigPath, warnings: ConfigProblem[]): number {
  if (n === undefined) return 0
  const int = Math.trunc(n)
  if (int !== n) warnings.push({ path, message: `${n} is not an integer; ${int} is used, as DeepFlow's YAML reader truncates it` })
  return int
}

export function checkExporter(
  raw: RawExporter & { protocol: Protocol },
  index: number,
  base: ConfigPath,
  problems: ConfigProblem[],
  warnings: ConfigProblem[],
): CheckedExporter {
  const at = (...rel: (string | number)[]): ConfigPath => [...base, ...rel]
  const warn = (path: ConfigPath, message: string) => warnings.push({ path, message })
  const problem = (path: ConfigPath, message: string) => problems.push({ path, message })
  const { protocol } = raw
  let skip: CheckedExporter['skip'] = null
  const skipWith = (path: ConfigPath, reason: string) => {
    skip ??= { path, reason }
  }

  // data-sources: DeepFlow warns about strings it does not know and ignores them; the relay refuses
  // those (a typo would silently export nothing) and skips what the protocol cannot send.
  const sources: DataSourceSpec[] = []
  raw['data-sources'].forEach((name, i) => {
    const ds = dataSource(name)
    if (ds === undefined && DEFINED_NEVER_EXPORTED.includes(name)) {
      warn(at('data-sources', i), `${name} is defined by DeepFlow but never exported (Q18); this exporter receives nothing from it`)
    } else if (ds === undefined) {
      const guess = closest(name, DATA_SOURCES)
      problem(
        at('data-sources', i),
        `unknown data source ${JSON.stringify(name)}${guess ? `; did you mean "${guess}"?` : ''} (valid: ${DATA_SOURCES.join(', ')})`,
      )
    } else if (protocol === 'opentelemetry' && ds.name !== OTLP_DATA_SOURCE) {
      warn(
        at('data-sources', i),
        `${name} cannot be sent as OTLP spans (the opentelemetry exporter takes ${OTLP_DATA_SOURCE} only; DeepFlow drops these records as encode errors); not subscribed`,
      )
    } else if (protocol === 'prometheus' && !ds.prometheus) {
      warn(
        at('data-sources', i),
        `${name} cannot be sent as remote write (the prometheus exporter takes flow_metrics.* only; DeepFlow drops these records as encode errors); not subscribed`,
      )
    } else if (!sources.includes(ds)) {
      sources.push(ds)
    }
  })
  if (sources.length === 0) {
    skipWith(
      at('data-sources'),
      raw['data-sources'].length === 0
        ? 'no data sources; exporter skipped (DeepFlow runs it idle)'
        : `none of the data sources can be sent by this ${protocol} exporter; exporter skipped`,
    )
  }

  // endpoints: a malformed one can never be reached; it is left out.
  const endpoints: string[] = []
  if (protocol === 'stdout') {
    if (raw.endpoints.length > 0) warn(at('endpoints'), 'not used by the stdout exporter')
  } else {
    raw.endpoints.forEach((endpoint, i) => {
      if (protocol === 'kafka') {
        if (KAFKA_BROKER.test(endpoint)) endpoints.push(endpoint)
        else warn(at('endpoints', i), `expected a Kafka broker address HOST:PORT, got ${JSON.stringify(endpoint)}; ignored`)
        return
      }
      if (protocol === 'opentelemetry') {
        const parsed = otlpEndpoint(endpoint)
        if ('error' in parsed) return warn(at('endpoints', i), `${parsed.error}; ignored`)
        if (raw.tls != null && parsed.kind === 'http' && parsed.url.startsWith('http:')) {
          warn(at('endpoints', i), 'tls settings do not apply to a plain http:// endpoint')
        }
        endpoints.push(endpoint)
        return
      }
      let url: URL | undefined
      try {
        url = new URL(endpoint)
      } catch {
        // not a URL: reported below
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        warn(at('endpoints', i), `expected an http:// or https:// remote-write URL, got ${JSON.stringify(endpoint)}; ignored`)
        return
      }
      if (raw.tls != null && url.protocol === 'http:') warn(at('endpoints', i), 'tls settings do not apply to a plain http:// endpoint')
      endpoints.push(endpoint)
    })
    if (endpoints.length === 0) {
      skipWith(
        at('endpoints'),
        `no usable endpoint; exporter skipped (DeepFlow ${
          protocol === 'kafka'
            ? 'drops every batch'
            : protocol === 'opentelemetry'
            ? 'drops every batch'
            : 'divides by zero at the first batch, Q14'
        })`,
      )
    }
  }

  // queue-count, queue-size, batch-size, flush-timeout: 0 (or null) is the default, as in Validate().
  const queueCount = goInt(raw['queue-count'], at('queue-count'), warnings) || DEFAULTS.exporter.queueCount
  if (queueCount < 1 || queueCount > DEFAULTS.maxQueueCount) {
    problem(
      at('queue-count'),
      `expected an integer from 1 to ${DEFAULTS.maxQueueCount}, got ${raw['queue-count']} (DeepFlow panics outside this range)`,
    )
  }
  const queueSize = goInt(raw['queue-size'], at('queue-size'), warnings) || DEFAULTS.exporter.queueSize
  if (queueSize < 1) {
    problem(
      at('queue-size'),
      `expected a positive integer, got ${raw['queue-size']} (DeepFlow makes it a queue of 1 and loses what does not fit)`,
    )
  }
  let batchSize = goInt(raw['batch-size'], at('batch-size'), warnings) ||
    (protocol === 'opentelemetry' ? DEFAULTS.exporter.otlpBatchSize : DEFAULTS.exporter.batchSize)
  if (batchSize < 0) {
    warn(at('batch-size'), `${batchSize} is negative; 1 is used (DeepFlow sends every record alone)`)
    batchSize = 1
  }
  let flushTimeout = raw['flush-timeout'] ?? 0
  if (flushTimeout < 0) {
    warn(
      at('flush-timeout'),
      `${flushTimeout} is negative; the default ${DEFAULTS.exporter.flushTimeout} s is used (DeepFlow never reads flush-timeout)`,
    )
    flushTimeout = 0
  }
  if (flushTimeout === 0) flushTimeout = DEFAULTS.exporter.flushTimeout
  else if (flushTimeout !== DEFAULTS.exporter.flushTimeout) {
    warn(
      at('flush-timeout'),
      `DeepFlow never reads flush-timeout (it sends partial batches every second); the relay holds a partial batch up to ${flushTimeout} s`,
    )
  }

  // export-fields: required (DeepFlow's default list exports metrics only, Q4); what DeepFlow would
  // not recognise is left out with a warning.
  const exportFields: string[] = []
  if (raw['export-fields'].length === 0) {
    problem(
      at('export-fields'),
      `missing or empty; list what to export, e.g. export-fields: [${
        SUGGESTED_EXPORT_FIELDS.join(', ')
      }] (DeepFlow's default list exports metrics only, Q4)`,
    )
  }
  const fieldProblems = new Map(parseExportFields(raw['export-fields']).problems.map((p) => [p.index, p]))
  raw['export-fields'].forEach((entry, i) => {
    const found = fieldProblems.get(i)
    if (found?.kind === 'invalid') return problem(at('export-fields', i), found.message)
    if (found !== undefined) return warn(at('export-fields', i), `${found.message}; ignored, as DeepFlow ignores it`)
    if (protocol === 'prometheus' && entry.replace(/^~/, '').startsWith('$k8s.label')) {
      return warn(at('export-fields', i), 'k8s labels cannot be sent as remote-write labels; ignored, as DeepFlow ignores them')
    }
    if (protocol === 'opentelemetry' && stringsToCategoryBits([entry]) === 0) {
      return warn(
        at('export-fields', i),
        entry.startsWith('$')
          ? `selects no span attributes: DeepFlow's opentelemetry exporter knows $tag, $metrics, $k8s.label and $tag.<sub-category> (e.g. $tag.universal_tag); ignored, as DeepFlow ignores it`
          : 'the opentelemetry exporter selects attributes by $category only (a field name or an exclusion selects nothing there, as in DeepFlow); ignored',
      )
    }
    if (!entry.startsWith('$') && !entry.startsWith('~') && sources.length > 0) {
      const known = sources.some((ds) => ds.fields.some((f) => fieldSpellings(f).includes(entry)))
      if (!known) {
        const guess = closest(entry, new Set(sources.flatMap((ds) => ds.fields.map((f) => f.name))))
        return warn(
          at('export-fields', i),
          `unknown field ${JSON.stringify(entry)} in ${sources.map((ds) => ds.name).join(', ')}${
            guess ? `; did you mean "${guess}"?` : ''
          }; ignored`,
        )
      }
    }
    exportFields.push(entry)
  })

  // Filters: bound to the data sources' fields; one that binds nowhere does not apply (a group left
  // without an applicable filter is skipped: the Q2 fix).
  const checkFilters = (filters: readonly TagFilter[], rel: (string | number)[]): readonly TagFilter[] => {
    filters.forEach((f, i) => {
      const path = at(...rel, i)
      if (sources.length > 0 && !sources.some((ds) => bindFilterField(ds, f.fieldName) !== undefined)) {
        const guess = closest(f.fieldName, new Set(sources.flatMap((ds) => ds.fields.map((x) => x.filterName))))
        warn(
          [...path, 'field-name'],
          `no field ${JSON.stringify(f.fieldName)} in ${sources.map((ds) => ds.name).join(', ')}${
            guess ? `; did you mean "${guess}"?` : ''
          }; this filter does not apply, as in DeepFlow`,
        )
      }
      if (f.operator === '') {
        warn([...path, 'operator'], 'no operator; this filter matches every record, as in DeepFlow')
        return
      }
      const isWildcard = f.operator === ':' || f.operator === '!:'
      if (!isWildcard && f.operator !== '~' && f.operator !== '!~') return
      f.fieldValues.forEach((value, j) => {
        const compiled = compileGoRegexp(isWildcard ? wildcardToGoRegexp(value) : value)
        if (!compiled.ok) problem([...path, 'field-values', j], compiled.error)
      })
      if (f.fieldValues.length > 1) warn([...path, 'field-values'], `operator "${f.operator}" uses only the first value, as DeepFlow does`)
    })
    return filters
  }
  const tagFilters = checkFilters(raw['tag-filters'], ['tag-filters'])
  const tagFiltersGroups: TagFiltersGroup[] = raw['tag-filters-groups'].map((g, i) => ({
    condition: conditionOf(g.conditionType, at('tag-filters-groups', i, 'tag-filter-condition'), warnings),
    filters: checkFilters(g.filters, ['tag-filters-groups', i, 'tag-filters']),
  }))
  if (tagFilters.length > 0) {
    warn(at('tag-filters'), 'deprecated in DeepFlow; where these filters apply to a data source, tag-filters-groups are ignored for it')
  }

  // Switches DeepFlow's span encoder never reads: only export-fields' categories gate OTLP attributes.
  if (protocol === 'opentelemetry') {
    for (const key of OTLP_IGNORED_SWITCHES) {
      if (raw[key]) {
        warn(
          at(key),
          'not used by the opentelemetry exporter (its attributes are chosen by export-fields categories only, as in DeepFlow); ignored',
        )
      }
    }
  }
  if (raw['deepflow-quirks'] && protocol !== 'opentelemetry') warn(at('deepflow-quirks'), 'only used by the opentelemetry exporter')

  // Kafka-only and prometheus-only keys.
  let sasl: Sasl | null = null
  if (raw.sasl != null && protocol !== 'kafka') warn(at('sasl'), 'only used by the kafka exporter')
  if (raw.sasl?.enabled === true && protocol === 'kafka') {
    // Empty: the relay's defaults (SASL_SSL, PLAIN). Another word: DeepFlow warns and goes on.
    let { securityProtocol, saslMechanism } = raw.sasl
    if (securityProtocol === '') securityProtocol = 'SASL_SSL'
    else if (!(SECURITY_PROTOCOLS as readonly string[]).includes(securityProtocol)) {
      warn(
        at('sasl', 'security-protocol'),
        `expected SASL_SSL or SASL_PLAINTEXT, got ${
          JSON.stringify(securityProtocol)
        }; SASL_SSL is used (DeepFlow warns and never uses TLS)`,
      )
      securityProtocol = 'SASL_SSL'
    }
    if (saslMechanism === '') saslMechanism = 'PLAIN'
    else if (!(SASL_MECHANISMS as readonly string[]).includes(saslMechanism)) {
      warn(
        at('sasl', 'sasl-mechanism'),
        `expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got ${JSON.stringify(saslMechanism)}; PLAIN is used, as DeepFlow does`,
      )
      saslMechanism = 'PLAIN'
    }
    sasl = { ...raw.sasl, securityProtocol, saslMechanism }
  }
  if (protocol !== 'kafka' && raw.topic !== '') warn(at('topic'), 'only used by the kafka exporter')
  const extraHeaders = raw['extra-headers']
  if (protocol !== 'prometheus' && protocol !== 'opentelemetry' && Object.keys(extraHeaders).length > 0) {
    warn(at('extra-headers'), 'only used by the prometheus and opentelemetry exporters')
  }
  if (protocol === 'prometheus') {
    for (const header of Object.keys(extraHeaders)) {
      if (RESERVED_HEADERS.includes(header.toLowerCase())) {
        warn(at('extra-headers', header), 'cannot override a remote-write header; ignored')
      }
    }
  }
  if (protocol === 'opentelemetry') {
    const kinds = new Set(endpoints.map((e) => (otlpEndpoint(e) as { kind?: string }).kind))
    if (kinds.has('http')) {
      for (const header of Object.keys(extraHeaders)) {
        if (OTLP_HTTP_RESERVED_HEADERS.includes(header.toLowerCase())) {
          warn(at('extra-headers', header), 'cannot override an OTLP/HTTP header; ignored for the http(s) endpoints')
        }
      }
    }
    if (kinds.has('grpc')) {
      for (const { key, why } of grpcMetadata(extraHeaders).skipped) {
        warn(at('extra-headers', key), `not sent as gRPC metadata (${why}); ignored for the host:port endpoints`)
      }
    }
  }

  const name = raw.name ?? `${protocol}-${index}`
  const exporter: ExporterConfig = {
    index,
    name,
    protocol,
    enabled: raw.enabled,
    endpoints,
    dataSources: sources.map((ds) => ds.name),
    queueCount,
    queueSize,
    queueMaxBytes: raw['queue-max-bytes'],
    batchSize,
    flushTimeout,
    tagFilters,
    tagFilterCondition: conditionOf(raw['tag-filter-condition'], at('tag-filter-condition'), warnings),
    tagFiltersGroups,
    exportFields,
    exportEmptyTag: raw['export-empty-tag'],
    exportEmptyMetricsDisabled: raw['export-empty-metrics-disabled'],
    enumTranslateToNameDisabled: raw['enum-translate-to-name-disabled'],
    universalTagTranslateToNameDisabled: raw['universal-tag-translate-to-name-disabled'],
    sasl,
    topic: raw.topic === '' ? null : raw.topic,
    extraHeaders,
    requestTimeout: raw['request-timeout'],
    maxRetryDuration: raw['max-retry-duration'],
    tls: raw.tls == null ? null : { caFile: raw.tls['ca-file'] ?? null, insecureSkipVerify: raw.tls['insecure-skip-verify'] },
    compression: raw.compression,
    maxMessageBytes: raw['max-message-bytes'],
    deepflowQuirks: raw['deepflow-quirks'],
    buffer: checkBuffer(raw.buffer, { name, queueCount }, base, problems, warnings),
  }
  return { exporter, skip }
}
