// The OTLP trace protobuf types (opentelemetry-proto v1.9.0, proto/opentelemetry → otlp.gen.ts),
// loaded from the generated descriptor with protobufjs/light.
import protobuf from 'protobufjs/light.js'
import { OTLP_TRACE_DESCRIPTOR } from './otlp.gen.ts'

const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR as unknown as protobuf.INamespace)

export const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest')
export const ExportTraceServiceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse')
export const ResourceSpans = root.lookupType('opentelemetry.proto.trace.v1.ResourceSpans')
export const Span = root.lookupType('opentelemetry.proto.trace.v1.Span')

/** The gRPC method of the trace service. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export'
