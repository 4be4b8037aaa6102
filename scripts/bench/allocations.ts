// Bytes ALLOCATED per record, stage by stage (stages.ts reports bytes held; JavaScriptCore has no
// allocation counter, V8 has one in effect): run under Deno with a young generation large enough
// that nothing is collected while a stage runs, the heap's growth over a stage is what it allocated
// (objects and strings: heapUsed; buffers' bytes: external). Add --trace-gc to the V8 flags to see
// that no collection falls between a stage's "from here" and "to here" (stderr).
//
//   deno run -A --v8-flags=--expose-gc,--min-semi-space-size=128,--max-semi-space-size=128 \
//     scripts/bench/allocations.ts [--records 2000] [--src path/to/src]
//
// --src: the source tree to measure (default: this checkout's src/), e.g. a worktree of an older
// commit, so that before and after are measured by the same script. Its modules must export what
// stages.ts uses: parseBody, compileNormalizer, compileSeriesPlans, compileJsonPlans, snappyBlockOf.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { ensureDataset } from './data.ts'

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '2000' },
    src: { type: 'string', default: resolve(import.meta.dirname ?? '.', '../../src') },
    'per-request': { type: 'string', default: '100' },
  },
})
const gc = (globalThis as { gc?: () => void }).gc
const memoryUsage = (globalThis as { Deno?: { memoryUsage(): { heapUsed: number; external: number } } }).Deno?.memoryUsage
if (gc === undefined || memoryUsage === undefined) {
  console.error('run under Deno with --v8-flags=--expose-gc,--min-semi-space-size=128,--max-semi-space-size=128 (see the header)')
  process.exit(2)
}
const src = resolve(values.src!)
// deno-lint-ignore no-explicit-any
const load = (path: string): Promise<any> => import(pathToFileURL(`${src}/${path}`).href)
const [
  { parseConfig },
  { DEFAULTS },
  { dataSource },
  { createTimeFormatter },
  { compileJsonPlans },
  prompbLoader,
  rw,
  fragment,
  normalizeMod,
  parseMod,
  dictMod,
] = await Promise.all([
  load('config-file/load.ts'),
  load('config/defaults.ts'),
  load('deepflow/schema.ts'),
  load('encode/time-str.ts'),
  load('exporters/json-plan.ts'),
  load('wire/remote-write/prompb-loader.ts'),
  load('exporters/remote-write/rw-plan.ts'),
  load('wire/remote-write/series-fragment.ts'),
  load('record/normalize.ts'),
  load('record/parse-body.ts'),
  load('translate/dictionary.ts'),
])

const n = Number(values.records)
const perRequest = Number(values['per-request'])
const data = ensureDataset({ ds: 'flow_metrics.network.1s', records: 50_000, tagSets: 5_000 }, (m) => console.error(m))
const all = readFileSync(data.files.ndjson, 'utf8').split('\n').filter((l) => l !== '')
const dict = dictMod.parseDictionary(readFileSync(data.files.dictionary, 'utf8'))
if (!dict.ok) throw new Error(dict.error)
const dictionary = { current: dict.dictionary }
const ds = dataSource(data.ds)
const config = parseConfig(
  `exporters:
  - {protocol: prometheus, enabled: true, endpoints: ['http://127.0.0.1:1/'], data-sources: [${ds.name}], export-fields: [$tag, $metrics]}
  - {protocol: kafka, enabled: true, endpoints: ['127.0.0.1:1'], data-sources: [${ds.name}], export-fields: [$tag, $metrics]}
`,
  'allocations.yaml',
)
await prompbLoader.loadPrompb()
const series = rw.compileSeriesPlans(config.exporters[0], dictionary, () => {}).get(ds.name)
const json = compileJsonPlans(config.exporters[1], { dictionary, formatTime: createTimeFormatter('UTC') }).get(ds.name)
const normalize = normalizeMod.compileNormalizer(ds)
const limits = { ...DEFAULTS.relay.limits, maxRecordsPerRequest: perRequest }

interface Stages {
  bodies: Uint8Array[]
  texts: string[]
  candidates: unknown[][]
  records: unknown[]
  seriesItems: { payload: unknown; units: number }[]
  jsonItems: unknown[]
}

/** Runs every stage over `lines`, each stage's output kept, measuring the heap across each. */
function run(lines: string[], measure: boolean) {
  const s: Stages = { bodies: [], texts: [], candidates: [], records: [], seriesItems: [], jsonItems: [] }
  const encoder = new TextEncoder()
  for (let i = 0; i < lines.length; i += perRequest) s.bodies.push(encoder.encode(lines.slice(i, i + perRequest).join('\n')))
  const out: Record<string, number> = {}
  const stage = (name: string, fn: () => void) => {
    gc!()
    gc!()
    if (measure) console.error(`stage ${name}: from here`)
    const before = memoryUsage!()
    fn()
    const after = memoryUsage!()
    if (measure) console.error(`stage ${name}: to here`)
    if (measure) out[name] = Math.round((after.heapUsed - before.heapUsed + after.external - before.external) / lines.length)
  }
  const decoder = new TextDecoder()
  stage('body → text', () => {
    for (const b of s.bodies) s.texts.push(decoder.decode(b))
  })
  stage('parse', () => {
    for (const t of s.texts) {
      const parsed = parseMod.parseBody(t, limits)
      if (!parsed.ok) throw new Error(parsed.error)
      s.candidates.push(parsed.candidates)
    }
  })
  stage('normalize', () => {
    for (const cs of s.candidates) {
      for (const c of cs as { value: unknown }[]) {
        const r = normalize(c.value)
        if (!r.ok) throw new Error(r.error)
        s.records.push(r.record)
      }
    }
  })
  stage('remote-write item', () => {
    for (const r of s.records) s.seriesItems.push(series.encode(r).item)
  })
  stage('Kafka item', () => {
    for (const r of s.records) s.jsonItems.push(json.encode(r).item)
  })
  // A batch body of 1024 series, as a queue's sender makes them one after another (into the last
  // delivered body's buffer where the sender reuses it: snappyBlockOf's second argument).
  stage('remote-write batch body', () => {
    let spare: Uint8Array | undefined
    for (let i = 0, units = 0, from = 0; i <= s.seriesItems.length; i++) {
      if (i === s.seriesItems.length || units + s.seriesItems[i]!.units > 1024) {
        const body: Uint8Array = fragment.snappyBlockOf(s.seriesItems.slice(from, i).map((x) => x.payload), spare)
        spare = new Uint8Array(body.buffer)
        from = i
        units = 0
      }
      if (i < s.seriesItems.length) units += s.seriesItems[i]!.units
    }
  })
  return { out, kept: s }
}

// Warm up on other records (the JIT's own allocations are not the stages'), then measure.
run(all.slice(n, 2 * n), false)
const { out, kept } = run(all.slice(0, n), true)
console.log(`bytes allocated per record (${n} network.1s records, ${perRequest} per request; ${src}):`)
for (const [name, bytes] of Object.entries(out)) console.log(`  ${name}: ${bytes} B`)
console.log(`  total: ${Object.values(out).reduce((a, b) => a + b, 0)} B`)
if (kept.jsonItems.length === -1) console.log('')
