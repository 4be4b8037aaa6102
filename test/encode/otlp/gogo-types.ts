// The OTLP request type whose bytes the span writer (span-writer.ts) reproduces, and the tests check
// it against: the descriptor of src/wire/otlp (opentelemetry-proto v1.9.0) with one change, so that
// protobufjs's Type.encode writes the bytes DeepFlow's pdata v1.0.0 writes.
//
// pdata v1.0.0 marshals with gogo-generated code (pdata/internal/data/protogen/trace/v1/trace.pb.go,
// Span.MarshalToSizedBuffer L991-1125): trace_id, span_id and parent_span_id are non-nullable
// custom types written ALWAYS, as `0a 00` / `12 00` / `22 00` when the id is empty; protobufjs 8
// follows proto3 implicit presence and leaves an empty bytes field out. Every other field already
// agrees: messages (resource, scope, status, KeyValue.value) are written when the object holds
// them, zero scalars and empty strings are left out on both sides, AnyValue's oneof members are
// written even when zero.
//
// The change: a synthetic oneof around each of the three id fields (how proto3 `optional` is
// represented), which gives them explicit presence. The wire format of a oneof member is that of
// the plain field: decoders (src/wire/otlp's types included) read the same message.
import protobuf from 'protobufjs/light.js'
import { OTLP_TRACE_DESCRIPTOR } from '../../../src/wire/otlp/otlp.gen.ts'

interface JsonType {
  fields: Record<string, unknown>
  oneofs?: Record<string, { oneof: string[] }>
}

function withIdPresence(): protobuf.Root {
  const descriptor = structuredClone(OTLP_TRACE_DESCRIPTOR) as unknown as protobuf.INamespace
  // deno-lint-ignore no-explicit-any
  const v1 = (descriptor as any).nested.opentelemetry.nested.proto.nested.trace.nested.v1.nested
  const span = v1.Span as JsonType
  const oneofs: Record<string, { oneof: string[] }> = { ...(span.oneofs ?? {}) }
  for (const id of ['trace_id', 'span_id', 'parent_span_id']) {
    if (!(id in span.fields)) throw new Error(`Span has no field ${id}`)
    oneofs[`_${id}`] = { oneof: [id] }
  }
  span.oneofs = oneofs
  return protobuf.Root.fromJSON(descriptor)
}

const root = withIdPresence()

/** ExportTraceServiceRequest with the ids' presence as pdata writes it. */
export const GogoExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest')
