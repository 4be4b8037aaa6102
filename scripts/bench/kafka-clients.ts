// The Kafka client alternatives, measured: kafkajs's producer (snappy through snappyjs, the codec the
// relay used before), the relay's produce path (record-batch.ts + transport.ts over kafkajs's
// connections) and @platformatic/kafka (installed outside the project by platformatic-kafka.ts), with
// its native CRC-32C addon and without it (platformatic-wasm: what a compiled binary runs). A
// real broker (startKafka, on the `rest` core with this process); for each round, workload (the Kafka
// lines of flow_metrics.network.1s and flow_log.l7_flow_log, kafka-lines.ts) and client (order
// rotated per round), a fresh topic and a child (kafka-clients-child.ts) pinned to core 0 that sends
// every line with the relay's settings: acks=all, snappy, 1024 messages per produce call, null keys,
// one random partition per call, 4 calls in flight. Measured over the produce phase only (after the
// child connected and sent a warm-up message): the child's CPU seconds (utime+stime, /proc) per
// million messages, its wall time, its peak RSS (VmHWM, whole life); the topic's end offsets must grow
// by exactly the number of lines. Then whether @platformatic/kafka runs under bun, a compiled binary
// and Deno. Prints a Markdown table and the runtime verdicts.
// Usage: bun scripts/bench/kafka-clients.ts [--rounds 3] [--network 50000] [--l7 20000]
//        [--clients kafkajs,relay,platformatic,platformatic-wasm] [--platformatic-version 2.12.1] [--no-runtimes]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startKafka } from '../services/kafka.ts'
import { createTopic, topicMessages } from './contenders.ts'
import type { DatasetSpec } from './data.ts'
import { type Client, CLIENTS } from './kafka-clients-child.ts'
import { kafkaLinesFile } from './kafka-lines.ts'
import { checkPlatformaticRuntimes, ensurePlatformatic, PLATFORMATIC_DIR, PLATFORMATIC_VERSION } from './platformatic-kafka.ts'
import { capture, CORES, cpuSeconds, memory, pinSelf, spawnOn } from './proc.ts'

const CHILD = fileURLToPath(new URL('./kafka-clients-child.ts', import.meta.url))
const PARTITIONS = 3
const PER_REQUEST = 1024
const CONCURRENCY = 4

const { values: o } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    network: { type: 'string', default: '50000' },
    l7: { type: 'string', default: '20000' },
    clients: { type: 'string', default: CLIENTS.join(',') },
    'platformatic-version': { type: 'string', default: PLATFORMATIC_VERSION },
    'no-runtimes': { type: 'boolean', default: false },
  },
})
const log = (m: string) => console.error(m)
const clients = o.clients.split(',') as Client[]
for (const c of clients) if (!CLIENTS.includes(c)) throw new Error(`--clients: ${c} is not one of ${CLIENTS.join(', ')}`)

interface Workload {
  readonly name: string
  readonly file: string
  readonly messages: number
}

interface Run {
  readonly client: Client
  readonly workload: string
  readonly round: number
  readonly messages: number
  readonly cpuS: number
  readonly wallS: number
  readonly peakRssMb: number
  /** RSS once connected, lines read and made into buffers (the same for every client, roughly). */
  readonly readyRssMb: number
}

/** The first `n` lines of the dataset, copied to a private file (another worktree may sweep .cache/bench). */
function workload(spec: DatasetSpec, n: number, dir: string): Workload {
  const lines = readFileSync(kafkaLinesFile(spec, join(PLATFORMATIC_DIR, 'data'), log), 'utf8').split('\n').filter((l) => l !== '')
  if (lines.length < n) throw new Error(`${spec.ds}: ${lines.length} lines, ${n} asked`)
  const file = join(dir, `${spec.ds}.jsonl`)
  writeFileSync(file, lines.slice(0, n).join('\n') + '\n')
  return { name: spec.ds, file, messages: n }
}

/** Resolves with the next stdout line of the child that starts with `prefix`; rejects if it exits first. */
function nextLine(lines: AsyncIterator<string>, prefix: string, output: () => string): Promise<string> {
  return (async () => {
    for (;;) {
      const { value, done } = await lines.next()
      if (done === true) throw new Error(`the child exited before "${prefix}":\n${output().slice(-3000)}`)
      if (value.startsWith(prefix)) return value
    }
  })()
}

