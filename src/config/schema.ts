// valibot schemas for the config file. The external keys are DeepFlow's (`queue-count`,
// `tag-filters-groups`, ...) and are mapped to the internal camelCase config here and only here.
import * as v from 'valibot'
import { DEFAULTS } from './defaults.ts'
import { KAFKA_COMPRESSIONS, LOG_LEVELS, OPERATORS, OVERFLOW_MODES, type KafkaCompression, type Operator } from './types.ts'

/** A mapping that rejects every key it does not name (each one reported, with its path). */
export const UNKNOWN_KEY = 'unknown key'
const strict = <T extends v.ObjectEntries>(entries: T) => v.objectWithRest(entries, v.never(UNKNOWN_KEY))

const positiveInt = (what = 'a positive integer') =>
  v.pipe(v.number(`expected ${what}`), v.integer(`expected ${what}`), v.minValue(1, `expected ${what}`))

/** DeepFlow's Validate() replaces 0 by the default for these keys; so do we. */
const countOrDefault = (fallback: number, max?: number) => {
  const what = max === undefined ? 'a positive integer' : `an integer from 1 to ${max}`
  const base = v.pipe(v.number(`expected ${what}`), v.integer(`expected ${what}`), v.minValue(0, `expected ${what}`))
  const bounded = max === undefined ? base : v.pipe(base, v.maxValue(max, `expected ${what}`))
  return v.pipe(v.optional(bounded, 0), v.transform((n: number) => (n === 0 ? fallback : n)))
}

const seconds = (fallback: number, allowZero = false) => {
  const what = allowZero ? 'a number of seconds (0 or more)' : 'a positive number of seconds'
  return v.optional(
    v.pipe(
      v.number(`expected ${what}`),
      v.finite(`expected ${what}`),
      allowZero ? v.minValue(0, `expected ${what}`) : v.gtValue(0, `expected ${what}`),
    ),
    fallback,
  )
}

const bool = (fallback: boolean) => v.optional(v.boolean('expected true or false'), fallback)
const text = (what = 'a string') => v.string(`expected ${what}`)

/** yaml.v2 stores `field-values: [3, 4]` as strings; accept scalars and stringify them. */
const scalarText = v.pipe(
  v.union([v.string(), v.number(), v.boolean()], 'expected a string or a number'),
  v.transform((x: string | number | boolean) => String(x)),
)

const operator = v.pipe(
  text('an operator'),
  v.transform((s: string) => s.toLowerCase()),
  v.check(
    (s: string) => (OPERATORS as readonly string[]).includes(s),
    (issue) => `unknown operator ${issue.received}; valid operators: ${OPERATORS.join(', ')} (case-insensitive)`,
  ),
  v.transform((s: string) => s as Operator),
)

const condition = v.pipe(
  strict({ type: v.picklist(['and', 'or'], 'expected "and" or "or"') }),
  v.transform((c) => c.type),
)

const TAG_FILTER_ENTRIES = {
  'field-name': text('a field name'),
  operator,
  'field-values': v.optional(v.array(scalarText, 'expected a list of values'), []),
}

export const TagFilterSchema = v.pipe(
  strict(TAG_FILTER_ENTRIES),
  v.transform((f) => ({ fieldName: f['field-name'], operator: f.operator, fieldValues: f['field-values'] })),
)

const GROUP_ENTRIES = {
  'tag-filter-condition': v.optional(condition),
  'tag-filters': v.optional(v.array(TagFilterSchema, 'expected a list of tag filters'), []),
}

const GroupSchema = v.pipe(
  strict(GROUP_ENTRIES),
  v.transform((g) => ({ condition: g['tag-filter-condition'] ?? 'and', filters: g['tag-filters'] })),
)

const SASL_ENTRIES = {
  enabled: bool(false),
  'security-protocol': v.optional(v.picklist(['SASL_SSL', 'SASL_PLAINTEXT'], 'expected SASL_SSL or SASL_PLAINTEXT'), 'SASL_SSL'),
  'sasl-mechanism': v.optional(
    v.picklist(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], 'expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512'),
    'PLAIN',
  ),
  username: v.optional(text(), ''),
  password: v.optional(text(), ''),
}

const SaslSchema = v.pipe(
  strict(SASL_ENTRIES),
  v.transform((s) => ({
    enabled: s.enabled,
    securityProtocol: s['security-protocol'],
    saslMechanism: s['sasl-mechanism'],
    username: s.username,
    password: s.password,
  })),
)

const TLS_ENTRIES = {
  'ca-file': v.optional(text('a PEM file path')),
  'insecure-skip-verify': bool(false),
}

