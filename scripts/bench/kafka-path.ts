// The Kafka path: the relay (kafka exporter: acks=all, snappy, its defaults) fed the NDJSON records
// over HTTP, against kcat -P producing the identical pre-rendered JSON lines from a file, to the
// same broker. Each measurement gets a fresh topic (created beforehand with one warm-up message,
// so neither contender waits for auto-creation); what counts is what the broker then holds.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { consumeAll, createTopic, relayConfig, relayExporter, relaySent, runKcat, startRelay, topicMessages } from './contenders.ts'
import type { Dataset } from './data.ts'
import { busySince, type Measurement, measurement, measureServed } from './measure.ts'
import { loadSnapshot } from './proc.ts'

/** startKafka()'s broker default (num.partitions). */
export const PARTITIONS = 3

export interface KafkaOptions {
  readonly bin: string
  readonly workDir: string
  readonly broker: string
  readonly perRequest: number
  readonly concurrency: number
  readonly idleMs: number
  readonly timeoutMs: number
  /** Read both topics back and compare them with the pre-rendered lines. */
  readonly check: boolean
}

export function relayKafkaConfig(ds: Dataset, broker: string, topic: string): string {
  return relayConfig(ds, [relayExporter('kafka', broker, ds, { topic })])
}

/** The message values (file lines) match the pre-rendered file, as a multiset. */
function checkTopic(o: KafkaOptions, topic: string, ds: Dataset): void {
  const got = consumeAll(o.broker, topic).filter((v) => v !== 'warm-up').sort()
  const want = readFileSync(ds.files.kafka, 'utf8').split('\n').filter((l) => l !== '').sort()
  if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
    const diff = got.findIndex((v, i) => v !== want[i])
    throw new Error(
      `topic ${topic} does not hold the pre-rendered lines (${got.length} vs ${want.length} messages; first difference:\n${got[diff]}\n${
        want[diff]
      })`,
    )
  }
}

export async function kafkaRound(contender: 'relay' | 'kcat', ds: Dataset, round: number, o: KafkaOptions): Promise<Measurement> {
  const topic = `bench-${contender}-${ds.ds.replace(/\./g, '-')}-${round}-${Date.now()}`
  createTopic(o.broker, topic)
  const before = topicMessages(o.broker, topic, PARTITIONS)
  const valueBytes = ds.bytes.kafka - ds.records
  let m: Measurement
  if (contender === 'kcat') {
    const load0 = loadSnapshot()
    const run = await runKcat(o.broker, topic, ds.files.kafka)
    m = measurement({
      path: 'kafka',
      contender,
      round,
      records: topicMessages(o.broker, topic, PARTITIONS) - before,
      bytes: valueBytes,
      wallS: (run.end - run.start) / 1000,
      cpuS: run.cpuS,
      peakRssMb: run.peakRssMb,
      ...busySince(load0),
    })
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
      m = measurement({
        path: 'kafka',
        contender,
        round,
        ...served,
        records: topicMessages(o.broker, topic, PARTITIONS) - before,
        bytes: valueBytes,
      })
    } finally {
      await server.stop()
    }
  }
  if (m.records !== ds.records) throw new Error(`${contender}: the broker holds ${m.records} of ${ds.records} messages in ${topic}`)
  if (o.check) checkTopic(o, topic, ds)
  return m
}
