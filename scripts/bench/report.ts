// Markdown for the benchmark results: machine and versions, summary tables with medians and the
// relay/peer ratio per round, growth curves, and the raw figures of every measurement.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, release } from 'node:os'
import { fileURLToPath } from 'node:url'
import { KCAT_BIN, VMAGENT_BIN } from './contenders.ts'
import type { Dataset } from './data.ts'
import { cpuPerMillion, type Measurement, rate } from './measure.ts'

export const median = (xs: readonly number[]) => {
  const s = [...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/** stdout, else stderr (java -version), of a command; 'unknown' when it cannot run. */
const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 })
  return (r.stdout?.trim() || r.stderr?.trim()) || 'unknown'
}

export function machine(): Record<string, string> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const mem = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0)
  return {
    nproc: String(availableParallelism()),
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown',
    memory: `${(mem / 1024 / 1024).toFixed(1)} GiB`,
    kernel: release(),
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * ' (src/ has uncommitted changes)' when git lists changed or untracked files under the checkout's
 * src/, else ''. Not through sh(): it answers 'unknown' for empty output, which is what a clean
 * src/ gives. Run in the checkout, so the pathspec means its src/ whatever the caller's directory.
 */
function srcDirty(): string {
  const r = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 && r.stdout.trim() !== '' ? ' (src/ has uncommitted changes)' : ''
}

export function versions(bin: string, kafkaVersion: string): Record<string, string> {
  const commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])
  const dirty = srcDirty()
  return {
    'deepflow-relay': `${sh(bin, ['--version'])}, dist/deepflow-relay as built from commit ${commit}${dirty} or earlier`,
    bun: `${process.versions.bun} (runner, load generator, receiver; the binary embeds the Bun that built it)`,
    vmagent: sh('dpkg-query', ['-W', '-f', '${Version}', 'victoria-metrics']).replace(/^/, 'victoria-metrics ') + ` (${VMAGENT_BIN})`,
    kcat: sh(KCAT_BIN, ['-V']).split('\n').find((l) => l.startsWith('Version')) ?? 'unknown',
    kafka: `Apache Kafka ${kafkaVersion} (KRaft, one node, scripts/services/kafka.ts), ${sh('java', ['-version']).split('\n')[0]}`,
  }
}

