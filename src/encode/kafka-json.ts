// DeepFlow's Kafka JSON line (interface.go EncodeToJson), compiled once per (exporter, data source):
//   {"datasource":"<ds>",<selected fields in schema order>[,k8s label arrays],"time_str":"<Go Time.String()>"}
// Numbers raw (64-bit integers exact), bools 0/1, ip4 dotted, translated fields as names.
// Fixed on purpose: every string and array element is correctly JSON-escaped (Q10) and IPv6
// fields are emitted (Q6). Also returns a hash of the exported tag values (time excluded), which
// keeps every record of one series in the same queue.
import type { DataSourceSpec, FieldSpec } from '../deepflow/schema.ts'
import type { ExporterConfig } from '../config/types.ts'
import { k8sLabelPredicate, parseExportFields, selectFields } from '../export-fields/export-fields.ts'
import type { DeepFlowRecord } from '../record/normalize.ts'
import { formatGoFloat, type Value } from '../record/values.ts'
import type { DictionaryHolder } from '../translate/dictionary.ts'
import { compileTranslator, type TranslateContext } from '../translate/translators.ts'
import { fnv1a, FNV_OFFSET } from '../util/fnv.ts'

export interface EncodedLine {
  line: string
  /** FNV-1a of the exported tag values except `time`. */
  seriesHash: number
}

export type LineEncoder = (record: DeepFlowRecord, out: EncodedLine) => void

export interface EncoderDeps {
  readonly dictionary: DictionaryHolder
  readonly formatTime: (us: number) => string
}

function jsonValue(v: Value, field: FieldSpec): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number') return field.type === 'f64' ? formatGoFloat(v) : String(v)
  if (typeof v === 'bigint') return v.toString()
  if (field.type === 'f64[]') return `[${(v as readonly number[]).map(formatGoFloat).join(',')}]`
  return JSON.stringify(v)
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
  readonly plainKey: string
  readonly universalKey: string
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
    plainKey: `,${JSON.stringify(field.name)}:`,
    universalKey: `,${JSON.stringify(field.kafkaKeyUniversal ?? field.name)}:`,
    translate: compileTranslator(ds, field, opts),
    isTag: field.kind === 'tag',
    hashed: field.kind === 'tag' && field.name !== 'time',
  }))
  const head = `{"datasource":${JSON.stringify(ds.name)}`
  const emptyTags = exporter.exportEmptyTag
  const emptyMetricsDropped = exporter.exportEmptyMetricsDisabled
  const labelsWanted = k8sLabelPredicate(selection)
  const podSides = ds.isMap ? ['pod_id_0', 'pod_id_1'] : ['pod_id']
  const labelSides = podSides.map((pod, side) => ({
    podIndex: ds.byName.get(pod)?.index,
    namesKey: `,${JSON.stringify(ds.k8sLabelKeys[side * 2])}:`,
    valuesKey: `,${JSON.stringify(ds.k8sLabelKeys[side * 2 + 1])}:`,
  }))
  const ctx: TranslateContext = { dict: deps.dictionary.current, universalKey: false }

  return (record, out) => {
    const values = record.values
    ctx.dict = deps.dictionary.current
    let line = head
    let hash = FNV_OFFSET
    for (let w = 0; w < writers.length; w++) {
      const writer = writers[w]!
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
      const text = jsonValue(v, writer.field)
      const key = ctx.universalKey ? writer.universalKey : writer.plainKey
      line += key + text
      if (writer.hashed) hash = fnv1a(fnv1a(hash, key), text)
    }
    if (labelsWanted !== null) {
      for (const side of labelSides) {
        const pod = side.podIndex === undefined ? undefined : values[side.podIndex]
        if (typeof pod !== 'number' && typeof pod !== 'bigint') continue
        const labels = ctx.dict.k8sLabels(String(pod))?.filter(([name]) => labelsWanted(name))
        if (labels === undefined || labels.length === 0) continue
        line += side.namesKey + JSON.stringify(labels.map(([n]) => n))
        line += side.valuesKey + JSON.stringify(labels.map(([, v]) => v))
      }
    }
    out.line = `${line},"time_str":${JSON.stringify(deps.formatTime(record.timeUs))}}`
    out.seriesHash = hash
  }
}
