// Benchmark inputs, generated once into .cache/bench/<dataset>/ so every contender reads the same
// bytes: records.ndjson (what the relay is posted), kafka.jsonl (each record's Kafka JSON line, by
// the project's own encoder: what kcat produces), influx.lp (flow_metrics only: each record's
// tags as the relay labels them — translated names, datasource included — and its metric fields,
// for vmagent's /write with -influxSkipMeasurement), universal-tags.json (the dictionary the relay
// is given) and manifest.json (counts; a dataset with a manifest is complete and reused). Datasets
// of an older generator or encoder are removed when a new one is written.
import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dataSource } from '../../src/deepflow/schema.ts'
import { compileSeriesEncoder } from '../../src/encode/to-series.ts'
import { loadPrompb } from '../../src/wire/remote-write/prompb-loader.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { dictionaryFrom, encodeRecords, exporterFromYaml } from '../../test/helpers/encode.ts'
import { type GeneratedDataSource, recordGenerator, topology } from './records.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// compileSeriesEncoder decodes each record's fragment with protobufjs, loaded on demand.
await loadPrompb()

/** Where datasets live; DEEPFLOW_BENCH_CACHE moves them (a worktree whose generator differs would otherwise remove the shared ones). */
export const CACHE = process.env.DEEPFLOW_BENCH_CACHE ?? join(ROOT, '.cache', 'bench')
/** One fixed second for every dataset: the receivers only count, so any past time will do. */
export const BASE_TIME = 1_767_225_600 // 2026-01-01T00:00:00Z

export interface Dataset {
  readonly dir: string
  readonly ds: string
  readonly records: number
  /** Distinct tag sets (flow_metrics) — each is one series per metric field. */
  readonly tagSets: number
  /** Remote-write samples the records become (flow_metrics), 0 otherwise. */
  readonly samples: number
  readonly bytes: { ndjson: number; kafka: number; influx: number }
  readonly files: { ndjson: string; kafka: string; influx: string; dictionary: string }
}

export interface DatasetSpec {
  readonly ds: GeneratedDataSource
  readonly records: number
  readonly tagSets: number
}

const EXPORT_FIELDS = 'export-fields: [$tag, $metrics]'

class LineFile {
  private fd: number
  private buf: string[] = []
  bytes = 0
  constructor(path: string) {
    this.fd = openSync(path, 'w')
  }
  add(line: string) {
    this.buf.push(line)
    if (this.buf.length >= 4096) this.flush()
  }
  flush() {
    if (this.buf.length === 0) return
    const chunk = Buffer.from(this.buf.join('\n') + '\n')
    this.bytes += chunk.byteLength
    writeSync(this.fd, chunk)
    this.buf = []
  }
  close() {
    this.flush()
    closeSync(this.fd)
  }
}

const escapeInflux = (s: string) => s.replace(/[,= \\]/g, (c) => `\\${c}`)

/**
 * Hash of what decides the files' bytes: the generator and the project's encoders and facts. A
 * change in src/ that alters a Kafka line or a label gives a new dataset rather than a stale one.
 */
function codeHash(): string {
  const h = createHash('sha1')
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (/\.(ts|json)$/.test(e.name)) h.update(relative(ROOT, p)).update(readFileSync(p))
    }
  }
  for (
    const d of ['src/deepflow', 'src/encode', 'src/exporters', 'src/export-fields', 'src/wire', 'src/record', 'src/translate', 'src/time']
  ) {
    walk(join(ROOT, d))
  }
  for (const f of ['scripts/bench/records.ts', 'scripts/bench/data.ts']) h.update(readFileSync(join(ROOT, f)))
  return h.digest('hex').slice(0, 8)
}
const CODE_HASH = codeHash()
/** Datasets of other code are kept this long after they were made. */
const SWEEP_AFTER_MS = 3600_000

export function datasetName(spec: DatasetSpec): string {
  return `${spec.ds}-${spec.records}r-${spec.tagSets}t-${CODE_HASH}`
}

