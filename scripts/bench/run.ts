// Benchmarks against the peers a user would pick instead (`npm run bench`, `npm run bench:smoke`):
//   remote write: the relay's prometheus exporter vs vmagent, both forwarding to one counting receiver,
//                 on network.1s, network_map.1s and application_map.1s at 100 and 1000 records per
//                 request; then both (the relay also at batch-size 10000) into a real VictoriaMetrics
//                 at a fixed pace, for samples per CPU-second;
//   Kafka:        the relay's kafka exporter vs kcat -P and sarama-producer (DeepFlow's client and
//                 settings) with the identical JSON lines, to one broker, on flow_metrics.network.1s
//                 and on flow_log.l7_flow_log;
//   curves:       the relay alone by records per request, number of exporters, record size.
// Contenders run on core 0; the load generator, receiver, broker and this runner on core 1.
// Inputs are generated once into .cache/bench/. The full run writes BENCHMARKS.md; --smoke runs
// tiny inputs, one round and one point per curve, checks that every contender of each path
// delivered the same samples/messages, and never judges the numbers.
// Usage: bun scripts/bench/run.ts [--smoke] [--rounds 3] [--only rw,kafka,otlp,durable,curves (vm: only the VictoriaMetrics leg)]
//        [--out FILE | --no-write] [--rw-records N] [--network-map-records N] [--application-map-records N]
//        [--rw-per-request 100,1000] [--rw-data-sources network.1s,network_map.1s,application_map.1s] [--vm-rate RECORDS_PER_S] [--vm-records N] [--vm-tag-sets N]
//        [--kafka-records N] [--kafka-l7-records N] [--l7-records N] [--tag-sets N] [--per-request 100] [--concurrency 1]
//        [--curve-seconds 6] [--curve-rounds 3] [--curve-concurrency 4] [--check]
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { KAFKA_VERSION, type KafkaBroker, startKafka } from '../services/kafka.ts'
import { KCAT_BIN, VMAGENT_BIN } from './contenders.ts'
import { type CurvePoint, curvePoint, pointKey } from './curves.ts'
import { CACHE, type Dataset, ensureDataset } from './data.ts'
import { kafkaWorkload } from './kafka-path.ts'
import { type Measurement, rate } from './measure.ts'
import { CORES, loadAverage, now, pinSelf, systemBusy } from './proc.ts'
import { renderReport, type Results } from './render.ts'
import { ensureSaramaProducer, requireSarama } from './sarama.ts'
import { type Receiver, remoteWriteCases, RW_WORKLOADS, type RwWorkload, startReceiver } from './rw-path.ts'
import { VM_CASE, vmLeg, vmPace } from './vm-leg.ts'
import { type OtlpReceiver, otlpRounds, startOtlpReceiver } from './otlp-path.ts'
import { durableLegs } from './durable.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string', default: 'rw,kafka,otlp,durable,curves' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    'rw-records': { type: 'string' },
    'network-map-records': { type: 'string' },
    'application-map-records': { type: 'string' },
    'rw-per-request': { type: 'string', default: '100,1000' },
    'rw-data-sources': { type: 'string' },
    'vm-rate': { type: 'string' },
    'vm-records': { type: 'string' },
    'vm-tag-sets': { type: 'string' },
    'kafka-records': { type: 'string' },
    'kafka-l7-records': { type: 'string' },
    'l7-records': { type: 'string' },
    'tag-sets': { type: 'string' },
    'per-request': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1' },
    'curve-seconds': { type: 'string' },
    'curve-concurrency': { type: 'string', default: '4' },
    'curve-rounds': { type: 'string' },
  },
})
const smoke = values.smoke!
const num = (v: string | undefined, full: number, small: number) => (v !== undefined ? Number(v) : smoke ? small : full)
const cfg = {
  rounds: num(values.rounds, 3, 1),
  rwRecords: num(values['rw-records'], 50_000, 200),
  networkMapRecords: num(values['network-map-records'], 40_000, 200),
  applicationMapRecords: num(values['application-map-records'], 200_000, 200),
  rwPerRequest: values['rw-per-request']!.split(',').map(Number),
  rwDataSources: values['rw-data-sources'] === undefined
    ? RW_WORKLOADS
    : values['rw-data-sources'].split(',').map((ds) => RW_WORKLOADS.find((w) => w === ds || w.endsWith(`.${ds}`)) ?? ds),
  vmRate: values['vm-rate'] === undefined ? undefined : Number(values['vm-rate']),
  vmRecords: num(values['vm-records'], 15_000, 200),
  vmTagSets: num(values['vm-tag-sets'], 500, 50),
  kafkaRecords: num(values['kafka-records'], 200_000, 200),
  // flow_log lines are ~1.5x the size of network.1s's: kcat (65-100k lines/s) still runs ≥ 2 s.
  kafkaL7Records: num(values['kafka-l7-records'], 200_000, 200),
  l7Records: num(values['l7-records'], 20_000, 200),
  tagSets: num(values['tag-sets'], 5_000, 200),
  perRequest: Number(values['per-request']),
  concurrency: Number(values.concurrency),
  curveConcurrency: Number(values['curve-concurrency']),
  curveSeconds: num(values['curve-seconds'], 6, 1),
  curveRounds: num(values['curve-rounds'], 3, 1),
  idleMs: smoke ? 200 : 1000,
  timeoutMs: smoke ? 60_000 : 900_000,
  check: smoke || values.check!,
}
const only = new Set(values.only!.split(','))
const log = (m: string) => console.error(`[bench ${((now() - t0) / 1000).toFixed(1)} s] ${m}`)
const t0 = now()

