// The Kafka path, one workload per data source (flow_metrics.network.1s, flow_log.l7_flow_log): the
// relay (kafka exporter: acks=all, snappy, its defaults) fed the NDJSON records over HTTP, against
// two producers of the identical pre-rendered JSON lines from a file, kcat -P and sarama-producer
// (DeepFlow's own client and settings, sarama.ts), all to the same broker. Each measurement gets a
// fresh topic (created beforehand with one warm-up message, so no contender waits for
// auto-creation); what counts is what the broker then holds. Rounds alternate the order: odd rounds
// relay first, even rounds the peers first (in reverse).
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  consumeToFile,
  createTopic,
  type ProducerRun,
  relayConfig,
  relayExporter,
  relaySent,
  runKcat,
  startRelay,
  topicMessages,
} from './contenders.ts'
import type { Dataset } from './data.ts'
import { busySince, type Measurement, measurement, measureServed } from './measure.ts'
import { loadSnapshot } from './proc.ts'
import { runSarama } from './sarama.ts'

/** startKafka()'s broker default (num.partitions). */
export const PARTITIONS = 3

/** The producers the relay is compared with, in the order of an odd round (after the relay). */
export const KAFKA_PEERS = ['kcat', 'sarama'] as const
export type KafkaContender = 'relay' | (typeof KAFKA_PEERS)[number]

/** The Kafka measurements of one data source. */
export interface KafkaWorkload {
  readonly ds: string
  readonly records: number
  readonly ms: Measurement[]
}

export interface KafkaOptions {
  readonly bin: string
  readonly saramaBin: string
  readonly workDir: string
  readonly broker: string
  readonly perRequest: number
  readonly concurrency: number
  readonly idleMs: number
  readonly timeoutMs: number
  /** Read every topic back and compare it with the pre-rendered lines. */
  readonly check: boolean
}

export function relayKafkaConfig(ds: Dataset, broker: string, topic: string): string {
  return relayConfig(ds, [relayExporter('kafka', broker, ds, { topic })])
}

/** The raw table's path of a workload: "kafka network.1s", "kafka l7_flow_log". */
export const kafkaPathName = (ds: string) => `kafka ${ds.slice(ds.indexOf('.') + 1)}`

const WARM_UP = Buffer.from('warm-up')

/** Calls `each` with every non-empty line of `file` (bytes, without the newline), reading 16 MiB at a time. */
function forEachLine(file: string, each: (line: Buffer) => boolean | void): void {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(16 << 20)
    let rest = Buffer.alloc(0)
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null)
      const chunk = n === 0 ? rest : rest.length > 0 ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n)
      let start = 0
      for (let i = chunk.indexOf(10, start); i !== -1; start = i + 1, i = chunk.indexOf(10, start)) {
        if (i > start && each(chunk.subarray(start, i)) === false) return
      }
      if (n === 0) {
        if (start < chunk.length) each(chunk.subarray(start))
        return
      }
      rest = Buffer.from(chunk.subarray(start))
    }
  } finally {
    closeSync(fd)
  }
}

const digest = (line: Buffer) => createHash('sha1').update(line).digest('base64')

/**
 * The topic's message values match the pre-rendered file, as a multiset, byte for byte (compared
 * by a digest per line, so a topic of hundreds of MB is never held as strings).
 */
function checkTopic(o: KafkaOptions, topic: string, ds: Dataset): void {
  const got = join(o.workDir, `${topic}.jsonl`)
  consumeToFile(o.broker, topic, got)
  try {
    const count = new Map<string, number>()
    let wanted = 0
    let consumed = 0
    let warmUps = 0
    forEachLine(ds.files.kafka, (l) => {
      wanted++
      const d = digest(l)
      count.set(d, (count.get(d) ?? 0) + 1)
    })
    forEachLine(got, (l) => {
      if (l.equals(WARM_UP)) return void warmUps++
      consumed++
      const d = digest(l)
      count.set(d, (count.get(d) ?? 0) - 1)
    })
    const off = [...count].filter(([, n]) => n !== 0)
    if (off.length === 0 && warmUps === 1) return
    const extra = new Set(off.filter(([, n]) => n < 0).map(([d]) => d))
    const missing = new Set(off.filter(([, n]) => n > 0).map(([d]) => d))
    const first = (file: string, of: Set<string>) => {
      let found = '(none)'
      forEachLine(file, (l) => (of.has(digest(l)) ? ((found = l.toString('utf8').slice(0, 2000)), false) : true))
      return found
    }
    throw new Error(
      `topic ${topic} does not hold the pre-rendered lines: ${consumed} messages (and ${warmUps} warm-up) vs ${wanted} lines; ` +
        `${extra.size} distinct values too many, ${missing.size} missing; first extra:\n${first(got, extra)}\nfirst missing:\n${
          first(ds.files.kafka, missing)
        }`,
    )
  } finally {
    rmSync(got, { force: true })
  }
}

