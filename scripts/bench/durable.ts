// The durable buffer's cost (issue 18): the relay's Kafka path and remote-write path on
// flow_metrics.network.1s with `buffer: {type: memory}`, `{type: disk, sync-interval: 0.5}` and
// `{type: disk, sync-interval: 0}`, in the same run, rounds alternating the order. Per variant:
// records/s and CPU per record (medians), their ratios to memory, and the bytes the relay wrote to
// disk per record (/proc/<pid>/io write_bytes). The relay's own NDJSON ingest over HTTP, as the
// Kafka and remote-write legs of `npm run bench` feed it (100 records per request, 1 client).
// Part of `npm run bench` (run.ts --only durable; BENCHMARKS.md's "Durable buffer" section); alone:
// bun scripts/bench/durable.ts [--rounds 3] [--records 100000] [--only kafka,rw]
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startKafka } from '../services/kafka.ts'
import { createTopic, relayConfig, relayExporter, relaySent, startRelay, topicMessages } from './contenders.ts'
import { type Dataset, ensureDataset } from './data.ts'
import { measureServed } from './measure.ts'
import { PARTITIONS } from './kafka-path.ts'
import { startReceiver } from './rw-path.ts'

const VARIANTS = [
  { name: 'memory', buffer: '{type: memory}' },
  { name: 'disk, sync-interval 0.5', buffer: '{type: disk, path: buffer, max-bytes: 4Gi, sync-interval: 0.5}' },
  { name: 'disk, sync-interval 0', buffer: '{type: disk, path: buffer, max-bytes: 4Gi, sync-interval: 0}' },
] as const

interface Result {
  readonly variant: string
  readonly recordsPerS: number
  readonly cpuUsPerRecord: number
  readonly writtenBytesPerRecord: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Bytes the process caused to be written to storage (its /proc io counter). */
function writtenBytes(pid: number): number {
  const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))
  return m === null ? 0 : Number(m[1])
}