export function table(headers: string[], rows: (string | number)[][]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

export const fmt = (n: number, digits = 0) =>
  Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const pct = (x: number) => (Number.isNaN(x) ? '–' : `${Math.round(x * 100)}%`)
const opt = (x: number | null, digits = 0) => (x === null ? '–' : fmt(x, digits))

type RateKind = 'samples' | 'records' | 'mb'

/** The rounds the measurements come from, in order. */
const roundsOf = (ms: readonly Measurement[]) => [...new Set(ms.map((m) => m.round))].sort((a, b) => a - b)

/** Per round (in order), relay's `of` ÷ the peer's (NaN for a round missing one of them). */
export function roundRatios(ms: readonly Measurement[], peer: string, of: (m: Measurement) => number): number[] {
  return roundsOf(ms).map((r) => {
    const a = ms.find((m) => m.round === r && m.contender === 'relay')
    const b = ms.find((m) => m.round === r && m.contender === peer)
    return a && b ? of(a) / of(b) : Number.NaN
  })
}

/** Medians per contender (the relay, then each peer), then the relay/peer ratios per round and their medians. */
export function comparison(
  ms: Measurement[],
  peer: string | readonly string[],
  primary: RateKind,
  extra: RateKind[],
  labels: Partial<Record<RateKind, string>> = {},
): string {
  const RATE_LABEL: Record<RateKind, string> = { samples: 'samples/s', records: 'records/s', mb: 'MB/s', ...labels }
  const kinds = [primary, ...extra]
  const peers = typeof peer === 'string' ? [peer] : peer
  const rows = ['relay', ...peers].map((c) => {
    const mine = ms.filter((m) => m.contender === c)
    return [
      c === 'relay' ? 'deepflow-relay' : c,
      mine.length,
      ...kinds.map((k) => fmt(median(mine.map((m) => rate(m, k))), k === 'mb' ? 1 : 0)),
      fmt(median(mine.map(cpuPerMillion)), 1),
      fmt(median(mine.map((m) => m.peakRssMb)), 1),
      mine.some((m) => m.idleRssMb !== null) ? fmt(median(mine.map((m) => m.idleRssMb ?? Number.NaN)), 1) : 'n/a',
      mine.some((m) => m.startupMs !== null) ? fmt(median(mine.map((m) => m.startupMs ?? Number.NaN))) : 'n/a',
    ]
  })
  const head = [
    'contender',
    'rounds',
    ...kinds.map((k) => `${RATE_LABEL[k]} (median)`),
    'CPU s / M records',
    'peak RSS MB',
    'idle RSS MB',
    'exec → ready ms',
  ]
  const rounds = roundsOf(ms)
  const ratioTables = peers.map((p) => {
    const ratios = roundRatios(ms, p, (m) => rate(m, primary))
    const cpuRatios = roundRatios(ms, p, cpuPerMillion)
    return table(['', ...rounds.map((r) => `round ${r}`), 'median'], [
      [`relay / ${p}, ${RATE_LABEL[primary]}`, ...ratios.map((x) => fmt(x, 3)), fmt(median(ratios), 3)],
      [`relay / ${p}, CPU s per M records`, ...cpuRatios.map((x) => fmt(x, 2)), fmt(median(cpuRatios), 2)],
    ])
  })
  return [table(head, rows), ...ratioTables].join('\n\n')
}

/** Every measurement, one row each. */
export function rawTable(ms: Measurement[]): string {
  return table(
    [
      'path',
      'contender',
      'round',
      'records',
      'samples',
      'MB',
      'wall s',
      'records/s',
      'samples/s',
      'CPU s',
      'CPU s / M rec',
      'peak RSS MB',
      'idle RSS MB',
      'ready ms',
      '429s',
      'sink reqs',
      'receiver busy',
      'core 0 busy',
      'core 1 busy',
      'other procs (cores)',
    ],
    ms.map((
      m,
    ) => [
      m.path,
      m.contender,
      m.round,
      fmt(m.records),
      fmt(m.samples),
      fmt(m.bytes / 1e6, 1),
      fmt(m.wallS, 2),
      fmt(rate(m, 'records')),
      m.samples ? fmt(rate(m, 'samples')) : '–',
      fmt(m.cpuS, 2),
      fmt(cpuPerMillion(m), 1),
      fmt(m.peakRssMb, 1),
      opt(m.idleRssMb, 1),
      opt(m.startupMs),
      fmt(m.retries),
      opt(m.sinkRequests),
      m.sinkCpuS === null ? '–' : pct(m.sinkCpuS / m.wallS),
      pct(m.busy.contender),
      pct(m.busy.rest),
      fmt(m.others, 2),
    ]),
  )
}

export interface CurveRow {
  readonly label: string
  /** The run with the median records/s. */
  readonly m: Measurement
  readonly all: readonly Measurement[]
}

export function curveTable(first: string, rows: CurveRow[]): string {
  return table(
    [
      first,
      'records/s (median run)',
      'records/s, all runs',
      'input MB/s',
      'CPU s / M records',
      'peak RSS MB',
      '429s',
      'other procs (cores)',
    ],
    rows.map(({ label, m, all }) => [
      label,
      fmt(rate(m, 'records')),
      all.map((x) => fmt(rate(x, 'records'))).join(' / '),
      fmt(rate(m, 'mb'), 1),
      fmt(cpuPerMillion(m), 1),
      fmt(m.peakRssMb, 1),
      fmt(m.retries),
      fmt(m.others, 2),
    ]),
  )
}

export function datasetLine(d: Dataset): string {
  const per = (b: number) => fmt(b / d.records)
  return `\`${d.ds}\`: ${fmt(d.records)} records${
    d.samples
      ? `, ${fmt(d.tagSets)} distinct tag sets, ${fmt(d.samples)} samples (${fmt(d.samples / d.records)} metric fields per record)`
      : ''
  }; ` +
    `NDJSON ${fmt(d.bytes.ndjson / 1e6, 1)} MB (${per(d.bytes.ndjson)} B/record), Kafka JSON lines ${fmt(d.bytes.kafka / 1e6, 1)} MB (${
      per(d.bytes.kafka)
    } B/line)` +
    (d.bytes.influx ? `, Influx line protocol ${fmt(d.bytes.influx / 1e6, 1)} MB (${per(d.bytes.influx)} B/line)` : '')
}
