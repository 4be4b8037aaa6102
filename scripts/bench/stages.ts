// The relay's per-record stages, timed in one process on the benchmark's own records (a profiling
// aid, not a comparison): parse an NDJSON body, normalize, then encode for each exporter kind —
// a remote-write snappy fragment plus the block of a 1024-series batch, and a Kafka JSON line plus
// its UTF-8 bytes. Prints µs per record for each stage, every round (the first rounds warm the JIT).
// Then the memory each stage's output holds per record when a whole request is handled stage after
// stage (the body, its text, the parsed values, the records and the encoded items alive together, as
// ingest did before issue 14), and when each record is staged as it is parsed (as ingest does now:
// the text and the items): after a full collection, the heap's growth while the output is held.
// Usage: bun scripts/bench/stages.ts [--records 5000] [--rounds 4] [--per-request 100]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { parseConfig } from '../../src/config-file/load.ts'
import { DEFAULTS } from '../../src/config/defaults.ts'
import { dataSource } from '../../src/deepflow/schema.ts'
import { createTimeFormatter } from '../../src/encode/time-str.ts'
import { compileJsonPlans } from '../../src/exporters/json-plan.ts'
import { loadPrompb } from '../../src/wire/remote-write/prompb-loader.ts'
import { compileSeriesPlans, type SeriesItem } from '../../src/exporters/remote-write/rw-plan.ts'
import { snappyBlockOf } from '../../src/wire/remote-write/series-fragment.ts'
import { compileNormalizer, type DeepFlowRecord } from '../../src/record/normalize.ts'
import { parseBody } from '../../src/record/parse-body.ts'
import { scanJsonRecords } from '../../src/ingest/json-records.ts'
import { parseDictionary } from '../../src/translate/dictionary.ts'
import { ensureDataset } from './data.ts'

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '4' },
    'per-request': { type: 'string', default: '100' },
  },
})
const records = Number(values.records)
const perRequest = Number(values['per-request'])
// The remote-write comparison's dataset (generated once, shared with npm run bench); its first records.
const data = ensureDataset({ ds: 'flow_metrics.network.1s', records: 50_000, tagSets: 5_000 }, (m) => console.error(m))
const lines = readFileSync(data.files.ndjson, 'utf8').split('\n').filter((l) => l !== '').slice(0, records)
const dict = parseDictionary(readFileSync(data.files.dictionary, 'utf8'))
if (!dict.ok) throw new Error(dict.error)
const dictionary = { current: dict.dictionary }
const ds = dataSource(data.ds)!
const config = parseConfig(
  `exporters:
  - {protocol: prometheus, enabled: true, endpoints: ['http://127.0.0.1:1/'], data-sources: [${ds.name}], export-fields: [$tag, $metrics]}
  - {protocol: kafka, enabled: true, endpoints: ['127.0.0.1:1'], data-sources: [${ds.name}], export-fields: [$tag, $metrics]}
`,
  'stages.yaml',
)
await loadPrompb()
const series = compileSeriesPlans(config.exporters[0]!, dictionary, () => {}).get(ds.name)!
const json = compileJsonPlans(config.exporters[1]!, { dictionary, formatTime: createTimeFormatter('UTC') }).get(ds.name)!
const normalize = compileNormalizer(ds)
const bodies: string[] = []
for (let i = 0; i < lines.length; i += perRequest) bodies.push(lines.slice(i, i + perRequest).join('\n'))
const encoder = new TextEncoder()