export function ensureDataset(spec: DatasetSpec, log: (m: string) => void = () => {}): Dataset {
  const dir = join(CACHE, datasetName(spec))
  const files = {
    ndjson: join(dir, 'records.ndjson'),
    kafka: join(dir, 'kafka.jsonl'),
    influx: join(dir, 'influx.lp'),
    dictionary: join(dir, 'universal-tags.json'),
  }
  const manifest = join(dir, 'manifest.json')
  if (existsSync(manifest)) return { dir, files, ...(JSON.parse(readFileSync(manifest, 'utf8')) as Omit<Dataset, 'dir' | 'files'>) }
  log(`generating ${datasetName(spec)} …`)
  const tmp = `${dir}.tmp`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const pods = Math.max(8, Math.ceil(spec.tagSets / 4))
  const topo = topology(pods)
  writeFileSync(join(tmp, 'universal-tags.json'), JSON.stringify(topo.dictionary))
  const dictionary = dictionaryFrom(topo.dictionary)
  const exporter = exporterFromYaml(`data-sources: [${spec.ds}]\n${EXPORT_FIELDS}`)
  const dsSpec = dataSource(spec.ds)!
  const isMetrics = spec.ds.startsWith('flow_metrics.')
  const normalize = compileNormalizer(dsSpec)
  const toSeries = isMetrics ? compileSeriesEncoder(exporter, dsSpec, { current: dictionary }) : null
  const generate = recordGenerator(spec.ds)
  const out = {
    ndjson: new LineFile(join(tmp, 'records.ndjson')),
    kafka: new LineFile(join(tmp, 'kafka.jsonl')),
    influx: new LineFile(join(tmp, 'influx.lp')),
  }
  let samples = 0
  const CHUNK = 2000
  for (let k0 = 0; k0 < spec.records; k0 += CHUNK) {
    const recs: Record<string, unknown>[] = []
    for (let k = k0; k < Math.min(spec.records, k0 + CHUNK); k++) {
      recs.push(generate(topo, k, spec.tagSets, BASE_TIME))
    }
    const lines = encodeRecords(exporter, spec.ds, recs, { dictionary })
    for (let i = 0; i < recs.length; i++) {
      out.ndjson.add(JSON.stringify(recs[i]))
      out.kafka.add(lines[i]!)
      if (toSeries === null) continue
      const r = normalize(recs[i])
      if (!r.ok) throw new Error(`generated an invalid record: ${r.field} ${r.error}`)
      const { series } = toSeries(r.record)
      samples += series.length
      const labels = series[0]!.labels.slice(1).map((l) => `${escapeInflux(l.name)}=${escapeInflux(l.value)}`).join(',')
      const fields = series.map((s) => `${escapeInflux(s.labels[0]!.value)}=${s.samples[0]!.value}`).join(',')
      out.influx.add(`m,${labels} ${fields} ${series[0]!.samples[0]!.timestamp / 1000}`)
    }
  }
  for (const f of Object.values(out)) f.close()
  const meta = {
    ds: spec.ds,
    records: spec.records,
    tagSets: spec.tagSets,
    samples,
    bytes: { ndjson: out.ndjson.bytes, kafka: out.kafka.bytes, influx: out.influx.bytes },
  }
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(meta, null, 2))
  rmSync(dir, { recursive: true, force: true })
  renameSync(tmp, dir)
  // Older code's datasets go, unless made within the hour (another checkout of the project may share .cache and use them).
  for (const old of readdirSync(CACHE)) {
    const path = join(CACHE, old)
    if (!old.endsWith(`-${CODE_HASH}`) && Date.now() - statSync(path).mtimeMs > SWEEP_AFTER_MS) {
      rmSync(path, { recursive: true, force: true })
    }
  }
  return { dir, files, ...meta }
}

if (import.meta.main) {
  const t0 = performance.now()
  const d = ensureDataset({
    ds: (process.argv[2] ?? 'flow_metrics.network.1s') as DatasetSpec['ds'],
    records: Number(process.argv[3] ?? 1000),
    tagSets: Number(process.argv[4] ?? 500),
  }, console.error)
  console.log(JSON.stringify(d, null, 2), `${(performance.now() - t0).toFixed(0)} ms`)
}