const TOOLS = [['vmagent', VMAGENT_BIN, 'victoria-metrics'], ['kcat', KCAT_BIN, 'kcat'], ['taskset', '/usr/bin/taskset', 'util-linux']]
for (const [what, path, pkg] of TOOLS) {
  if (!existsSync(path!)) throw new Error(`${what} is missing (${path}): apt-get install -y ${pkg}`)
}
if (only.has('kafka')) requireSarama()
const built = join(ROOT, 'dist', 'deepflow-relay')
if (!existsSync(built)) {
  log('dist/deepflow-relay missing: npm run build')
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
}
// A private copy: others may rebuild dist/ while the benchmark runs.
const workDir = mkdtempSync(join(tmpdir(), 'deepflow-relay-bench-'))
const bin = join(workDir, 'deepflow-relay')
copyFileSync(built, bin)
pinSelf()

const results: Results = {
  smoke,
  startedAt: new Date().toISOString(),
  cfg,
  cores: CORES,
  datasets: [],
  rw: [],
  rwCases: [],
  rwVm: null,
  kafka: [],
  otlp: [],
  durable: null,
  curves: [],
  checks: [],
  background: { busyBefore: await systemBusy(smoke ? 300 : 2000), loadBefore: loadAverage(), loadAfter: Number.NaN },
  wallS: 0,
  bin: built,
}
log(
  `background: ${
    (results.background.busyBefore * 100).toFixed(0)
  }% of all cores busy before start, load average ${results.background.loadBefore}`,
)

