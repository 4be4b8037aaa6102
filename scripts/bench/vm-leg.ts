// The remote-write leg into a real VictoriaMetrics single-node (scripts/services/victoria-metrics.ts,
// started fresh for every measurement on the non-contender core, which the runner is pinned to):
// the same records are posted at a fixed pace (loadgen --rate) to the relay at its default
// batch-size (1024 series per request), the relay with batch-size 10000 (series; one sample each
// here, so vmagent's 10 000 samples per request) and vmagent at its defaults, each pinned to core 0.
// The figure is samples per CPU-second of the contender. After each run VictoriaMetrics is asked how
// many samples it stores (sum of count_over_time over every series); a run whose receiver holds
// other than the dataset's sample count fails.
import { join } from 'node:path'
import { startVictoriaMetrics, type VictoriaMetrics } from '../services/victoria-metrics.ts'
import { relayConfig, relayExporter, type Server, startRelay, startVmagent } from './contenders.ts'
import { BASE_TIME, type Dataset } from './data.ts'
import { type Measurement, measurement, measureServed, rate } from './measure.ts'
import { now, sleep } from './proc.ts'
import { fmt, median } from './report.ts'
import { casePath } from './rw-path.ts'

/**
 * VictoriaMetrics flags beyond the service's defaults: a flow_metrics series has 31 to 60 labels
 * (30 are kept by default, the rest dropped), and the count query selects every series.
 */
export const VM_ARGS = ['-maxLabelsPerTimeseries=100', '-search.maxUniqueTimeseries=100000000']

export interface VmContender {
  readonly name: string
  readonly kind: 'relay' | 'vmagent'
  /** The relay's batch-size setting (series per request); undefined: the default. */
  readonly batchSize?: number
}

export const VM_CONTENDERS: readonly VmContender[] = [
  { name: 'relay', kind: 'relay' },
  { name: 'relay, batch-size 10000', kind: 'relay', batchSize: 10_000 },
  { name: 'vmagent', kind: 'vmagent' },
]

/** What VictoriaMetrics held after one run. */
export interface VmStored {
  readonly contender: string
  readonly round: number
  readonly samples: number
  readonly series: number
  /** How far behind its schedule the load generator posted a body, at worst. */
  readonly maxLagMs: number
}

export interface VmLeg {
  readonly ds: string
  readonly records: number
  readonly samples: number
  readonly perRequest: number
  /** The pace, records per second. */
  readonly rate: number
  /** Why this pace. */
  readonly rateBasis: string
  readonly runs: Measurement[]
  readonly stored: VmStored[]
}

export const VM_PATH = 'remote write → VictoriaMetrics'

/** The leg's workload: the first remote-write case's data source and batching. */
export const VM_CASE = { ds: 'flow_metrics.network.1s', perRequest: 100 } as const

/** Share of vmagent's measured maximum the pace stays under. */
export const PACE_SHARE = 0.65
/**
 * The highest pace, records per second (97 500 samples/s of network.1s), set by the receiver:
 * VictoriaMetrics spent 6.8 to 8.2 CPU s on 1.3 M of these samples (31 labels each) in trial runs,
 * so this pace takes about 60 % of core 1, which it shares with the load generator. At 2 000 and
 * 3 000 records/s core 1 saturated (with some background load), VictoriaMetrics answered late and
 * the relay's queues, waiting on its answers, refused requests. vmagent's maximum against the
 * counting receiver (9,597 records/s in the last full run) is far above.
 */
export const RECEIVER_PACE = 1_500

/**
 * The pace of the leg, records per second: `explicit` when given, else RECEIVER_PACE, or less when
 * PACE_SHARE of vmagent's median records/s on the same case against the counting receiver in this
 * run is lower (rounded to 100, at least 100). Every contender must keep up, so that all process
 * the same records over the same time, and so must the receiver.
 */
