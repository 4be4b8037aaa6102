// The producing child of scripts/bench/kafka-clients.ts: one Kafka client sends a file of JSON lines
// to one topic with the relay's settings (acks=all, snappy, `--per-request` messages per produce
// call, null keys, one random partition per call, `--concurrency` calls in flight), each line's
// bytes made beforehand (the relay encodes at admission): views of the file read whole. Clients:
// - kafkajs: kafkajs's producer, producer.send() with snappy through snappyjs (the codec the relay
//   registered before it wrote its own batches: git show 490dc17:src/exporters/kafka/snappy-codec.ts);
// - relay: the relay's produce path (record-batch.ts's encodeRecordBatch + transport.ts's produce);
// - platformatic: @platformatic/kafka's Producer.send(), loaded from `--platformatic` (its dist/index.js),
//   CRC-32C through the native @node-rs/crc32 (an optional dependency);
// - platformatic-wasm: the same from an install without optional dependencies: CRC-32C in its
//   WebAssembly, as in a `bun build --compile` binary (where the native addon is not loaded).
// Talks to its parent over stdio: connects and sends one warm-up message, prints `ready`, waits for a
// `go` line, produces, prints `done {"wallMs":…}`, waits for stdin to close, disconnects and exits.
// Usage: bun scripts/bench/kafka-clients-child.ts --client relay --broker H:P --topic T --lines FILE
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { CompressionCodecs, CompressionTypes, Kafka, logLevel } from 'kafkajs'
import { encodeRecordBatch } from '../../src/exporters/kafka/record-batch.ts'
import { createKafkaTransport } from '../../src/exporters/kafka/transport.ts'
import { createLogger } from '../../src/observe/log.ts'
import { snappyBlockCompress, snappyBlockUncompress } from '../../src/util/snappy.ts'

export const CLIENTS = ['kafkajs', 'relay', 'platformatic', 'platformatic-wasm'] as const
export type Client = (typeof CLIENTS)[number]

/** The relay's partitions of a topic: startKafka()'s num.partitions. */
const PARTITIONS = 3
const TIMESTAMP_MS = 1_767_225_600_000

/** What the child uses of @platformatic/kafka (loaded at run time: it is not a project dependency). */
interface PlatformaticProducer {
  send(o: { messages: { topic: string; value: Buffer; partition: number }[] }): Promise<unknown>
  close(): Promise<void>
}
interface PlatformaticModule {
  Producer: new (o: Record<string, unknown>) => PlatformaticProducer
}

/** One produce call of `values` to one partition; resolves when the broker acknowledged it. */
type Send = (values: readonly Buffer[], partition: number) => Promise<void>

interface Opened {
  send: Send
  close(): Promise<void>
}

async function open(client: Client, broker: string, topic: string, platformatic: string): Promise<Opened> {
  switch (client) {
    case 'kafkajs': {
      CompressionCodecs[CompressionTypes.Snappy] = () => ({
        compress: (encoder: { buffer: Buffer }) => Promise.resolve(Buffer.from(snappyBlockCompress(encoder.buffer))),
        decompress: (buffer: Buffer) => Promise.resolve(Buffer.from(snappyBlockUncompress(buffer))),
      })
      const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: [broker], retry: { retries: 0 }, logLevel: logLevel.NOTHING })
      const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, retry: { retries: 0 } })
      await producer.connect()
      return {
        send: async (values, partition) => {
          await producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.Snappy,
            messages: values.map((value) => ({ value, partition, timestamp: String(TIMESTAMP_MS) })),
          })
        },
        close: () => producer.disconnect(),
      }
    }
    case 'relay': {
      const transport = createKafkaTransport({
        clientId: 'bench-relay',
        brokers: [broker],
        sasl: null,
        ssl: null,
        requestTimeoutMs: 30_000,
        log: createLogger({ write: () => {}, now: Date.now, level: 'error' }),
        random: Math.random,
      })
      return {
        // The partition is the transport's own random pick (opts.random), one per call as here.
        send: async (values) => {
          const records = values.map((line) => ({ line, timestampMs: TIMESTAMP_MS }))
          await transport.produce(topic, await encodeRecordBatch(records, 'snappy'))
        },
        close: () => transport.close(),
      }
    }
    case 'platformatic':
    case 'platformatic-wasm': {
      const mod = (await import(pathToFileURL(platformatic).href)) as PlatformaticModule
      const producer = new mod.Producer({
        clientId: 'bench-platformatic',
        bootstrapBrokers: [broker],
        acks: -1,
        compression: 'snappy',
        idempotent: false,
        retries: 0,
        autocreateTopics: true,
      })
      return {
        send: async (values, partition) => {
          await producer.send({
            messages: values.map((value) => ({ topic, value, partition, timestamp: BigInt(TIMESTAMP_MS) })),
          })
        },
        close: () => producer.close(),
      }
    }
  }
}

/** `concurrency` workers, each with one call in flight, take the next `perRequest` lines until none are left. */
export async function produceAll(send: Send, values: readonly Buffer[], perRequest: number, concurrency: number): Promise<void> {
  let next = 0
  const worker = async () => {
    for (;;) {
      const from = next
      if (from >= values.length) return
      next += perRequest
      await send(values.slice(from, from + perRequest), Math.floor(Math.random() * PARTITIONS))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

if (import.meta.main) {
  const { values: o } = parseArgs({
    options: {
      client: { type: 'string' },
      broker: { type: 'string' },
      topic: { type: 'string' },
      lines: { type: 'string' },
      'per-request': { type: 'string', default: '1024' },
      concurrency: { type: 'string', default: '4' },
      platformatic: { type: 'string', default: '' },
    },
  })
  const client = o.client as Client
  if (!CLIENTS.includes(client)) throw new Error(`--client: one of ${CLIENTS.join(', ')}`)
  const file = readFileSync(o.lines!)
  const values: Buffer[] = []
  for (let at = 0; at < file.length;) {
    const end = file.indexOf(10, at)
    const stop = end < 0 ? file.length : end
    if (stop > at) values.push(file.subarray(at, stop))
    at = stop + 1
  }
  const input = createInterface({ input: process.stdin })
  const lines = input[Symbol.asyncIterator]()
  const opened = await open(client, o.broker!, o.topic!, o.platformatic!)
  await opened.send([Buffer.from('warm-up')], 0)
  console.log('ready')
  if ((await lines.next()).value !== 'go') throw new Error('expected go')
  const t0 = performance.now()
  await produceAll(opened.send, values, Number(o['per-request']), Number(o.concurrency))
  console.log(`done ${JSON.stringify({ wallMs: performance.now() - t0 })}`)
  while (!(await lines.next()).done) {
    // until the parent has read this process's CPU time and peak RSS
  }
  await opened.close()
  process.exit(0)
}
