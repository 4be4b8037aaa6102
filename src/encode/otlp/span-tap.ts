// The tap's view of OTLP request bytes (an ExportTraceServiceRequest, or the concatenation of the
// span encoder's outputs): one JSON line per span,
//   {"resource":{<attributes in order>},"span":{"traceId":"<hex>","spanId":"<hex>","parentSpanId":"<hex>",
//    "name":"...","kind":3,"startTimeUnixNano":"<ns>","endTimeUnixNano":"<ns>","attributes":{...},
//    "events":[{"name":"..."}],"status":{"code":1,"message":""}}}
// Attribute objects keep the wire order (written by hand: a JS object would move integer-like keys
// first) and a key seen twice keeps its last value. Values: strings, booleans, doubles as JSON
// values, 64-bit integers as exact JSON numbers (their decimal text), bytes as hex.
import { ExportTraceServiceRequest } from '../../wire/otlp/otlp.ts'

interface LongLike {
  readonly low: number
  readonly high: number
  readonly unsigned?: boolean
}

/** A decoded int64/uint64/fixed64 (a Long where protobufjs has one, else a number) as decimal text. */
function longText(v: unknown, unsigned: boolean): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.trunc(v)) : '0'
  if (typeof v === 'bigint' || typeof v === 'string') return String(v)
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) {
    const l = v as LongLike
    const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0)
    return (unsigned ? u : BigInt.asIntN(64, u)).toString()
  }
  return '0'
}

function hex(b: unknown): string {
  if (!(b instanceof Uint8Array)) return ''
  let s = ''
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0')
  return s
}

interface AnyValueMsg {
  string_value?: string
  bool_value?: boolean
  int_value?: unknown
  double_value?: number
  array_value?: { values?: AnyValueMsg[] } | null
  kvlist_value?: { values?: KeyValueMsg[] } | null
  bytes_value?: Uint8Array
  value?: string
}
interface KeyValueMsg {
  key?: string
  value?: AnyValueMsg | null
}

function anyValueJson(v: AnyValueMsg | null | undefined): string {
  if (v === null || v === undefined) return 'null'
  switch (v.value) {
    case 'string_value':
      return JSON.stringify(v.string_value ?? '')
    case 'bool_value':
      return v.bool_value === true ? 'true' : 'false'
    case 'int_value':
      return longText(v.int_value, false)
    case 'double_value':
      return JSON.stringify(v.double_value ?? 0) // NaN and infinities: null
    case 'array_value':
      return `[${(v.array_value?.values ?? []).map(anyValueJson).join(',')}]`
    case 'kvlist_value':
      return attributesJson(v.kvlist_value?.values ?? [])
    case 'bytes_value':
      return JSON.stringify(hex(v.bytes_value))
    default:
      return 'null'
  }
}

function attributesJson(kvs: readonly KeyValueMsg[]): string {
  const values = new Map<string, string>()
  for (const kv of kvs) values.set(kv.key ?? '', anyValueJson(kv.value))
  const parts: string[] = []
  for (const [key, value] of values) parts.push(`${JSON.stringify(key)}:${value}`)
  return `{${parts.join(',')}}`
}

interface SpanMsg {
  trace_id?: Uint8Array
  span_id?: Uint8Array
  parent_span_id?: Uint8Array
  name?: string
  kind?: number
  start_time_unix_nano?: unknown
  end_time_unix_nano?: unknown
  attributes?: KeyValueMsg[]
  events?: { time_unix_nano?: unknown; name?: string; attributes?: KeyValueMsg[] }[]
  status?: { code?: number; message?: string } | null
}

function spanJson(s: SpanMsg): string {
  const events = (s.events ?? []).map((e) => {
    const time = longText(e.time_unix_nano ?? 0, true)
    const attrs = e.attributes ?? []
    return `{"name":${JSON.stringify(e.name ?? '')}${time === '0' ? '' : `,"timeUnixNano":${JSON.stringify(time)}`}${
      attrs.length === 0 ? '' : `,"attributes":${attributesJson(attrs)}`
    }}`
  })
  return `{"traceId":${JSON.stringify(hex(s.trace_id))},"spanId":${JSON.stringify(hex(s.span_id))},"parentSpanId":${
    JSON.stringify(hex(s.parent_span_id))
  },"name":${JSON.stringify(s.name ?? '')},"kind":${s.kind ?? 0},"startTimeUnixNano":${
    JSON.stringify(longText(s.start_time_unix_nano ?? 0, true))
  },"endTimeUnixNano":${JSON.stringify(longText(s.end_time_unix_nano ?? 0, true))},"attributes":${
    attributesJson(s.attributes ?? [])
  },"events":[${events.join(',')}],"status":{"code":${s.status?.code ?? 0},"message":${JSON.stringify(s.status?.message ?? '')}}}`
}

interface RequestMsg {
  resource_spans?: {
    resource?: { attributes?: KeyValueMsg[] } | null
    scope_spans?: { spans?: SpanMsg[] }[]
  }[]
}

/** The tap's view of request bytes: one JSON line per span (see the file comment). */
export function otlpTapLines(bytes: Uint8Array): string[] {
  const request = ExportTraceServiceRequest.decode(bytes) as unknown as RequestMsg
  const lines: string[] = []
  for (const rs of request.resource_spans ?? []) {
    const resource = attributesJson(rs.resource?.attributes ?? [])
    for (const ss of rs.scope_spans ?? []) {
      for (const span of ss.spans ?? []) lines.push(`{"resource":${resource},"span":${spanJson(span)}}`)
    }
  }
  return lines
}
