// Markdown for the remote-write part of the benchmark report: one table of every (data source,
// records per request) case against the counting receiver with its per-round relay ÷ vmagent ratios
// (samples per CPU-second, samples/s), the VictoriaMetrics leg's table and ratios, the Targets rows
// (one per case and per relay variant of the leg), the Setup paragraphs and the exact commands.
import { vmagentArgs } from './contenders.ts'
import { cpuPerMillion, type Measurement, rate } from './measure.ts'
import { fmt, median, table } from './report.ts'
import { casePath, type RwCase, samplesPerCpuS } from './rw-path.ts'
import { PACE_SHARE, RECEIVER_PACE, relayVmConfig, VM_ARGS, VM_CONTENDERS, type VmLeg } from './vm-leg.ts'
import type { Dataset } from './data.ts'

/** What the remote-write report needs of a run's results. */
export interface RwResults {
  readonly rw: readonly Measurement[]
  readonly rwCases: readonly RwCase[]
  readonly rwVm: VmLeg | null
  readonly cfg: { readonly rounds: number; readonly concurrency: number; readonly check: boolean }
  readonly cores: { readonly contender: string; readonly rest: string }
}

const roundsOf = (ms: readonly Measurement[]) => [...new Set(ms.map((m) => m.round))].sort((a, b) => a - b)

/** Per round, `a`'s figure ÷ `b`'s (NaN for a round missing one of them). */
function ratios(ms: readonly Measurement[], a: string, b: string, of: (m: Measurement) => number): number[] {
  return roundsOf(ms).map((r) => {
    const x = ms.find((m) => m.round === r && m.contender === a)
    const y = ms.find((m) => m.round === r && m.contender === b)
    return x && y ? of(x) / of(y) : Number.NaN
  })
}

const ofCase = (r: RwResults, c: RwCase) => r.rw.filter((m) => m.path === casePath(c))
const short = (ds: string) => ds.replace(/^flow_metrics\./, '')
const medianOf = (ms: readonly Measurement[], f: (m: Measurement) => number) => median(ms.map(f))

/** The counting-receiver comparison: one row per case and contender, then the ratios per round. */
export function rwComparison(r: RwResults): string {
  const rows = r.rwCases.flatMap((c) =>
    ['relay', 'vmagent'].map((who) => {
      const mine = ofCase(r, c).filter((m) => m.contender === who)
      return [
        short(c.ds),
        c.perRequest,
        who === 'relay' ? 'deepflow-relay' : who,
        mine.length,
        fmt(medianOf(mine, samplesPerCpuS)),
        fmt(medianOf(mine, (m) => rate(m, 'samples'))),
        fmt(medianOf(mine, (m) => rate(m, 'records'))),
        fmt(medianOf(mine, (m) => rate(m, 'mb')), 1),
        fmt(medianOf(mine, cpuPerMillion), 1),
        fmt(medianOf(mine, (m) => m.peakRssMb), 1),
        fmt(medianOf(mine, (m) => m.idleRssMb ?? Number.NaN), 1),
        fmt(medianOf(mine, (m) => m.startupMs ?? Number.NaN)),
      ]
    })
  )
  const main = table([
    'data source',
    'records / request',
    'contender',
    'rounds',
    'samples per CPU-second (median)',
    'samples/s (median)',
    'records/s (median)',
    'input MB/s (median)',
    'CPU s / M records',
    'peak RSS MB',
    'idle RSS MB',
    'exec → ready ms',
  ], rows)
  const rounds = roundsOf(r.rw)
  const ratioRows = r.rwCases.flatMap((c) => {
    const ms = ofCase(r, c)
    const perCpu = ratios(ms, 'relay', 'vmagent', samplesPerCpuS)
    const perS = ratios(ms, 'relay', 'vmagent', (m) => rate(m, 'samples'))
    const at = (xs: number[]) => rounds.map((rd) => fmt(xs[roundsOf(ms).indexOf(rd)] ?? Number.NaN, 3))
    return [
      [short(c.ds), c.perRequest, 'samples per CPU-second', ...at(perCpu), fmt(median(perCpu), 3)],
      [short(c.ds), c.perRequest, 'samples/s', ...at(perS), fmt(median(perS), 3)],
    ]
  })
  const ratioTable = table(['data source', 'records / request', 'relay ÷ vmagent', ...rounds.map((x) => `round ${x}`), 'median'], ratioRows)
  return `${main}\n\n${ratioTable}`
}

