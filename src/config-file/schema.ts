// valibot schemas for the config file: what yaml.v2's Unmarshal makes of an exporter entry
// (DeepFlow's ExporterCfg, TagFiltersGroup, TagFilter, Sasl: every key typed as Go types it, null
// meaning the zero value) plus the relay's own keys (`relay:`, and the relay-only exporter keys,
// where null means the default). DeepFlow's Validate() step (defaults for zeros, the checks)
// follows in check-exporter.ts. The external keys are DeepFlow's (`queue-count`,
// `tag-filters-groups`, ...) and are mapped to the internal camelCase config here and there only.
import * as v from 'valibot'
import { DEFAULTS } from '../config/defaults.ts'
import {
  goBool,
  goList,
  goMapping,
  goStringMap,
  goStruct,
  isMapping,
  optionalNumber,
  optionalText,
  positiveInt,
  seconds,
  text,
  UNKNOWN_KEY,
} from './go-values.ts'
import { UniversalTagsValue } from './universal-tags.ts'
import { byteQuantity, parseByteQuantity } from './byte-quantity.ts'
import { BUFFER_ENTRIES, BufferSchema } from './buffer.ts'
import {
  type FilterOperator,
  KAFKA_COMPRESSIONS,
  type KafkaCompression,
  LOG_LEVELS,
  type LogLevel,
  OPERATORS,
  type Overflow,
  OVERFLOW_MODES,
} from '../config/types.ts'

export { parseByteQuantity, UNKNOWN_KEY }

/** A relay-only mapping: null or absent means none. */
const optionalStruct = <T extends Record<string, v.GenericSchema>>(entries: T, what: string) =>
  v.nullish(v.pipe(v.custom<unknown>(isMapping, `expected ${what}`), goMapping(entries)))

/** A non-empty string the relay needs (a file path, a URL). */
const requiredText = (what: string) =>
  v.pipe(optionalText(what), v.check((s) => s !== undefined && s !== '', `expected ${what}`), v.transform((s) => s!))

/** One of `choices`; null or absent: the default. */
const choice = <T extends string>(choices: readonly T[], fallback: T, what: string) =>
  v.pipe(
    text(what, fallback),
    v.check((s) => (choices as readonly string[]).includes(s), `expected ${what}`),
    v.transform((s) => s as T),
  )

/** A DeepFlow int key, finite; undefined when null or absent (its Validate() default applies). */
const deepflowInt = (what: string) =>
  v.pipe(optionalNumber(what), v.check((n) => n === undefined || Number.isFinite(n), `expected ${what}`))

/** Go lower-cases the operator and looks it up; "" (none given) is DeepFlow's INVALID_OPERATOR_ID. */
const operator = v.pipe(
  text('an operator'),
  v.transform((s) => s.toLowerCase()),
  v.check(
    (s) => s === '' || (OPERATORS as readonly string[]).includes(s),
    (issue) => `unknown operator ${issue.received}; valid operators: ${OPERATORS.join(', ')} (case-insensitive)`,
  ),
  v.transform((s) => s as FilterOperator),
)

/** `{type: and|or}`: the type as written ("" when none); check-exporter applies DeepFlow's fallback. */
const condition = v.pipe(
  goStruct({ type: text('"and" or "or"') }, 'a mapping {type: and} or {type: or}'),
  v.transform((c) => c.type),
)

const TAG_FILTER_ENTRIES = {
  'field-name': text('a field name'),
  operator,
  /** yaml.v2 stores `field-values: [3, 4]` as strings. */
  'field-values': goList(text('a value'), 'a list of values'),
}

export const TagFilterSchema = v.pipe(
  goStruct(TAG_FILTER_ENTRIES, 'a tag filter {field-name, operator, field-values}'),
  v.transform((f) => ({ fieldName: f['field-name'], operator: f.operator, fieldValues: f['field-values'] })),
)

const GROUP_ENTRIES = {
  'tag-filter-condition': condition,
  'tag-filters': goList(TagFilterSchema, 'a list of tag filters'),
}

const GroupSchema = v.pipe(
  goStruct(GROUP_ENTRIES, 'a tag filter group {tag-filter-condition, tag-filters}'),
  v.transform((g) => ({ conditionType: g['tag-filter-condition'], filters: g['tag-filters'] })),
)

