// The record plan of an opentelemetry exporter: per data source (flow_log.l7_flow_log only; the
// config checker subscribes nothing else) its filter and span encoder. A queue item is the record's
// span already encoded as the bytes of an ExportTraceServiceRequest (span-item.ts), so a batch's
// body is their concatenation. batch-size counts records (= spans), as in DeepFlow.
//
// Queues: DeepFlow puts records in its queues round-robin; spans have no series whose order must
// hold, so the plan spreads them the same way. The tap shows one JSON line per span (span-tap.ts).
import type { ExporterConfig } from '../../config/types.ts'
import { dataSource } from '../../deepflow/schema.ts'
import { compileOtlpSpanEncoder } from '../../encode/otlp/to-otlp-span.ts'
import { otlpTapLines } from '../../encode/otlp/span-tap.ts'
import { compileFilter } from '../../filter/compile-filter.ts'
import type { RecordPlan } from '../../pipeline/exporter.ts'
import type { DictionaryHolder } from '../../translate/dictionary.ts'
import type { SpanItem } from './span-item.ts'

export function spanTapLines(item: SpanItem): readonly string[] {
  return otlpTapLines(item.payload)
}

export function compileSpanPlans(exporter: ExporterConfig, dictionary: DictionaryHolder): Map<string, RecordPlan<SpanItem>> {
  const plans = new Map<string, RecordPlan<SpanItem>>()
  let next = 0
  for (const name of exporter.dataSources) {
    const ds = dataSource(name)
    if (ds === undefined || plans.has(name)) continue
    const encode = compileOtlpSpanEncoder(exporter, ds, dictionary, { deepflowQuirks: exporter.deepflowQuirks })
    plans.set(name, {
      filter: compileFilter(exporter, ds),
      encode(record) {
        const payload = encode(record)
        next = (next + 1) >>> 0
        return { item: { payload, bytes: payload.byteLength, units: 1 }, seriesHash: next }
      },
      tapLines: spanTapLines,
    })
  }
  return plans
}
