// One record's span written straight as ExportTraceServiceRequest bytes with protobufjs's Writer,
// from the encoder's attribute lists: no message objects per attribute or span, and one writer per
// compiled encoder whose buffer keeps the size the largest span needed. The bytes are those
// protobufjs's Type.encode writes for the same message with the ids' presence as pdata v1.0.0 has
// it (test/encode/otlp/gogo-types.ts; the golden tests pin them, and test/encode/otlp/request.test.ts compares the
// two on every golden record): fields in number order; the three span ids always; other scalars,
// strings and bytes only when not zero or empty; messages whenever present (the resource, the empty
// scope, each KeyValue's value, the status); an AnyValue's member even when zero.
// Field numbers: opentelemetry-proto v1.9.0 (proto/opentelemetry).
import protobuf from 'protobufjs/light.js'
import { SLAB_BYTES, Slabs } from '../../util/slabs.ts'
import type { Int64 } from './record-values.ts'

/**
 * Where a span's exact bytes are kept while queued: cut from shared slabs (util/slabs.ts), as the
 * remote-write fragments are, instead of a buffer each (Buffer.allocUnsafe per span was 8 % of the
 * relay's CPU on the OTLP path); slabs whose spans were all sent are cut again (releaseSpanBytes).
 */
const slabs = new Slabs(SLAB_BYTES, 16)

/** Gives a queued span's bytes back for reuse: once, when nothing will read them any more (the batch left its worker). */
export function releaseSpanBytes(payload: Uint8Array): void {
  slabs.release(payload)
}

/** AnyValue's members, by their field number. */
export const STRING = 1
export const BOOL = 2
export const INT = 3
export const DOUBLE = 4
export type AnyKind = typeof STRING | typeof BOOL | typeof INT | typeof DOUBLE

/**
 * Attributes in pdata's order: insertion order; a second put of a key updates its value in place
 * (Map.Put*). Reused record after record (clear()).
 */
export class AttrList {
  private readonly index = new Map<string, number>()
  readonly keys: string[] = []
  readonly kinds: AnyKind[] = []
  readonly values: (string | boolean | Int64 | number)[] = []
  length = 0

  clear(): void {
    this.index.clear()
    this.length = 0
  }

  put(key: string, kind: AnyKind, value: string | boolean | Int64 | number): void {
    const at = this.index.get(key)
    if (at !== undefined) {
      this.kinds[at] = kind
      this.values[at] = value
      return
    }
    const i = this.length++
    this.index.set(key, i)
    this.keys[i] = key
    this.kinds[i] = kind
    this.values[i] = value
  }
}

export interface SpanFields {
  readonly traceId: Uint8Array
  readonly spanId: Uint8Array
  readonly parentSpanId: Uint8Array
  readonly name: string
  readonly kind: number
  readonly startTime: Int64
  readonly endTime: Int64
  /** Names of the span's events (DeepFlow writes at most one: the exception). */
  readonly events: readonly string[]
  readonly statusCode: number
}

/** protobufjs takes {low, high} where its types say Long (LongBits.from reads low and high alone). */
type LongArg = Parameters<protobuf.Writer['int64']>[0]
const long = (x: Int64): LongArg => x as LongArg

const isZero = (x: Int64): boolean => (typeof x === 'number' ? x === 0 : x.low === 0 && x.high === 0)

/** Repeated KeyValue `field` (wire type 2) of `list`. */
function writeKeyValues(w: protobuf.Writer, field: number, list: AttrList): void {
  const tag = (field << 3) | 2
  for (let i = 0; i < list.length; i++) {
    w.uint32(tag).fork()
    const key = list.keys[i]!
    if (key !== '') w.uint32(10).string(key) // KeyValue.key (1)
    w.uint32(18).fork() // KeyValue.value (2): AnyValue
    const value = list.values[i]!
    switch (list.kinds[i]) {
      case STRING:
        w.uint32(10).string(value as string)
        break
      case BOOL:
        w.uint32(16).bool(value as boolean)
        break
      case INT:
        w.uint32(24).int64(long(value as Int64))
        break
      case DOUBLE:
        w.uint32(33).double(value as number)
        break
    }
    w.ldelim()
    w.ldelim()
  }
}

/** The ExportTraceServiceRequest of one ResourceSpans → one ScopeSpans (empty scope) → one span. */
export function writeSpanRequest(w: protobuf.Writer, resource: AttrList, span: SpanFields, attributes: AttrList): Uint8Array {
  w.reset()
  try {
    w.uint32(10).fork() // ExportTraceServiceRequest.resource_spans (1)
    w.uint32(10).fork() // ResourceSpans.resource (1)
    writeKeyValues(w, 1, resource) // Resource.attributes (1)
    w.ldelim()
    w.uint32(18).fork() // ResourceSpans.scope_spans (2)
    w.uint32(10).fork().ldelim() // ScopeSpans.scope (1): empty
    w.uint32(18).fork() // ScopeSpans.spans (2)
    w.uint32(10).bytes(span.traceId) // Span.trace_id (1), always (pdata)
    w.uint32(18).bytes(span.spanId) // span_id (2), always
    w.uint32(34).bytes(span.parentSpanId) // parent_span_id (4), always
    if (span.name !== '') w.uint32(42).string(span.name) // name (5)
    if (span.kind !== 0) w.uint32(48).int32(span.kind) // kind (6)
    if (!isZero(span.startTime)) w.uint32(57).fixed64(long(span.startTime)) // start_time_unix_nano (7)
    if (!isZero(span.endTime)) w.uint32(65).fixed64(long(span.endTime)) // end_time_unix_nano (8)
    writeKeyValues(w, 9, attributes) // attributes (9)
    for (const name of span.events) {
      w.uint32(90).fork() // events (11)
      if (name !== '') w.uint32(18).string(name) // Event.name (2)
      w.ldelim()
    }
    w.uint32(122).fork() // status (15)
    if (span.statusCode !== 0) w.uint32(24).int32(span.statusCode) // Status.code (3)
    w.ldelim()
    w.ldelim() // the span
    w.ldelim() // the ScopeSpans
    w.ldelim() // the ResourceSpans
    return slabs.cut(w.finish(true))
  } catch (err) {
    // A half-written message leaves fork states behind: the next one starts from nothing.
    ;(w as unknown as { states: number[] | null }).states = null
    w.reset()
    throw err
  }
}

/** A writer for writeSpanRequest, one per compiled encoder. */
export const createWriter = (): protobuf.Writer => protobuf.Writer.create()
