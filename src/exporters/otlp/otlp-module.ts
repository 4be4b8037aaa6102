// What building an opentelemetry exporter needs, as one module loaded on demand (lazy.ts): the
// span plans (the encoder, protobufjs's Writer) and the sinks (classification, the response types).
export { compileSpanPlans } from './span-plan.ts'
export { createOtlpSinks } from './sender.ts'