async function round(
  bin: string,
  path: 'kafka' | 'rw',
  variant: (typeof VARIANTS)[number],
  ds: Dataset,
  target: { exporter: (extra: Record<string, string>) => string; delivered: (url: string) => Promise<number>; reset: () => Promise<void> },
  workDir: string,
): Promise<Result> {
  await target.reset()
  const dir = mkdtempSync(join(workDir, `${path}-`))
  const server = await startRelay(bin, dir, relayConfig(ds, [target.exporter({ buffer: variant.buffer })]), { idleMs: 200 })
  try {
    const written0 = writtenBytes(server.pid)
    const { served } = await measureServed(
      server,
      {
        url: `${server.url}/v1/records/${ds.ds}`,
        file: ds.files.ndjson,
        perRequest: 100,
        concurrency: 1,
        contentType: 'application/x-ndjson',
      },
      { delivered: () => target.delivered(server.url), target: () => ds.records, timeoutMs: 600_000, what: `relay (${variant.name})` },
    )
    const written = writtenBytes(server.pid) - written0
    return {
      variant: variant.name,
      recordsPerS: served.records / served.wallS,
      cpuUsPerRecord: (served.cpuS / served.records) * 1e6,
      writtenBytesPerRecord: written / served.records,
    }
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

function report(path: string, results: Result[], rounds: number): string {
  const by = (v: string) => results.filter((r) => r.variant === v)
  const memory = by('memory')
  const base = { rate: median(memory.map((r) => r.recordsPerS)), cpu: median(memory.map((r) => r.cpuUsPerRecord)) }
  const rows = VARIANTS.map((v) => {
    const rs = by(v.name)
    const rate = median(rs.map((r) => r.recordsPerS))
    const cpu = median(rs.map((r) => r.cpuUsPerRecord))
    const written = median(rs.map((r) => r.writtenBytesPerRecord))
    return `| ${v.name} | ${rate.toFixed(0)} | ${(rate / base.rate).toFixed(2)} | ${cpu.toFixed(1)} | ${(base.cpu / cpu).toFixed(2)} | ${
      written.toFixed(0)
    } |`
  })
  return [
    `${path}, flow_metrics.network.1s, 100 records/request (median of ${rounds}):`,
    '',
    '| buffer | records/s | ÷ memory | CPU µs/record | memory ÷ it (CPU) | bytes written/record |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}

export interface DurableOptions {
  readonly bin: string
  readonly workDir: string
  readonly records: number
  readonly tagSets: number
  readonly rounds: number
  readonly kafka: boolean
  readonly rw: boolean
  readonly log: (m: string) => void
}

/** Both legs; the markdown of their tables and the checks they made. */
export async function durableLegs(o: DurableOptions): Promise<{ markdown: string; checks: string[] }> {
  const { log, rounds, bin } = o
  const ds = ensureDataset({ ds: 'flow_metrics.network.1s', records: o.records, tagSets: o.tagSets }, log)
  const out: string[] = []
  const checks: string[] = []
  const workDir = mkdtempSync(join(o.workDir, 'durable-'))
  try {
    if (o.kafka) {
      log('durable buffer, Kafka leg: starting Apache Kafka')
      const broker = await startKafka()
      try {
        const results: Result[] = []
        let topic = ''
        const target = {
          exporter: (extra: Record<string, string>) => relayExporter('kafka', broker.plaintext, ds, { topic, ...extra }),
          delivered: (url: string) => relaySent(url),
          reset: () => Promise.resolve(),
        }
        for (let r = 1; r <= rounds; r++) {
          for (const v of r % 2 === 1 ? VARIANTS : [...VARIANTS].reverse()) {
            topic = `durable-${r}-${v.name.replace(/[^a-z0-9]+/g, '-')}-${Date.now()}`
            createTopic(broker.plaintext, topic)
            const before = topicMessages(broker.plaintext, topic, PARTITIONS)
            const res = await round(bin, 'kafka', v, ds, target, workDir)
            const got = topicMessages(broker.plaintext, topic, PARTITIONS) - before
            if (got !== ds.records) throw new Error(`kafka ${v.name}: the broker holds ${got} of ${ds.records}`)
            log(
              `durable kafka ${v.name}, round ${r}: ${res.recordsPerS.toFixed(0)} records/s, ${
                res.cpuUsPerRecord.toFixed(1)
              } CPU µs/record, ${res.writtenBytesPerRecord.toFixed(0)} B written/record`,
            )
            results.push(res)
          }
        }
        checks.push(`durable buffer, Kafka: every variant's topic holds all ${ds.records} records`)
        out.push(report('Kafka', results, rounds))
      } finally {
        await broker.destroy()
      }
    }
    if (o.rw) {
      const receiver = await startReceiver(false)
      try {
        const results: Result[] = []
        const target = {
          exporter: (extra: Record<string, string>) => relayExporter('prometheus', receiver.writeUrl, ds, extra),
          delivered: (url: string) => relaySent(url),
          reset: () => receiver.reset(),
        }
        for (let r = 1; r <= rounds; r++) {
          for (const v of r % 2 === 1 ? VARIANTS : [...VARIANTS].reverse()) {
            const res = await round(bin, 'rw', v, ds, target, workDir)
            log(
              `durable remote write ${v.name}, round ${r}: ${res.recordsPerS.toFixed(0)} records/s, ${
                res.cpuUsPerRecord.toFixed(1)
              } CPU µs/record, ${res.writtenBytesPerRecord.toFixed(0)} B written/record`,
            )
            results.push(res)
          }
        }
        checks.push(`durable buffer, remote write: every variant's records were sent (deepflow_relay_records_sent_total = ${ds.records})`)
        out.push(report('Remote write', results, rounds))
      } finally {
        await receiver.stop()
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
  return { markdown: out.join('\n'), checks }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      records: { type: 'string', default: '100000' },
      only: { type: 'string', default: 'kafka,rw' },
    },
  })
  const bin = fileURLToPath(new URL('../../dist/deepflow-relay', import.meta.url))
  if (!existsSync(bin)) throw new Error(`${bin} is missing: npm run build`)
  const only = new Set(values.only.split(','))
  const workDir = mkdtempSync(join(tmpdir(), 'relay-bench-durable-'))
  try {
    const { markdown } = await durableLegs({
      bin,
      workDir,
      records: Number(values.records),
      tagSets: 5_000,
      rounds: Number(values.rounds),
      kafka: only.has('kafka'),
      rw: only.has('rw'),
      log: (m) => process.stderr.write(`${m}\n`),
    })
    process.stdout.write(markdown)
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}