async function producerRound(contender: Exclude<KafkaContender, 'relay'>, o: KafkaOptions, topic: string, ds: Dataset) {
  const load0 = loadSnapshot()
  const run: ProducerRun = contender === 'kcat'
    ? await runKcat(o.broker, topic, ds.files.kafka)
    : await runSarama(o.saramaBin, o.broker, topic, ds.files.kafka)
  return { wallS: (run.end - run.start) / 1000, cpuS: run.cpuS, peakRssMb: run.peakRssMb, ...busySince(load0) }
}

export async function kafkaRound(contender: KafkaContender, ds: Dataset, round: number, o: KafkaOptions): Promise<Measurement> {
  const topic = `bench-${contender}-${ds.ds.replace(/\./g, '-')}-${round}-${Date.now()}`
  createTopic(o.broker, topic)
  const before = topicMessages(o.broker, topic, PARTITIONS)
  const base = { path: kafkaPathName(ds.ds), contender, round, bytes: ds.bytes.kafka - ds.records }
  let m: Measurement
  if (contender !== 'relay') {
    const run = await producerRound(contender, o, topic, ds)
    m = measurement({ ...base, ...run, records: topicMessages(o.broker, topic, PARTITIONS) - before })
  } else {
    const server = await startRelay(o.bin, join(o.workDir, `kafka-relay-${round}`), relayKafkaConfig(ds, o.broker, topic), {
      idleMs: o.idleMs,
    })
    try {
      const { served } = await measureServed(
        server,
        {
          url: `${server.url}/v1/records/${ds.ds}`,
          file: ds.files.ndjson,
          perRequest: o.perRequest,
          concurrency: o.concurrency,
          contentType: 'application/x-ndjson',
        },
        { delivered: () => relaySent(server.url), target: () => ds.records, timeoutMs: o.timeoutMs, what: 'relay → kafka' },
      )
      m = measurement({ ...base, ...served, records: topicMessages(o.broker, topic, PARTITIONS) - before })
    } finally {
      await server.stop()
    }
  }
  if (m.records !== ds.records) throw new Error(`${contender}: the broker holds ${m.records} of ${ds.records} messages in ${topic}`)
  if (o.check) checkTopic(o, topic, ds)
  return m
}

/**
 * `rounds` rounds of every contender on `ds`; with `o.check`, one line per round for the report's
 * checks. Odd rounds run relay, kcat, sarama; even rounds the reverse.
 */
export async function kafkaWorkload(
  ds: Dataset,
  rounds: number,
  o: KafkaOptions,
  log: (m: string) => void,
): Promise<{ workload: KafkaWorkload; checks: string[] }> {
  const workload: KafkaWorkload = { ds: ds.ds, records: ds.records, ms: [] }
  const checks: string[] = []
  const odd: KafkaContender[] = ['relay', ...KAFKA_PEERS]
  for (let round = 1; round <= rounds; round++) {
    for (const c of round % 2 === 1 ? odd : [...odd].reverse()) {
      log(`kafka ${ds.ds}, round ${round}: ${c} (${ds.records} messages)`)
      const m = await kafkaRound(c, ds, round, o)
      workload.ms.push(m)
      log(`  ${(m.records / m.wallS).toFixed(0)} messages/s, ${m.cpuS.toFixed(2)} CPU s`)
    }
    if (o.check) {
      checks.push(
        `kafka ${ds.ds} round ${round}: the topics of ${odd.join(', ')} each hold exactly the ${ds.records} pre-rendered JSON lines`,
      )
    }
  }
  return { workload, checks }
}
