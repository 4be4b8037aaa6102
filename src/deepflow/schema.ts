// Typed view of the DeepFlow facts copied from deepflow-server (see NOTICE): every data source,
// its fields in output order, and how each field is categorised and translated.
import schemaJson from './facts/schema.json' with { type: 'json' }

export type FieldType =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 'i32'
  | 'i64'
  | 'f64'
  | 'string'
  | 'bool'
  | 'ip4'
  | 'mac'
  | 'ip6'
  | 'string[]'
  | 'f64[]'

export type Translate =
  | { readonly format: 'ip4' | 'mac' | 'ip6' }
  | { readonly universal: string; readonly side: '0' | '1' | null }
  | { readonly enum: string }

export interface FieldSpec {
  /** Position in the data source's output order. */
  readonly index: number
  /** Key in the Kafka JSON and Prometheus label name (map_json for *_map sources). */
  readonly name: string
  /** Name tag filters match (the json tag name). */
  readonly filterName: string
  /** Kafka key when a universal-tag name was found (first `_id` removed). */
  readonly kafkaKeyUniversal: string | null
  readonly kind: 'tag' | 'metric'
  /** Sub-category key, or null when the field has none or DeepFlow does not know it. */
  readonly sub: string | null
  readonly type: FieldType
  readonly translate: Translate | null
  /** Enum used when universal translation is disabled. */
  readonly enumFallback: string | null
  /** Column name in DeepFlow's ClickHouse when it differs from `name`. */
  readonly clickhouseColumn: string | null
  readonly nullable: boolean
  /** DeepFlow's struct tag for this field is malformed: no category is attached (Q8). */
  readonly uncategorised: boolean
}

export interface DataSourceSpec {
  readonly name: string
  readonly isMap: boolean
  readonly prometheus: boolean
  readonly timestamp: { readonly field: string; readonly unit: 's' | 'us' }
  readonly fields: readonly FieldSpec[]
  /** k8s label array keys, in output order (names then values, client then server side). */
  readonly k8sLabelKeys: readonly string[]
  readonly byName: ReadonlyMap<string, FieldSpec>
}

interface RawField {
  name: string
  filter_name: string
  kafka_key_universal?: string
  kind: string
  sub: string | null
  sub_recognized?: boolean
  type: string
  translate: null | { to_string?: string; universal?: string; side?: string | null; enum?: string }
  enum_fallback?: string
  clickhouse_column?: string
  nullable?: boolean
  server_category?: string | null
}

interface RawSource {
  is_map: boolean
  prometheus: boolean
  timestamp: { field: string; unit: string }
  k8s_label_keys: string[]
  fields: RawField[]
}

function toTranslate(t: RawField['translate']): Translate | null {
  if (t === null) return null
  if (t.to_string === 'ip4' || t.to_string === 'mac' || t.to_string === 'ip6') return { format: t.to_string }
  if (typeof t.universal === 'string') {
    const side = t.side === '0' || t.side === '1' ? t.side : null
    return { universal: t.universal, side }
  }
  if (typeof t.enum === 'string') return { enum: t.enum }
  throw new Error(`schema.json: unknown translation ${JSON.stringify(t)}`)
}

function toField(raw: RawField, index: number): FieldSpec {
  const uncategorised = 'server_category' in raw && raw.server_category === null
  return {
    index,
    name: raw.name,
    filterName: raw.filter_name,
    kafkaKeyUniversal: raw.kafka_key_universal ?? null,
    kind: raw.kind === 'metric' ? 'metric' : 'tag',
    sub: raw.sub_recognized === false ? null : raw.sub,
    type: raw.type as FieldType,
    // The malformed L7 capture_nic_type tag carries no enumfile in deepflow-server either.
    translate: uncategorised ? null : toTranslate(raw.translate),
    enumFallback: raw.enum_fallback ?? null,
    clickhouseColumn: raw.clickhouse_column ?? null,
    nullable: raw.nullable === true,
    uncategorised,
  }
}

function toSource(name: string, raw: RawSource): DataSourceSpec {
  const fields = raw.fields.map(toField)
  return {
    name,
    isMap: raw.is_map,
    prometheus: raw.prometheus,
    timestamp: { field: raw.timestamp.field, unit: raw.timestamp.unit === 's' ? 's' : 'us' },
    fields,
    k8sLabelKeys: raw.k8s_label_keys,
    byName: new Map(fields.map((f) => [f.name, f])),
  }
}

const sources = new Map<string, DataSourceSpec>()
for (const [name, value] of Object.entries(schemaJson as Record<string, unknown>)) {
  if (name.startsWith('_')) continue
  sources.set(name, toSource(name, value as RawSource))
}

/** The data-source strings DeepFlow's exporters accept, in schema.json order. */
export const DATA_SOURCES: readonly string[] = [...sources.keys()]

export function dataSource(name: string): DataSourceSpec | undefined {
  return sources.get(name)
}

export function isDataSource(name: string): boolean {
  return sources.has(name)
}

/**
 * Data-source strings deepflow-server accepts in `data-sources` but never feeds to an exporter
 * (config.go dataSourceStrings; Q18): the relay has no schema for them, and nothing arrives there.
 */
export const DEFINED_NEVER_EXPORTED: readonly string[] = [
  'event.file_agg_event',
  'event.file_mgmt_event',
  'event.proc_perm_event',
  'event.proc_ops_event',
]