const SASL_ENTRIES = {
  enabled: goBool(),
  'security-protocol': text('a security protocol'),
  'sasl-mechanism': text('a SASL mechanism'),
  username: text('a user name'),
  password: text('a password'),
}

const SaslSchema = v.nullish(
  v.pipe(
    goStruct(SASL_ENTRIES, 'a mapping {enabled, security-protocol, sasl-mechanism, username, password}'),
    v.transform((s) => ({
      enabled: s.enabled,
      securityProtocol: s['security-protocol'],
      saslMechanism: s['sasl-mechanism'],
      username: s.username,
      password: s.password,
    })),
  ),
)

const TLS_ENTRIES = {
  'ca-file': optionalText('a PEM file path'),
  'insecure-skip-verify': goBool(),
}

const EXPORTER_ENTRIES = {
  protocol: text('a protocol'),
  enabled: goBool(),
  name: v.pipe(
    optionalText('a name'),
    v.check((s) => s === undefined || /^[A-Za-z0-9_.:-]+$/.test(s), 'expected a name of letters, digits and _ . : -'),
  ),
  endpoints: goList(text('an endpoint address'), 'a list of endpoints'),
  'data-sources': goList(text('a data source'), 'a list of data sources'),
  'queue-count': deepflowInt(`an integer from 1 to ${DEFAULTS.maxQueueCount}`),
  'queue-size': deepflowInt('a positive integer'),
  'queue-max-bytes': positiveInt('a positive number of bytes', DEFAULTS.exporter.queueMaxBytes),
  'batch-size': deepflowInt('a positive integer'),
  'flush-timeout': deepflowInt('a positive number of seconds'),
  'tag-filters': goList(TagFilterSchema, 'a list of tag filters'),
  'tag-filter-condition': condition,
  'tag-filters-groups': goList(GroupSchema, 'a list of tag filter groups'),
  'export-fields': goList(text('an export field'), 'a list of export fields'),
  'export-empty-tag': goBool(),
  'export-empty-metrics-disabled': goBool(),
  'enum-translate-to-name-disabled': goBool(),
  'universal-tag-translate-to-name-disabled': goBool(),
  sasl: SaslSchema,
  topic: text('a topic name'),
  'extra-headers': goStringMap('a map of header names to values', 'a header value'),
  'request-timeout': seconds(DEFAULTS.exporter.requestTimeout),
  'max-retry-duration': seconds(DEFAULTS.exporter.maxRetryDuration, true),
  tls: optionalStruct(TLS_ENTRIES, 'a mapping {ca-file, insecure-skip-verify}'),
  compression: v.pipe(
    text('a compression', DEFAULTS.exporter.compression),
    v.check(
      (c) => (KAFKA_COMPRESSIONS as readonly string[]).includes(c),
      (i) =>
        i.input === 'lz4' || i.input === 'zstd'
          ? `${i.input} has no pure-JavaScript codec in this relay; use none, gzip or snappy`
          : `expected none, gzip or snappy, got ${i.received}`,
    ),
    v.transform((c) => c as KafkaCompression),
  ),
  'max-message-bytes': positiveInt('a positive number of bytes', DEFAULTS.exporter.maxMessageBytes),
  'deepflow-quirks': goBool(),
  buffer: BufferSchema,
}

/** One entry of `exporters` / `ingester.exporters`, every DeepFlow key plus the relay-only ones. */
export const ExporterSchema = goMapping(EXPORTER_ENTRIES)

/** An exporter entry as ExporterSchema outputs it: every key (an absent one read as null). */
export type RawExporter = { readonly [K in keyof typeof EXPORTER_ENTRIES]: v.InferOutput<(typeof EXPORTER_ENTRIES)[K]> }

const LISTEN_RE = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/

export function parseListen(s: string): { host: string; port: number } | undefined {
  const m = LISTEN_RE.exec(s)
  if (m === null) return undefined
  const port = Number(m[3])
  if (port > 65535) return undefined
  return { host: m[1] ?? m[2]!, port }
}

export const ListenSchema = v.pipe(
  requiredText('HOST:PORT'),
  v.check(
    (s: string) => parseListen(s) !== undefined,
    (i) => `expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got ${i.received}`,
  ),
  v.transform((s: string) => parseListen(s)!),
)