export function vmPace(explicit: number | undefined, counted: readonly Measurement[]): { rate: number; basis: string } {
  if (explicit !== undefined) return { rate: explicit, basis: 'given with --vm-rate' }
  const receiver =
    `set by the receiver: VictoriaMetrics spends about 6 µs of CPU per sample of these series, so this pace takes about 60 % of core 1, shared with the load generator (trials at 2,000 and 3,000 records/s saturated it, and the relay's queues, waiting on its answers, refused requests)`
  const runs = counted.filter((m) => m.path === casePath(VM_CASE) && m.contender === 'vmagent')
  const max = median(runs.map((m) => rate(m, 'records')))
  if (Number.isNaN(max)) return { rate: RECEIVER_PACE, basis: `${receiver}; this run measured no vmagent maximum` }
  const share = Math.max(100, Math.round((max * PACE_SHARE) / 100) * 100)
  if (share >= RECEIVER_PACE) {
    return {
      rate: RECEIVER_PACE,
      basis: `${receiver}; ${PACE_SHARE * 100} % of vmagent's median ${
        fmt(max)
      } records/s against the counting receiver in this run would be ${fmt(share)}`,
    }
  }
  return {
    rate: share,
    basis: `${PACE_SHARE * 100} % of vmagent's median ${fmt(max)} records/s on the same case against the counting receiver in this run`,
  }
}

export function relayVmConfig(ds: Dataset, writeUrl: string, batchSize?: number): string {
  const extra: Record<string, string> = batchSize === undefined ? {} : { 'batch-size': String(batchSize) }
  return relayConfig(ds, [relayExporter('prometheus', writeUrl, ds, extra)])
}