async function measure(client: Client, w: Workload, round: number, broker: string, platformatic: string): Promise<Run> {
  const topic = `clients-${client}-${w.name.replace(/\./g, '-')}-${round}-${Date.now()}`
  createTopic(broker, topic)
  const child = spawnOn(CORES.contender, process.execPath, [
    CHILD,
    '--client',
    client,
    '--broker',
    broker,
    '--topic',
    topic,
    '--lines',
    w.file,
    '--per-request',
    String(PER_REQUEST),
    '--concurrency',
    String(CONCURRENCY),
    '--platformatic',
    platformatic,
  ], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } })
  const output = capture(child)
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  try {
    await nextLine(lines, 'ready', output)
    const readyRssMb = memory(child.pid!).rssMb
    const before = topicMessages(broker, topic, PARTITIONS)
    const cpu0 = cpuSeconds(child.pid!)
    child.stdin!.write('go\n')
    const done = await nextLine(lines, 'done ', output)
    const cpuS = cpuSeconds(child.pid!) - cpu0
    const peakRssMb = memory(child.pid!).hwmMb
    child.stdin!.end()
    const code = await exited
    if (code !== 0) throw new Error(`${client} exited with ${code}:\n${output().slice(-3000)}`)
    const held = topicMessages(broker, topic, PARTITIONS) - before
    if (held !== w.messages) throw new Error(`${client}: ${topic} holds ${held} new messages, ${w.messages} sent`)
    const { wallMs } = JSON.parse(done.slice('done '.length)) as { wallMs: number }
    return { client, workload: w.name, round, messages: held, cpuS, wallS: wallMs / 1000, peakRssMb, readyRssMb }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function table(runs: readonly Run[]): string {
  const out = [
    '| client | workload | messages | CPU s per M messages (rounds) | median | wall s (rounds) | median | peak RSS MB (rounds) | median | RSS at ready MB, median |',
    '|---|---|--:|---|--:|---|--:|---|--:|--:|',
  ]
  for (const w of [...new Set(runs.map((r) => r.workload))]) {
    for (const c of clients) {
      const rs = runs.filter((r) => r.client === c && r.workload === w).sort((a, b) => a.round - b.round)
      if (rs.length === 0) continue
      const col = (f: (r: Run) => number, d: number) => [rs.map((r) => f(r).toFixed(d)).join(' / '), median(rs.map(f)).toFixed(d)]
      out.push(
        `| ${c} | ${w} | ${rs[0]!.messages} | ${
          [
            ...col((r) => (r.cpuS / r.messages) * 1e6, 1),
            ...col((r) => r.wallS, 2),
            ...col((r) => r.peakRssMb, 1),
            median(rs.map((r) => r.readyRssMb)).toFixed(1),
          ].join(' | ')
        } |`,
      )
    }
  }
  return out.join('\n')
}

pinSelf()
const platformatic: Record<Client, string> = {
  kafkajs: '',
  relay: '',
  platformatic: clients.includes('platformatic') || !o['no-runtimes'] ? ensurePlatformatic(o['platformatic-version'], log) : '',
  'platformatic-wasm': clients.includes('platformatic-wasm') ? ensurePlatformatic(o['platformatic-version'], log, true) : '',
}
const dir = mkdtempSync(join(tmpdir(), 'kafka-clients-'))
const broker = await startKafka()
try {
  const workloads = [
    workload({ ds: 'flow_metrics.network.1s', records: 50_000, tagSets: 5_000 }, Number(o.network), dir),
    workload({ ds: 'flow_log.l7_flow_log', records: 20_000, tagSets: 5_000 }, Number(o.l7), dir),
  ]
  const runs: Run[] = []
  for (let round = 1; round <= Number(o.rounds); round++) {
    for (const w of workloads) {
      for (let i = 0; i < clients.length; i++) {
        const client = clients[(i + round - 1) % clients.length]!
        const r = await measure(client, w, round, broker.plaintext, platformatic[client])
        log(
          `round ${round} ${w.name} ${client}: ${r.messages} messages, ${((r.cpuS / r.messages) * 1e6).toFixed(1)} CPU s/M, ${
            r.wallS.toFixed(2)
          } s, peak ${r.peakRssMb.toFixed(1)} MB`,
        )
        runs.push(r)
      }
    }
  }
  console.log(table(runs))
  if (!o['no-runtimes']) {
    console.log(`\n@platformatic/kafka ${o['platformatic-version']} by runtime:`)
    for (const v of checkPlatformaticRuntimes(broker.plaintext, log)) {
      console.log(`- ${v.runtime}: ${v.works ? 'works' : 'FAILS'}: ${v.detail}`)
    }
  }
} finally {
  await broker.destroy()
  rmSync(dir, { recursive: true, force: true })
}