/** The VictoriaMetrics leg: per contender its samples per CPU-second and what the receiver saw. */
export function vmLegSection(leg: VmLeg): string {
  const rows = VM_CONTENDERS.map(({ name }) => {
    const mine = leg.runs.filter((m) => m.contender === name)
    const stored = leg.stored.filter((s) => s.contender === name)
    return [
      name,
      mine.length,
      fmt(medianOf(mine, samplesPerCpuS)),
      fmt(medianOf(mine, (m) => m.cpuS), 2),
      fmt(medianOf(mine, (m) => rate(m, 'records'))),
      fmt(medianOf(mine, (m) => m.sinkRequests ?? Number.NaN)),
      fmt(medianOf(mine, (m) => m.samples / (m.sinkRequests ?? Number.NaN))),
      fmt(medianOf(mine, (m) => m.sinkCpuS ?? Number.NaN), 2),
      fmt(medianOf(mine, (m) => m.peakRssMb), 1),
      fmt(Math.max(...stored.map((s) => s.maxLagMs))),
      fmt(Math.max(...mine.map((m) => m.retries))),
      stored.map((s) => fmt(s.samples)).join(' / '),
    ]
  })
  const main = table([
    'contender',
    'rounds',
    'samples per CPU-second (median)',
    'CPU s (median)',
    'records/s (median)',
    'requests to VictoriaMetrics (median)',
    'samples per request',
    'VictoriaMetrics CPU s (median)',
    'peak RSS MB',
    'worst lag behind the pace, ms',
    '429s (worst)',
    'samples stored, every run',
  ], rows)
  const rounds = roundsOf(leg.runs)
  const ratioRows = VM_CONTENDERS.filter((c) => c.kind === 'relay').map(({ name }) => {
    const xs = ratios(leg.runs, name, 'vmagent', samplesPerCpuS)
    return [`${name} ÷ vmagent, samples per CPU-second`, ...xs.map((x) => fmt(x, 3)), fmt(median(xs), 3)]
  })
  const behind = leg.stored.filter((x) => x.maxLagMs > 1000).map((x) => `${x.contender} in round ${x.round} (${fmt(x.maxLagMs)} ms)`)
  const refused = leg.runs.filter((m) => m.retries > 0).map((m) => `${m.contender} in round ${m.round} (${fmt(m.retries)})`)
  const notes = [
    behind.length > 0
      ? `**Fell more than 1 s behind the pace** (the receiver or the contender did not keep up; compare with care): ${behind.join(', ')}.`
      : '',
    refused.length > 0 ? `**Refused requests (429), retried by the load generator:** ${refused.join(', ')}.` : '',
  ].filter((x) => x !== '')
  const ratioTable = table(['', ...rounds.map((x) => `round ${x}`), 'median'], ratioRows)
  return [main, ratioTable, ...notes].join('\n\n')
}

/** Targets rows: relay ÷ vmagent samples per CPU-second, per case and per relay variant of the leg, each ≥ 1.0. */
export function rwTargetRows(r: RwResults): [string, string, string, boolean][] {
  const rows: [string, string, string, boolean][] = []
  for (const c of r.rwCases) {
    const x = median(ratios(ofCase(r, c), 'relay', 'vmagent', samplesPerCpuS))
    rows.push([
      `remote write: relay samples per CPU-second ÷ vmagent's, ${c.ds}, ${c.perRequest} records/request`,
      '≥ 1.0',
      fmt(x, 2),
      x >= 1,
    ])
  }
  const leg = r.rwVm
  if (leg !== null) {
    for (const { name } of VM_CONTENDERS.filter((c) => c.kind === 'relay')) {
      const x = median(ratios(leg.runs, name, 'vmagent', samplesPerCpuS))
      rows.push([
        `remote write into VictoriaMetrics at ${
          fmt(leg.rate)
        } records/s: ${name} samples per CPU-second ÷ vmagent's, ${leg.ds}, ${leg.perRequest} records/request`,
        '≥ 1.0',
        fmt(x, 2),
        x >= 1,
      ])
    }
  }
  return rows
}

