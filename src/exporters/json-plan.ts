// The record plan shared by the stdout and Kafka exporters: per data source, the exporter's filter
// and its Kafka JSON line encoder; a queue item is the finished line, as UTF-8 bytes. The tap shows
// that line itself (the exact Kafka message value / stdout line).
import type { ExporterConfig } from '../config/types.ts'
import { dataSource } from '../deepflow/schema.ts'
import { compileLineEncoder, type EncodedLine, type EncoderDeps } from '../encode/kafka-json.ts'
import { compileFilter } from '../filter/compile-filter.ts'
import type { RecordPlan } from '../pipeline/exporter.ts'

export interface JsonItem {
  readonly dataSource: string
  /** The line's UTF-8 bytes, without the newline. */
  readonly line: Uint8Array
  /** The record's end time (Kafka message timestamp), ms. */
  readonly timestampMs: number
  /** The line's length in bytes: the unit of queue-max-bytes accounting. */
  readonly bytes: number
  readonly units: 1
}

/** The tap's view of a JSON item: its line, as sent. */
export function jsonTapLines(item: JsonItem): readonly string[] {
  return [decoder.decode(item.line)]
}

const decoder = new TextDecoder()

export function compileJsonPlans(exporter: ExporterConfig, deps: EncoderDeps): Map<string, RecordPlan<JsonItem>> {
  const plans = new Map<string, RecordPlan<JsonItem>>()
  for (const name of exporter.dataSources) {
    const ds = dataSource(name)
    if (ds === undefined || plans.has(name)) continue
    const encodeLine = compileLineEncoder(exporter, ds, deps)
    const out: EncodedLine = { line: new Uint8Array(0), seriesHash: 0 }
    plans.set(name, {
      filter: compileFilter(exporter, ds),
      encode(record) {
        encodeLine(record, out)
        return {
          item: { dataSource: name, line: out.line, timestampMs: Math.floor(record.timeUs / 1000), bytes: out.line.length, units: 1 },
          seriesHash: out.seriesHash,
        }
      },
      tapLines: jsonTapLines,
    })
  }
  return plans
}
