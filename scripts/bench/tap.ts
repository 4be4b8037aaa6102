// What GET /v1/tap costs: the relay (one stdout exporter writing to /dev/null) under the same load
// in three states, alternated over rounds: nobody has ever tapped; a tap subscriber is reading the
// whole time; a subscriber came and went before the load (the hub must be free again).
// The load generator and the tap reader run on the other core. Prints a Markdown table.
// Usage: bun scripts/bench/tap.ts [--rounds 3] [--seconds 10] [--per-request 100] [--concurrency 4] [--smoke]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { curvePoint } from './curves.ts'
import { ensureDataset } from './data.ts'
import { cpuPerMillion, rate } from './measure.ts'
import { pinSelf, sleep } from './proc.ts'

type State = 'never tapped' | 'tap reading' | 'tap came and went'
const STATES: readonly State[] = ['never tapped', 'tap reading', 'tap came and went']

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'per-request': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    smoke: { type: 'boolean', default: false },
  },
})
const smoke = values.smoke!
const rounds = Number(values.rounds ?? (smoke ? 1 : 3))
const seconds = Number(values.seconds ?? (smoke ? 1 : 10))
pinSelf()

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'deepflow-relay-bench-tap-'))
const bin = join(work, 'deepflow-relay')
copyFileSync(join(ROOT, 'dist', 'deepflow-relay'), bin)
const data = ensureDataset({ ds: 'flow_metrics.network.1s', records: smoke ? 200 : 50_000, tagSets: smoke ? 200 : 5_000 })

/** Reads the tap until aborted; returns the NDJSON lines it saw. */
function readTap(url: string, signal: AbortSignal): Promise<number> {
  return (async () => {
    let lines = 0
    try {
      const res = await fetch(`${url}/v1/tap?exporter=stdout-0`, { signal })
      if (res.status !== 200) throw new Error(`tap: HTTP ${res.status}`)
      for await (const chunk of res.body!) for (const b of chunk as Uint8Array) if (b === 10) lines++
    } catch (e) {
      if (!signal.aborted) throw e
    }
    return lines
  })()
}

interface Row {
  state: State
  round: number
  recordsPerS: number
  cpuPerM: number
  tapLines: number
}
const rows: Row[] = []
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? STATES : [...STATES].reverse()
  for (const state of order) {
    const stopTap = new AbortController()
    let tap: Promise<number> = Promise.resolve(0)
    let tapLines = 0
    try {
      // The relay alone with one stdout exporter, as a point of the growth curves; the tap is
      // opened (and, for 'came and went', closed) before the load and closed after the measurement.
      const m = await curvePoint({ ds: data, perRequest: Number(values['per-request']), exporters: 1, kind: 'stdout' }, round, {
        bin,
        workDir: join(work, `r${round}-${state.replace(/ /g, '-')}`),
        concurrency: Number(values.concurrency),
        durationS: seconds,
        idleMs: smoke ? 200 : 1000,
        timeoutMs: 120_000,
        writeUrl: undefined,
        alongside: async (server) => {
          if (state !== 'never tapped') {
            tap = readTap(server.url, stopTap.signal)
            await sleep(200)
            if (state === 'tap came and went') {
              stopTap.abort()
              await tap
              await sleep(200)
            }
          }
          return async () => {
            stopTap.abort()
            tapLines = await tap
          }
        },
      })
      if (state === 'tap reading' && tapLines === 0) throw new Error('the tap subscriber saw nothing')
      rows.push({ state, round, recordsPerS: rate(m, 'records'), cpuPerM: cpuPerMillion(m), tapLines })
      console.error(`[tap bench] round ${round}, ${state}: ${Math.round(rows.at(-1)!.recordsPerS)} records/s`)
    } finally {
      stopTap.abort()
    }
  }
}
rmSync(work, { recursive: true, force: true })

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
const base = median(rows.filter((r) => r.state === 'never tapped').map((r) => r.recordsPerS))
console.log(`| state | rounds | records/s (median) | vs never tapped | CPU s / M records (median) | tap lines read (median) |`)
console.log(`|---|---|---|---|---|---|`)
for (const state of STATES) {
  const rs = rows.filter((r) => r.state === state)
  const rps = median(rs.map((r) => r.recordsPerS))
  console.log(
    `| ${state} | ${rs.length} | ${Math.round(rps).toLocaleString('en-US')} | ${(rps / base).toFixed(3)} | ${
      median(rs.map((r) => r.cpuPerM)).toFixed(1)
    } | ${median(rs.map((r) => r.tapLines)).toLocaleString('en-US')} |`,
  )
}