/** relay.memory-limit: null or absent: none (the cgroup's limit applies). */
const MemoryLimitSchema = v.pipe(
  byteQuantity,
  v.transform((n): number | null => n ?? null),
)

/** A fraction of the memory budget, above 0 and at most 1; null or absent: the default. */
const fraction = (fallback: number) =>
  v.pipe(
    optionalNumber('a fraction of the memory budget, above 0 and at most 1 (e.g. 0.8)'),
    v.check((n) => n === undefined || (n > 0 && n <= 1), 'expected a fraction of the memory budget, above 0 and at most 1 (e.g. 0.8)'),
    v.transform((n): number => n ?? fallback),
  )

const RELAY_ENTRIES = {
  listen: v.nullish(ListenSchema),
  'max-body-bytes': positiveInt('a positive number of bytes', DEFAULTS.relay.maxBodyBytes),
  'time-zone': text('an IANA time zone such as UTC or Asia/Shanghai', DEFAULTS.relay.timeZone),
  'universal-tags': UniversalTagsValue,
  'shutdown-timeout': seconds(DEFAULTS.relay.shutdownTimeout, true),
  'log-level': choice<LogLevel>(LOG_LEVELS, DEFAULTS.relay.logLevel, `one of ${LOG_LEVELS.join(', ')}`),
  'auth-token': v.pipe(
    optionalText('a token'),
    v.check((s) => s === undefined || s.length >= 16, 'expected a token of at least 16 characters'),
  ),
  'protect-metrics': goBool(DEFAULTS.relay.protectMetrics),
  tls: optionalStruct(
    { 'cert-file': requiredText('a PEM certificate file'), 'key-file': requiredText('a PEM key file') },
    'a mapping {cert-file, key-file}',
  ),
  overflow: choice<Overflow>(OVERFLOW_MODES, DEFAULTS.relay.overflow, 'reject or drop-oldest'),
  'max-records-per-request': positiveInt('a positive number of records', DEFAULTS.relay.limits.maxRecordsPerRequest),
  'max-line-bytes': positiveInt('a positive number of bytes', DEFAULTS.relay.limits.maxLineBytes),
  'max-depth': positiveInt('a positive nesting depth', DEFAULTS.relay.limits.maxDepth),
  'max-fields': positiveInt('a positive number of fields', DEFAULTS.relay.limits.maxFields),
  'max-string-bytes': positiveInt('a positive number of bytes', DEFAULTS.relay.limits.maxStringBytes),
  'client-timeout': seconds(DEFAULTS.relay.clientTimeout),
  'memory-limit': MemoryLimitSchema,
  'memory-soft-limit': fraction(DEFAULTS.relay.memorySoftLimit),
  'memory-hard-limit': fraction(DEFAULTS.relay.memoryHardLimit),
  'max-concurrent-requests': v.pipe(
    optionalNumber('a positive number of requests'),
    v.check((n) => n === undefined || (Number.isInteger(n) && n >= 1), 'expected a positive number of requests'),
    v.transform((n): number | null => n ?? null),
  ),
}

/** `relay:`; null or absent: every default. */
export const RelaySchema = goStruct(RELAY_ENTRIES, 'a mapping of relay settings')

export type RawRelay = v.InferOutput<typeof RelaySchema>

/** Valid keys of the mapping at a path relative to an exporter entry (for "did you mean"). */
export function exporterKeysAt(path: readonly (string | number)[]): readonly string[] {
  const last = [...path].reverse().find((p): p is string => typeof p === 'string')
  switch (last) {
    case undefined:
      return Object.keys(EXPORTER_ENTRIES)
    case 'sasl':
      return Object.keys(SASL_ENTRIES)
    case 'tag-filters':
      return Object.keys(TAG_FILTER_ENTRIES)
    case 'tag-filters-groups':
      return Object.keys(GROUP_ENTRIES)
    case 'tag-filter-condition':
      return ['type']
    case 'tls':
      return Object.keys(TLS_ENTRIES)
    case 'buffer':
      return Object.keys(BUFFER_ENTRIES)
    default:
      return []
  }
}

export const RELAY_KEYS: readonly string[] = Object.keys(RELAY_ENTRIES)
