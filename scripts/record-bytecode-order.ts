// Records the bytecode-order profiles the build lays the binary out by (`bun build --bytecode-order`,
// Bun's profile-guided layout): the functions a run loads are placed together at the front of the
// embedded bytecode, so the relay reads and decodes less of itself at start (idle RSS, start-up).
// Usage: bun scripts/record-bytecode-order.ts   (npm run build:order; commit build/bytecode/*.order)
//
// Each profile is one run of a binary built without a profile, the way users start the relay: it
// starts, answers /readyz, idles a moment, takes a few bodies of records (the hot path, after the
// start-up code), serves /metrics and stops on SIGTERM, which writes the profile. The build lists
// them most common first (package.json, scripts/build-release.sh). Profiles match functions by a hash
// of their syntax, so they keep working as the code changes; functions changed since the recording
// are placed right after the recorded ones. Record again when many have changed.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { l7Record, networkRecord, topology } from './bench/records.ts'
import { freePort } from './services/process.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'build', 'bytecode')
const BUN = join(ROOT, 'node_modules', '.bin', 'bun')
const work = mkdtempSync(join(tmpdir(), 'deepflow-relay-order-'))
const bin = join(work, 'deepflow-relay')

const IDLE_MS = 1500
const NETWORK = 'flow_metrics.network.1s'
const L7 = 'flow_log.l7_flow_log'
const topo = topology(64)
const dictionary = join(work, 'universal-tags.json')
writeFileSync(dictionary, JSON.stringify(topo.dictionary))
const ndjson = (records: Record<string, unknown>[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`
const networkBody = ndjson(Array.from({ length: 200 }, (_, k) => networkRecord(topo, k, 500, 1_715_133_600)))
const l7Body = ndjson(Array.from({ length: 100 }, (_, k) => l7Record(topo, k, 1_715_133_600)))

/** A run: its config (none: the embedded default) and the bodies it takes. Most common first. */
interface Run {
  readonly name: string
  readonly yaml: string | null
  readonly bodies: readonly [dataSource: string, body: string][]
}

const exporter = (protocol: string, extra: string) =>
  `  - {protocol: ${protocol}, enabled: true, data-sources: [${NETWORK}, ${L7}], export-fields: [$tag, $metrics]${extra}}`
const RUNS: Run[] = [
  {
    name: 'prometheus',
    // A receiver that is not there: the records are encoded and queued, the sends fail and retry.
    yaml: `relay:\n  universal-tags: ${dictionary}\n  shutdown-timeout: 1\nexporters:\n${
      exporter('prometheus', ", endpoints: ['http://127.0.0.1:9/api/v1/write']")
    }\n`,
    bodies: [[NETWORK, networkBody], [NETWORK, networkBody]],
  },
  { name: 'stdout', yaml: null, bodies: [[NETWORK, networkBody], [L7, l7Body], [NETWORK, networkBody]] },
  {
    name: 'kafka',
    yaml: `relay:\n  universal-tags: ${dictionary}\n  shutdown-timeout: 1\nexporters:\n${
      exporter('kafka', ', endpoints: [127.0.0.1:9], topic: t')
    }\n`,
    bodies: [[NETWORK, networkBody], [L7, l7Body]],
  },
]

function build(): void {
  const r = spawnSync(BUN, [
    'build',
    '--compile',
    '--minify',
    '--keep-names',
    '--bytecode',
    '--format=esm',
    'src/entry/bun.ts',
    '--outfile',
    bin,
  ], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (r.status !== 0) throw new Error(`bun build failed (exit ${r.status})`)
}

async function record(run: Run): Promise<string> {
  const dir = join(work, run.name)
  mkdirSync(dir)
  const args = ['--listen', `127.0.0.1:${await freePort()}`, '--log-level', 'error']
  if (run.yaml !== null) {
    writeFileSync(join(dir, 'relay.yaml'), run.yaml)
    args.push('--config', 'relay.yaml')
  }
  const out = join(OUT, `${run.name}.order`)
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BUN_BYTECODE_ORDER_OUT: out } })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const url = `http://${args[1]}`
  for (let i = 0;; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break
    } catch {
      // not listening yet
    }
    if (i > 500) throw new Error(`${run.name}: the relay was not ready within 5 s`)
    await new Promise((r) => setTimeout(r, 10))
  }
  // What runs while it idles (timers, the start-up collection) belongs to the start, recorded
  // before the hot path so that an idle relay touches the fewest pages.
  await new Promise((r) => setTimeout(r, IDLE_MS))
  for (const [ds, body] of run.bodies) {
    const res = await fetch(`${url}/v1/records/${ds}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body })
    if (res.status !== 202) throw new Error(`${run.name}: POST ${ds} answered ${res.status}: ${await res.text()}`)
  }
  await (await fetch(`${url}/metrics`)).text()
  child.kill('SIGTERM')
  const code = await exited
  if (code !== 0) throw new Error(`${run.name}: the relay exited with ${code}`)
  return out
}

try {
  mkdirSync(OUT, { recursive: true })
  build()
  for (const run of RUNS) console.log(`recorded ${await record(run)}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