const rwData = ensureDataset({ ds: 'flow_metrics.network.1s', records: cfg.rwRecords, tagSets: cfg.tagSets }, log)
const used = new Map<string, Dataset>()
let receiver: Receiver | undefined
let broker: KafkaBroker | undefined
let otlpReceiver: OtlpReceiver | undefined
try {
  if (only.has('rw')) {
    const records: Record<RwWorkload, number> = {
      'flow_metrics.network.1s': cfg.rwRecords,
      'flow_metrics.network_map.1s': cfg.networkMapRecords,
      'flow_metrics.application_map.1s': cfg.applicationMapRecords,
    }
    const unknown = cfg.rwDataSources.filter((ds) => !RW_WORKLOADS.includes(ds as RwWorkload))
    if (unknown.length > 0) throw new Error(`--rw-data-sources: unknown ${unknown.join(', ')} (known: ${RW_WORKLOADS.join(', ')})`)
    const data = new Map(
      (cfg.rwDataSources as RwWorkload[]).map((ds) => [ds, ensureDataset({ ds, records: records[ds], tagSets: cfg.tagSets }, log)]),
    )
    for (const d of data.values()) used.set(d.dir, d)
    const cases = (cfg.rwDataSources as RwWorkload[]).flatMap((ds) =>
      cfg.rwPerRequest.map((perRequest) => ({ c: { ds, perRequest }, data: data.get(ds)! }))
    )
    receiver = await startReceiver(cfg.check)
    const { ms, checks } = await remoteWriteCases(cases, receiver, {
      bin,
      workDir,
      concurrency: cfg.concurrency,
      idleMs: cfg.idleMs,
      timeoutMs: cfg.timeoutMs,
      rounds: cfg.rounds,
      check: cfg.check,
      log,
    })
    results.rw.push(...ms)
    results.rwCases = cases.map((x) => x.c)
    results.checks.push(...checks)
    await receiver.stop()
    receiver = undefined
  }
  if (only.has('rw') || only.has('vm')) {
    const vmData = ensureDataset({ ds: VM_CASE.ds, records: cfg.vmRecords, tagSets: cfg.vmTagSets }, log)
    used.set(vmData.dir, vmData)
    // With --check the counting receiver decodes every sample and caps vmagent: no maximum to pace by.
    const { rate, basis } = vmPace(cfg.vmRate, cfg.check ? [] : results.rw)
    const { leg, checks } = await vmLeg(vmData, rate, basis, {
      bin,
      workDir,
      perRequest: VM_CASE.perRequest,
      concurrency: cfg.concurrency,
      idleMs: cfg.idleMs,
      timeoutMs: cfg.timeoutMs,
      rounds: cfg.rounds,
      log,
    })
    results.rwVm = leg
    results.checks.push(...checks)
  }
  if (only.has('kafka')) {
    const saramaBin = ensureSaramaProducer(workDir, log)
    const workloads = [
      ensureDataset({ ds: 'flow_metrics.network.1s', records: cfg.kafkaRecords, tagSets: cfg.tagSets }, log),
      ensureDataset({ ds: 'flow_log.l7_flow_log', records: cfg.kafkaL7Records, tagSets: cfg.tagSets }, log),
    ]
    for (const d of workloads) used.set(d.dir, d)
    log('starting Apache Kafka (on the non-contender core)')
    broker = await startKafka()
    const kafkaOptions = {
      bin,
      saramaBin,
      workDir,
      broker: broker.plaintext,
      perRequest: cfg.perRequest,
      concurrency: cfg.concurrency,
      idleMs: cfg.idleMs,
      timeoutMs: cfg.timeoutMs,
      check: cfg.check,
    }
    for (const d of workloads) {
      const { workload, checks } = await kafkaWorkload(d, cfg.rounds, kafkaOptions, log)
      results.kafka.push(workload)
      results.checks.push(...checks)
    }
    await broker.destroy()
    broker = undefined
  }
  if (only.has('otlp')) {
    // The Kafka leg's l7_flow_log records (a run long enough that start-up and JIT compiling, about
    // 1.5 CPU-s, do not weigh on the figure).
    const l7Data = ensureDataset({ ds: 'flow_log.l7_flow_log', records: cfg.kafkaL7Records, tagSets: cfg.tagSets }, log)
    used.set(l7Data.dir, l7Data)
    otlpReceiver = await startOtlpReceiver(cfg.check)
    results.otlp.push(
      ...(await otlpRounds(l7Data, otlpReceiver, {
        bin,
        workDir,
        perRequest: cfg.perRequest,
        concurrency: cfg.concurrency,
        idleMs: cfg.idleMs,
        timeoutMs: cfg.timeoutMs,
        rounds: cfg.rounds,
        log,
      })),
    )
    if (cfg.check) {
      results.checks.push(
        `otlp: the receiver decoded every request with protobufjs and counted the same ${l7Data.records} spans per run as its wire walk`,
      )
    }
    await otlpReceiver.stop()
    otlpReceiver = undefined
  }
  if (only.has('durable')) {
    const leg = await durableLegs({
      bin,
      workDir,
      records: cfg.rwRecords,
      tagSets: cfg.tagSets,
      rounds: cfg.rounds,
      kafka: true,
      rw: true,
      log,
    })
    results.durable = leg.markdown
    results.checks.push(...leg.checks)
  }
  if (only.has('curves')) {
    const l7Data = ensureDataset({ ds: 'flow_log.l7_flow_log', records: cfg.l7Records, tagSets: cfg.tagSets }, log)
    used.set(rwData.dir, rwData).set(l7Data.dir, l7Data)
    receiver = await startReceiver(false)
    const base = { ds: rwData, perRequest: cfg.perRequest, exporters: 1, kind: 'stdout' } as const
    const perRequest = smoke ? [10] : [1, 10, 100, 1000]
    const curves: { name: string; first: string; points: { label: string; p: CurvePoint }[] }[] = [
      {
        name: 'records per request, stdout exporter',
        first: 'records per request',
        points: perRequest.map((n) => ({ label: String(n), p: { ...base, perRequest: n } })),
      },
      {
        name: 'records per request, prometheus exporter (to the counting receiver)',
        first: 'records per request',
        points: perRequest.map((n) => ({ label: String(n), p: { ...base, perRequest: n, kind: 'prometheus' } })),
      },
      {
        name: 'number of exporters (stdout)',
        first: 'stdout exporters',
        points: (smoke ? [2] : [1, 2, 4]).map((n) => ({ label: String(n), p: { ...base, exporters: n } })),
      },
      {
        name: 'record size',
        first: 'data source',
        points: (smoke ? [l7Data] : [rwData, l7Data]).map((d) => ({
          label: `${d.ds} (${Math.round(d.bytes.ndjson / d.records)} B/record in, ${Math.round(d.bytes.kafka / d.records)} B/line out)`,
          p: { ...base, ds: d },
        })),
      },
    ]
    // Every distinct point, measured round-robin `curveRounds` times (so a burst of outside load
    // hits one run of a point, not all of them); each row shows the run with the median rate.
    const unique = new Map<string, { label: string; p: CurvePoint; name: string }>()
    for (const curve of curves) {
      for (const x of curve.points) if (!unique.has(pointKey(x.p))) unique.set(pointKey(x.p), { ...x, name: curve.name })
    }
    const runs = new Map<string, Measurement[]>()
    for (let round = 1; round <= cfg.curveRounds; round++) {
      for (const [key, { label, p, name }] of unique) {
        log(`curve ${name}: ${label}, run ${round} (${cfg.curveSeconds} s of load)`)
        const m = await curvePoint(p, round, {
          bin,
          workDir,
          concurrency: cfg.curveConcurrency,
          durationS: cfg.curveSeconds,
          idleMs: cfg.idleMs,
          timeoutMs: cfg.timeoutMs,
          writeUrl: receiver.writeUrl,
        })
        runs.set(key, [...(runs.get(key) ?? []), m])
        log(`  ${(m.records / m.wallS).toFixed(0)} records/s`)
      }
    }
    for (const curve of curves) {
      const rows = curve.points.map(({ label, p }) => {
        const all = runs.get(pointKey(p))!
        const sorted = [...all].sort((a, b) => rate(a, 'records') - rate(b, 'records'))
        return { label, m: sorted[Math.floor((sorted.length - 1) / 2)]!, all }
      })
      results.curves.push({ name: curve.name, first: curve.first, rows })
    }
    await receiver.stop()
    receiver = undefined
  }
} finally {
  await receiver?.stop()
  await broker?.destroy()
  await otlpReceiver?.stop()
  rmSync(workDir, { recursive: true, force: true })
}
results.datasets = [...used.values()]
results.background.loadAfter = loadAverage()
results.wallS = (now() - t0) / 1000
const markdown = renderReport(results, KAFKA_VERSION)
console.log(markdown)
if (!values['no-write'] && (values.out !== undefined || !smoke)) {
  const out = values.out ?? join(ROOT, 'BENCHMARKS.md')
  writeFileSync(out, markdown)
  log(`wrote ${out}`)
}
log(`done in ${results.wallS.toFixed(1)} s (inputs cached in ${CACHE})`)
process.exit(0)