/** The Setup paragraphs of the remote-write part. */
export function rwSetup(r: RwResults): string[] {
  const out: string[] = []
  if (r.rwCases.length > 0) {
    const perRequest = [...new Set(r.rwCases.map((c) => c.perRequest))].join(' and ')
    const sources = [...new Set(r.rwCases.map((c) => `\`${c.ds}\``))].join(', ')
    out.push(
      `- Remote write, to the counting receiver: ${r.rwCases.length} cases, every data source of ${sources} posted ${perRequest} records per request (the relay NDJSON, vmagent the same records as Influx line protocol), both contenders per case and round, the cases round-robin within a round. The map data sources carry both ends' tags (\`_0\` client, \`_1\` server: ip, pod, group, namespace, node, service…), server port, protocol and observation point (\`tap_side\`); application_map adds the server's L7 protocol, app service and instance, endpoint, and request/response/error counts and response-time sum, max and count. **Samples per CPU-second** = samples the receiver counted / the contender's CPU seconds over the measurement: the issue's ratio (both process the same samples, so it is the inverse ratio of their CPU time); samples/s is shown beside it.`,
    )
  }
  const leg = r.rwVm
  if (leg !== null) {
    out.push(
      `- Remote write into VictoriaMetrics: \`${leg.ds}\`, ${fmt(leg.records)} records (${
        fmt(leg.samples)
      } samples), ${leg.perRequest} records per request posted at a fixed pace of ${
        fmt(leg.rate)
      } records/s (${leg.rateBasis}; requests spaced evenly, \`loadgen.ts --rate\`, a late one posted at once but none early), so every contender processes the same records over the same time and the figure is CPU, not speed. Receiver: \`victoria-metrics\` single-node (\`${
        VM_ARGS.join(' ')
      }\` beyond scripts/services/victoria-metrics.ts's flags: a network.1s series has 31 labels with \`__name__\`, the map data sources' up to 60, and 30 are kept by default), started fresh per measurement on core ${r.cores.rest}. Contenders on core ${r.cores.contender}: the relay at its default batch-size (1024; the prometheus exporter's batch-size counts time series per request, as in DeepFlow, and each series carries one sample here), the relay with \`batch-size: 10000\` (10 000 samples per request, vmagent's \`-remoteWrite.maxRowsPerBlock\` default), vmagent at its defaults. A run ends when VictoriaMetrics has inserted all samples (\`vm_rows_inserted_total\`); then it must store exactly that many (\`sum(count_over_time({__name__=~".+"}[…]))\` after \`/internal/force_flush\`), else the run fails. The pace is set by the receiver, not by the contenders: VictoriaMetrics ingests these series far more slowly than the counting receiver counts them and shares core ${r.cores.rest} with the load generator, so the pace is kept at ${
        fmt(RECEIVER_PACE)
      } records/s at most (below ${
        PACE_SHARE * 100
      } % of vmagent's maximum too); a run that fell more than 1 s behind the pace or was refused (429) is flagged under the table.`,
    )
  }
  return out
}

/** Exact commands of the remote-write part: the load generator lines against the counting receiver. */
export function rwCommands(r: RwResults): string[] {
  const perRequest = [...new Set(r.rwCases.map((c) => c.perRequest))].join('|') || '<n>'
  return [
    `taskset -c ${r.cores.rest} bun scripts/bench/loadgen.ts --url http://127.0.0.1:<relay>/v1/records/<data source> --file records.ndjson --per-request ${perRequest} --concurrency ${r.cfg.concurrency} --content-type application/x-ndjson`,
    `taskset -c ${r.cores.rest} bun scripts/bench/loadgen.ts --url 'http://127.0.0.1:<vmagent>/write?precision=s' --file influx.lp --per-request ${perRequest} --concurrency ${r.cfg.concurrency} --content-type text/plain`,
  ]
}

/** Exact commands of the VictoriaMetrics leg (none when it did not run). */
export function vmCommands(r: RwResults): string[] {
  const leg = r.rwVm
  if (leg === null) return []
  const loadgen = `taskset -c ${r.cores.rest} bun scripts/bench/loadgen.ts`
  return [
    `# VictoriaMetrics leg: the receiver (core ${r.cores.rest}, fresh per measurement), the paced load, the contenders (core ${r.cores.contender}; relay.yaml below)`,
    `taskset -c ${r.cores.rest} victoria-metrics -storageDataPath=<tmp>/data -httpListenAddr=127.0.0.1:<vm> -retentionPeriod=100y -search.latencyOffset=0s -loggerLevel=WARN ${
      VM_ARGS.join(' ')
    }`,
    `${loadgen} --url http://127.0.0.1:<relay>/v1/records/${leg.ds} --file records.ndjson --per-request ${leg.perRequest} --concurrency ${r.cfg.concurrency} --rate ${leg.rate} --content-type application/x-ndjson`,
    `${loadgen} --url 'http://127.0.0.1:<vmagent>/write?precision=s' --file influx.lp --per-request ${leg.perRequest} --concurrency ${r.cfg.concurrency} --rate ${leg.rate} --content-type text/plain`,
    `taskset -c ${r.cores.contender} dist/deepflow-relay --config relay.yaml --listen 127.0.0.1:<port> --log-level warn`,
    `taskset -c ${r.cores.contender} vmagent ${
      vmagentArgs('<port>', 'http://127.0.0.1:<vm>/api/v1/write', '<tmp>/vmagent-data').join(' ')
    }`,
  ]
}

/** relay.yaml of the VictoriaMetrics leg's batch-size 10000 variant. */
export function vmRelayYaml(ex: Dataset): string {
  return relayVmConfig(ex, 'http://127.0.0.1:<vm>/api/v1/write', 10_000).trimEnd()
}
