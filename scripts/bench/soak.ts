// Soak benchmark (a script, not a CI test): the compiled binary with a Kafka and a remote-write
// exporter (a real Apache Kafka broker and Debian's Prometheus, started by scripts/services/), fed a
// steady rate of flow_metrics records for a while; the relay's resident memory (VmRSS) is printed
// every 10 s, and the run says whether it stayed flat (last third within 10% of the first third
// after warm-up). Rate: half the measured maximum (issue 8's bench), given on the command line.
// Usage: bun scripts/bench/soak.ts [--minutes 10] [--rate 2000] [--batch 100]
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startKafka } from '../services/kafka.ts'
import { startPrometheus } from '../services/prometheus.ts'
import { freePort } from '../services/process.ts'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '100' },
  },
})
const minutes = Number(values.minutes)
const rate = Number(values.rate)
const batch = Number(values.batch)
const BIN = fileURLToPath(new URL('../../dist/deepflow-relay', import.meta.url))
if (!existsSync(BIN)) throw new Error('build first: npm run build')

const kafka = await startKafka()
const prom = await startPrometheus()
const dir = mkdtempSync(join(tmpdir(), 'deepflow-relay-soak-'))
copyFileSync(BIN, join(dir, 'deepflow-relay'))
const port = await freePort()
writeFileSync(
  join(dir, 'relay.yaml'),
  `exporters:
  - {protocol: kafka, enabled: true, endpoints: [${kafka.plaintext}], data-sources: [flow_metrics.network.1s], export-fields: [$tag, $metrics], topic: soak}
  - {protocol: prometheus, enabled: true, endpoints: [${prom.writeUrl}], data-sources: [flow_metrics.network.1s], export-fields: [$tag, $metrics]}
`,
)
const child = spawn(join(dir, 'deepflow-relay'), ['--config', 'relay.yaml', '--listen', `127.0.0.1:${port}`, '--log-level', 'error'], {
  cwd: dir,
  stdio: ['ignore', 'ignore', 'inherit'],
})
const url = `http://127.0.0.1:${port}/v1/records/flow_metrics.network.1s`
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 50))
}
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024
const samples: number[] = []
let sent = 0
let refused = 0
const started = Date.now()
const end = started + minutes * 60_000
let nextSample = started
console.log(`soak: ${minutes} min at ${rate} records/s in requests of ${batch}; RSS every 10 s`)
while (Date.now() < end) {
  const t = Math.floor(Date.now() / 1000)
  // 5000 distinct series, each seen at most once a second at rates up to 5000 records/s.
  const body = Array.from({ length: batch }, (_, i) => {
    const s = (sent + refused + i) % 5000
    return JSON.stringify({ time: t, byte_tx: sent + i, ip4: `10.1.${s >> 8}.${s & 255}`, server_port: 9080, protocol: 6 })
  }).join('\n')
  const res = await fetch(url, { method: 'POST', body })
  if (res.status === 202) sent += batch
  else refused += batch
  if (Date.now() >= nextSample) {
    samples.push(rss())
    console.log(`${Math.round((Date.now() - started) / 1000)} s\tRSS ${samples.at(-1)!.toFixed(1)} MB\tsent ${sent}\trefused ${refused}`)
    nextSample += 10_000
  }
  const due = started + (sent + refused) / rate * 1000
  const wait = due - Date.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
}
child.kill('SIGTERM')
await new Promise((r) => child.on('exit', r))
await kafka.destroy()
await prom.stop()
const warm = samples.slice(Math.min(3, samples.length - 1))
const third = Math.max(1, Math.floor(warm.length / 3))
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const first = avg(warm.slice(0, third))
const last = avg(warm.slice(-third))
const flat = last <= first * 1.1
console.log(
  `RSS first third ${first.toFixed(1)} MB, last third ${last.toFixed(1)} MB: ${
    flat ? 'flat' : 'GROWING'
  }; ${sent} records sent, ${refused} refused`,
)
process.exit(flat ? 0 : 1)