/** One entry of `exporters` / `ingester.exporters`, every DeepFlow key plus the relay-only ones. */
export const ExporterSchema = strict({
  protocol: v.picklist(['kafka', 'prometheus', 'stdout'], 'expected kafka, prometheus or stdout'),
  enabled: bool(false),
  name: v.optional(v.pipe(text('a name'), v.regex(/^[A-Za-z0-9_.:-]+$/, 'expected a name of letters, digits and _ . : -'))),
  endpoints: v.optional(v.array(text('an endpoint address'), 'expected a list of endpoints'), []),
  'data-sources': v.optional(v.array(text('a data source'), 'expected a list of data sources'), []),
  'queue-count': countOrDefault(DEFAULTS.exporter.queueCount, DEFAULTS.maxQueueCount),
  'queue-size': countOrDefault(DEFAULTS.exporter.queueSize),
  'queue-max-bytes': v.optional(positiveInt('a positive number of bytes'), DEFAULTS.exporter.queueMaxBytes),
  'batch-size': countOrDefault(DEFAULTS.exporter.batchSize),
  'flush-timeout': v.pipe(
    v.optional(v.pipe(v.number('expected a positive number of seconds'), v.finite(), v.minValue(0, 'expected a positive number of seconds')), 0),
    v.transform((n: number) => (n === 0 ? DEFAULTS.exporter.flushTimeout : n)),
  ),
  'tag-filters': v.optional(v.array(TagFilterSchema, 'expected a list of tag filters'), []),
  'tag-filter-condition': v.optional(condition),
  'tag-filters-groups': v.optional(v.array(GroupSchema, 'expected a list of tag filter groups'), []),
  'export-fields': v.optional(v.array(text('an export field'), 'expected a list of export fields'), []),
  'export-empty-tag': bool(false),
  'export-empty-metrics-disabled': bool(false),
  'enum-translate-to-name-disabled': bool(false),
  'universal-tag-translate-to-name-disabled': bool(false),
  sasl: v.optional(SaslSchema),
  topic: v.optional(text('a topic name')),
  'extra-headers': v.optional(v.record(v.string(), text('a header value'), 'expected a map of header names to values'), {}),
  'request-timeout': seconds(DEFAULTS.exporter.requestTimeout),
  'max-retry-duration': seconds(DEFAULTS.exporter.maxRetryDuration, true),
  tls: v.optional(strict(TLS_ENTRIES)),
  compression: v.optional(
    v.pipe(
      text('a compression'),
      v.check(
        (c: string) => (KAFKA_COMPRESSIONS as readonly string[]).includes(c),
        (i) => i.input === 'lz4' || i.input === 'zstd'
          ? `${i.input} has no pure-JavaScript codec in this relay; use none, gzip or snappy`
          : `expected none, gzip or snappy, got ${i.received}`,
      ),
      v.transform((c: string) => c as KafkaCompression),
    ),
    DEFAULTS.exporter.compression,
  ),
  'max-message-bytes': v.optional(positiveInt('a positive number of bytes'), DEFAULTS.exporter.maxMessageBytes),
})

export type RawExporter = v.InferOutput<typeof ExporterSchema>

const LISTEN_RE = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/

export function parseListen(s: string): { host: string; port: number } | undefined {
  const m = LISTEN_RE.exec(s)
  if (m === null) return undefined
  const port = Number(m[3])
  if (port > 65535) return undefined
  return { host: m[1] ?? m[2]!, port }
}

export const ListenSchema = v.pipe(
  text('HOST:PORT'),
  v.check((s: string) => parseListen(s) !== undefined, (i) => `expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got ${i.received}`),
  v.transform((s: string) => parseListen(s)!),
)

export const RelaySchema = strict({
  listen: v.optional(ListenSchema),
  'max-body-bytes': v.optional(positiveInt('a positive number of bytes'), DEFAULTS.relay.maxBodyBytes),
  'time-zone': v.optional(text('an IANA time zone such as UTC or Asia/Shanghai'), DEFAULTS.relay.timeZone),
  'universal-tags': v.optional(text('a file path')),
  'shutdown-timeout': seconds(DEFAULTS.relay.shutdownTimeout, true),
  'log-level': v.optional(v.picklist(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(', ')}`), DEFAULTS.relay.logLevel),
  'auth-token': v.optional(v.pipe(text('a token'), v.minLength(16, 'expected a token of at least 16 characters'))),
  'protect-metrics': bool(DEFAULTS.relay.protectMetrics),
  tls: v.optional(strict({ 'cert-file': text('a PEM certificate file'), 'key-file': text('a PEM key file') })),
  overflow: v.optional(v.picklist(OVERFLOW_MODES, 'expected reject or drop-oldest'), DEFAULTS.relay.overflow),
  'max-records-per-request': v.optional(positiveInt('a positive number of records'), DEFAULTS.relay.limits.maxRecordsPerRequest),
  'max-line-bytes': v.optional(positiveInt('a positive number of bytes'), DEFAULTS.relay.limits.maxLineBytes),
  'max-depth': v.optional(positiveInt('a positive nesting depth'), DEFAULTS.relay.limits.maxDepth),
  'max-fields': v.optional(positiveInt('a positive number of fields'), DEFAULTS.relay.limits.maxFields),
  'max-string-bytes': v.optional(positiveInt('a positive number of bytes'), DEFAULTS.relay.limits.maxStringBytes),
  'client-timeout': seconds(DEFAULTS.relay.clientTimeout),
})

export type RawRelay = v.InferOutput<typeof RelaySchema>

/** Valid keys of the mapping at a path relative to an exporter entry (for "did you mean"). */
export function exporterKeysAt(path: readonly (string | number)[]): readonly string[] {
  const last = [...path].reverse().find((p): p is string => typeof p === 'string')
  switch (last) {
    case undefined: return Object.keys(ExporterSchema.entries)
    case 'sasl': return Object.keys(SASL_ENTRIES)
    case 'tag-filters': return Object.keys(TAG_FILTER_ENTRIES)
    case 'tag-filters-groups': return Object.keys(GROUP_ENTRIES)
    case 'tag-filter-condition': return ['type']
    case 'tls': return Object.keys(TLS_ENTRIES)
    default: return []
  }
}

export const RELAY_KEYS: readonly string[] = Object.keys(RelaySchema.entries)