/** A counter of VictoriaMetrics' /metrics (summed over its label sets matching `labels`). */
async function vmCounter(vm: VictoriaMetrics, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${vm.url}/metrics`)).text()
  let sum = 0
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) if (m[1]!.includes(labels)) sum += Number(m[2])
  return sum
}

/**
 * Samples and series VictoriaMetrics stores for the dataset's seconds. Freshly inserted rows and
 * series become searchable a moment after /internal/force_flush (the per-day index lags), so the
 * count is asked again every 200 ms until it reaches `want` or `waitMs` pass; the last answer counts.
 */
export async function vmStored(
  vm: VictoriaMetrics,
  ds: Dataset,
  want: number,
  waitMs = 10_000,
): Promise<{ samples: number; series: number }> {
  const seconds = Math.ceil(ds.records / ds.tagSets)
  const query = `sum(count_over_time({__name__=~".+"}[${seconds + 2}s]))`
  const params = new URLSearchParams({ query, time: String(BASE_TIME + seconds + 1) })
  const t0 = now()
  for (;;) {
    await (await fetch(`${vm.url}/internal/force_flush`)).arrayBuffer()
    const res = await fetch(`${vm.url}/api/v1/query?${params}`)
    const text = await res.text()
    if (!res.ok) throw new Error(`VictoriaMetrics ${query}: ${res.status} ${text}`)
    const result = (JSON.parse(text) as { data: { result: { value: [number, string] }[] } }).data.result
    const samples = result.length === 0 ? 0 : Number(result[0]!.value[1])
    if (samples === want || now() - t0 > waitMs) {
      const count = await (await fetch(`${vm.url}/api/v1/series/count`)).json() as { data: number[] }
      return { samples, series: count.data[0] ?? 0 }
    }
    await sleep(200)
  }
}

export interface VmOptions {
  readonly bin: string
  readonly workDir: string
  readonly perRequest: number
  readonly concurrency: number
  readonly rate: number
  readonly idleMs: number
  readonly timeoutMs: number
}

/**
 * One measurement: a fresh VictoriaMetrics, the contender forwarding to it, the dataset posted at
 * `o.rate`; done when VictoriaMetrics has inserted the dataset's samples (its
 * vm_rows_inserted_total, read at most every 100 ms). Fails when it then stores another number.
 */
export async function vmRound(
  c: VmContender,
  ds: Dataset,
  round: number,
  o: VmOptions,
): Promise<{ m: Measurement; stored: VmStored }> {
  const vm = await startVictoriaMetrics(VM_ARGS)
  let server: Server | undefined
  try {
    const dir = join(o.workDir, `vm-${c.name.replace(/\W+/g, '-')}-${round}`)
    server = c.kind === 'relay'
      ? await startRelay(o.bin, dir, relayVmConfig(ds, vm.writeUrl, c.batchSize), { idleMs: o.idleMs })
      : await startVmagent(dir, vm.writeUrl, { idleMs: o.idleMs })
    const requests0 = await vmCounter(vm, 'vm_http_requests_total', 'path="/api/v1/write"')
    let inserted = 0
    let readAt = 0
    const delivered = async () => {
      if (now() - readAt >= 100) {
        inserted = await vmCounter(vm, 'vm_rows_inserted_total', 'type="promremotewrite"')
        readAt = now()
      }
      return inserted
    }
    const batching = { perRequest: o.perRequest, concurrency: o.concurrency, rate: o.rate }
    const { load, served } = await measureServed(
      server,
      c.kind === 'relay'
        ? { url: `${server.url}/v1/records/${ds.ds}`, file: ds.files.ndjson, ...batching, contentType: 'application/x-ndjson' }
        : { url: `${server.url}/write?precision=s`, file: ds.files.influx, ...batching, contentType: 'text/plain' },
      { delivered, target: () => ds.samples, timeoutMs: o.timeoutMs, what: `${c.name} → VictoriaMetrics` },
      vm.pid,
    )
    const requests = (await vmCounter(vm, 'vm_http_requests_total', 'path="/api/v1/write"')) - requests0
    const { samples, series } = await vmStored(vm, ds, ds.samples)
    if (samples !== ds.samples) {
      throw new Error(
        `${VM_PATH}, ${c.name}, round ${round}: VictoriaMetrics stores ${samples} samples (${series} series), not the ${ds.samples} the records make (it inserted ${inserted})\n${
          vm.log().slice(-3000)
        }`,
      )
    }
    const m = measurement({ path: VM_PATH, contender: c.name, round, ...served, samples, sinkRequests: requests })
    return { m, stored: { contender: c.name, round, samples, series, maxLagMs: load.maxLagMs } }
  } finally {
    await server?.stop()
    await vm.stop()
  }
}

/** Every contender `rounds` times, the order rotated each round. */
export async function vmLeg(
  ds: Dataset,
  rate: number,
  rateBasis: string,
  o: Omit<VmOptions, 'rate'> & { readonly rounds: number; readonly log: (m: string) => void },
): Promise<{ leg: VmLeg; checks: string[] }> {
  const leg: VmLeg = {
    ds: ds.ds,
    records: ds.records,
    samples: ds.samples,
    perRequest: o.perRequest,
    rate,
    rateBasis,
    runs: [],
    stored: [],
  }
  const checks: string[] = []
  for (let round = 1; round <= o.rounds; round++) {
    const shift = (round - 1) % VM_CONTENDERS.length
    for (const c of [...VM_CONTENDERS.slice(shift), ...VM_CONTENDERS.slice(0, shift)]) {
      o.log(`${VM_PATH}, round ${round}: ${c.name} (${ds.records} records at ${rate} records/s, ${ds.samples} samples)`)
      const { m, stored } = await vmRound(c, ds, round, { ...o, rate })
      leg.runs.push(m)
      leg.stored.push(stored)
      o.log(
        `  ${(m.samples / m.cpuS).toFixed(0)} samples per CPU-s (${m.cpuS.toFixed(2)} CPU s), ${
          (m.records / m.wallS).toFixed(0)
        } records/s, worst lag ${stored.maxLagMs.toFixed(0)} ms`,
      )
      checks.push(
        `${VM_PATH}, round ${round}, ${c.name}: VictoriaMetrics stores exactly the ${stored.samples} samples (${stored.series} series) of the ${ds.records} records`,
      )
    }
  }
  return { leg, checks }
}