const us = (ms: number) => ((ms * 1000) / lines.length).toFixed(1)
for (let round = 1; round <= Number(values.rounds); round++) {
  const t = { parse: 0, normalize: 0, series: 0, block: 0, line: 0, utf8: 0 }
  const normalized: DeepFlowRecord[] = []
  for (const body of bodies) {
    let t0 = performance.now()
    const parsed = parseBody(body, DEFAULTS.relay.limits)
    t.parse += performance.now() - t0
    if (!parsed.ok) throw new Error(parsed.error)
    t0 = performance.now()
    for (const c of parsed.candidates) {
      const r = normalize(c.value)
      if (!r.ok) throw new Error(r.error)
      normalized.push(r.record)
    }
    t.normalize += performance.now() - t0
  }
  let t0 = performance.now()
  const items: SeriesItem[] = normalized.map((r) => series.encode(r).item)
  t.series = performance.now() - t0
  t0 = performance.now()
  let wire = 0
  for (let i = 0, units = 0, from = 0; i <= items.length; i++) {
    if (i === items.length || units + items[i]!.units > 1024) {
      wire += snappyBlockOf(items.slice(from, i).map((x) => x.payload)).length
      from = i
      units = 0
    }
    if (i < items.length) units += items[i]!.units
  }
  t.block = performance.now() - t0
  t0 = performance.now()
  const kafkaLines = normalized.map((r) => json.encode(r).item.line)
  t.line = performance.now() - t0
  t0 = performance.now()
  let bytes = 0
  for (const l of kafkaLines) bytes += l.length
  t.utf8 = performance.now() - t0
  console.log(
    `round ${round}: µs/record: parse ${us(t.parse)}, normalize ${us(t.normalize)} | remote write: series fragment ${
      us(t.series)
    }, batch block ${us(t.block)} (${Math.round(wire / lines.length)} B/record on the wire) | Kafka: JSON line ${us(t.line)}, UTF-8 ${
      us(t.utf8)
    } (${Math.round(bytes / lines.length)} B/line)`,
  )
}

const { heapStats } = await import('bun:jsc')
/** Bytes the heap holds after a full collection: JSC's heap size, which counts its extra (string, buffer) memory too. */
function heapAfterGc(): number {
  Bun.gc(true)
  Bun.gc(true)
  return heapStats().heapSize
}

{
  const body = lines.join('\n')
  const n = lines.length
  const perRecord = (b: number) => `${Math.round(b / n)} B`
  const base = heapAfterGc()
  const bytes = encoder.encode(body)
  const afterBytes = heapAfterGc()
  const text = new TextDecoder().decode(bytes)
  const afterText = heapAfterGc()
  const parsed = parseBody(text, { ...DEFAULTS.relay.limits, maxRecordsPerRequest: n })
  if (!parsed.ok) throw new Error(parsed.error)
  const afterParse = heapAfterGc()
  const recs = parsed.candidates.map((c) => {
    const r = normalize(c.value)
    if (!r.ok) throw new Error(r.error)
    return r.record
  })
  const afterNormalize = heapAfterGc()
  const seriesItems = recs.map((r) => series.encode(r).item)
  const afterSeries = heapAfterGc()
  const jsonItems = recs.map((r) => json.encode(r).item)
  const afterJson = heapAfterGc()
  console.log(
    `memory held per record, ${n} records in one request: body bytes ${perRecord(afterBytes - base)}, text ${
      perRecord(afterText - afterBytes)
    }, ` +
      `parsed values ${perRecord(afterParse - afterText)}, records ${perRecord(afterNormalize - afterParse)}, ` +
      `remote-write items ${perRecord(afterSeries - afterNormalize)}, Kafka items ${perRecord(afterJson - afterSeries)}; ` +
      `all at once ${perRecord(afterJson - base)} (${
        (afterJson - base) / Math.max(1, bytes.length) < 100 ? ((afterJson - base) / bytes.length).toFixed(1) : '?'
      }× the body)`,
  )
  // keep every stage alive until the last measure
  if (recs.length + seriesItems.length + jsonItems.length + text.length + bytes.length === 0) console.log('')
}

// As POST /v1/records handles a body now: each record is staged for both exporters as its line is
// parsed and let go (src/ingest/json-records.ts), so at the end only the text and the items are held.
{
  const n = lines.length
  const perRecord = (b: number) => `${Math.round(b / n)} B`
  const base = heapAfterGc()
  const text = lines.join('\n')
  const afterText = heapAfterGc()
  const seriesItems: unknown[] = []
  const jsonItems: unknown[] = []
  const scanned = scanJsonRecords(text, { ...DEFAULTS.relay.limits, maxRecordsPerRequest: n }, normalize, (r) => {
    seriesItems.push(series.encode(r).item)
    jsonItems.push(json.encode(r).item)
  })
  if (!scanned.ok) throw new Error(scanned.error)
  const afterStaging = heapAfterGc()
  console.log(
    `staged as parsed (as ingest does now), ${n} records: text ${perRecord(afterText - base)}, both exporters' items ${
      perRecord(afterStaging - afterText)
    }; held at the end ${perRecord(afterStaging - base)} (${((afterStaging - base) / Math.max(1, text.length)).toFixed(1)}× the text)`,
  )
  if (seriesItems.length + jsonItems.length + text.length === 0) console.log('')
}
