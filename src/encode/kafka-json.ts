// DeepFlow's Kafka JSON line (interface.go EncodeToJson), compiled once per (exporter, data source):
//   {"datasource":"<ds>",<selected fields in schema order>[,k8s label arrays],"time_str":"<Go Time.String()>"}
// Numbers raw (64-bit integers exact), bools 0/1, ip4 dotted, translated fields as names.
// Fixed on purpose: every string and array element is correctly JSON-escaped (Q10) and IPv6
// fields are emitted (Q6). Also returns a hash of the exported tag values (time excluded), which
// keeps every record of one series in the same queue.
// The line is written as UTF-8 bytes into a LineWriter (line-writer.ts) and cut from its slab: the
// queue holds the finished bytes, nothing else of the record.
import type { DataSourceSpec, FieldSpec } from '../deepflow/schema.ts'
import type { ExporterConfig } from '../config/types.ts'
import { k8sLabelPredicate, parseExportFields, selectFields } from '../export-fields/export-fields.ts'
import type { DeepFlowRecord } from '../record/normalize.ts'
import { formatGoFloat, type Value } from '../record/values.ts'
import { type DictionaryHolder, dictionaryOfOrg } from '../translate/dictionary.ts'
import { compileTranslator, type TranslateContext } from '../translate/translators.ts'
import { fnv1aBytes, FNV_OFFSET } from '../util/fnv.ts'
import { lineLane, LineWriter, utf8Bytes } from './line-writer.ts'

export interface EncodedLine {
  /** The line's UTF-8 bytes (a view of a slab shared with the lines after it). */
  line: Uint8Array
  /** FNV-1a of the exported tag values except `time`. */
  seriesHash: number
}

export type LineEncoder = (record: DeepFlowRecord, out: EncodedLine) => void

export interface EncoderDeps {
  readonly dictionary: DictionaryHolder
  readonly formatTime: (us: number) => string
}

function writeValue(w: LineWriter, v: Value, field: FieldSpec): void {
  if (typeof v === 'string') w.jsonString(v)
  else if (typeof v === 'number') {
    if (field.type === 'f64') w.ascii(formatGoFloat(v))
    else w.number(v)
  } else if (typeof v === 'bigint') w.ascii(v.toString())
  else if (field.type === 'f64[]') w.ascii(`[${(v as readonly number[]).map(formatGoFloat).join(',')}]`)
  else w.utf8(JSON.stringify(v))
}

function isEmpty(v: Value): boolean {
  return v === '' || (Array.isArray(v) && v.length === 0)
}

function isEmptyMetric(v: Value, field: FieldSpec): boolean {
  // Q16, kept: an empty []string metric (metrics_names) is not suppressed.
  return v === '' || v === 0 || v === 0n || (field.type === 'f64[]' && (v as readonly number[]).length === 0)
}

interface FieldWriter {
  readonly field: FieldSpec
  readonly plainKey: Uint8Array
  readonly universalKey: Uint8Array
  readonly translate: ((values: readonly (Value | undefined)[], ctx: TranslateContext) => Value | undefined) | null
  readonly isTag: boolean
  readonly hashed: boolean
}

export function compileLineEncoder(exporter: ExporterConfig, ds: DataSourceSpec, deps: EncoderDeps): LineEncoder {
  const { selection } = parseExportFields(exporter.exportFields)
  const selected = selectFields(ds, selection)
  const opts = { enumNames: !exporter.enumTranslateToNameDisabled, universalNames: !exporter.universalTagTranslateToNameDisabled }
  const writers: FieldWriter[] = ds.fields.filter((f) => selected[f.index]).map((field) => ({
    field,
    plainKey: utf8Bytes(`,${JSON.stringify(field.name)}:`),
    universalKey: utf8Bytes(`,${JSON.stringify(field.kafkaKeyUniversal ?? field.name)}:`),
    translate: compileTranslator(ds, field, opts),
    isTag: field.kind === 'tag',
    hashed: field.kind === 'tag' && field.name !== 'time',
  }))
  const head = utf8Bytes(`{"datasource":${JSON.stringify(ds.name)}`)
  const timeKey = utf8Bytes(',"time_str":')
  const emptyTags = exporter.exportEmptyTag
  const emptyMetricsDropped = exporter.exportEmptyMetricsDisabled
  const labelsWanted = k8sLabelPredicate(selection)
  const podSides = ds.isMap ? ['pod_id_0', 'pod_id_1'] : ['pod_id']
  const labelSides = podSides.map((pod, side) => ({
    podIndex: ds.byName.get(pod)?.index,
    namesKey: utf8Bytes(`,${JSON.stringify(ds.k8sLabelKeys[side * 2])}:`),
    valuesKey: utf8Bytes(`,${JSON.stringify(ds.k8sLabelKeys[side * 2 + 1])}:`),
  }))
  const ctx: TranslateContext = { dict: deps.dictionary.current, universalKey: false }
  const orgIndex = ds.byName.get('org_id')?.index ?? -1
  const w = new LineWriter()
  // A lane of slabs per queue: the record's queue is its hash modulo queue-count (pipeline/exporter.ts).
  const lanes = Array.from({ length: Math.max(1, exporter.queueCount) }, lineLane)

  return (record, out) => {
    const values = record.values
    ctx.dict = dictionaryOfOrg(deps.dictionary, orgIndex < 0 ? undefined : values[orgIndex])
    w.reset()
    w.bytes(head)
    let hash = FNV_OFFSET
    for (let i = 0; i < writers.length; i++) {
      const writer = writers[i]!
      const rawValue = values[writer.field.index]
      if (rawValue === undefined) continue
      ctx.universalKey = false
      const v = writer.translate === null ? rawValue : writer.translate(values, ctx)
      if (v === undefined) continue
      if (writer.isTag) {
        if (!emptyTags && isEmpty(v)) continue
      } else if (emptyMetricsDropped && isEmptyMetric(v, writer.field)) {
        continue
      }
      const from = w.length
      w.bytes(ctx.universalKey ? writer.universalKey : writer.plainKey)
      writeValue(w, v, writer.field)
      if (writer.hashed) hash = fnv1aBytes(hash, w.buf, from, w.length)
    }
    if (labelsWanted !== null) {
      for (const side of labelSides) {
        const pod = side.podIndex === undefined ? undefined : values[side.podIndex]
        if (typeof pod !== 'number' && typeof pod !== 'bigint') continue
        const labels = ctx.dict.k8sLabels(String(pod))
        if (labels === undefined) continue
        const names: string[] = []
        const labelValues: string[] = []
        for (let l = 0; l < labels.length; l += 2) {
          if (!labelsWanted(labels[l]!)) continue
          names.push(labels[l]!)
          labelValues.push(labels[l + 1]!)
        }
        if (names.length === 0) continue
        w.bytes(side.namesKey)
        w.utf8(JSON.stringify(names))
        w.bytes(side.valuesKey)
        w.utf8(JSON.stringify(labelValues))
      }
    }
    w.bytes(timeKey)
    w.jsonString(deps.formatTime(record.timeUs))
    w.byte(125) // }
    out.line = w.finish(lanes[hash % lanes.length])
    out.seriesHash = hash
  }
}
