// The only file that uses kafkajs (with kafkajs-idle-fix.ts, which mends its request queue): one
// producer per exporter, acks = all, no idempotence (as DeepFlow), null keys (random partition),
// kafkajs's own retries off (the relay's retry loop owns the budget), snappy through snappyjs. A
// swap of Kafka client touches these files alone.
import { CompressionCodecs, CompressionTypes, Kafka, logLevel, Partitioners, type Producer, type SASLOptions } from 'kafkajs'
import type { KafkaCompression } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import { snappyCompress, snappyDecompress } from './snappy-codec.ts'
import './kafkajs-idle-fix.ts'

CompressionCodecs[CompressionTypes.Snappy] = () => ({
  compress: (encoder: { buffer: Buffer }) => Promise.resolve(Buffer.from(snappyCompress(encoder.buffer))),
  decompress: (buffer: Buffer) => Promise.resolve(Buffer.from(snappyDecompress(buffer))),
})

const COMPRESSION: Record<KafkaCompression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
}

export interface KafkaTransportOptions {
  readonly clientId: string
  /** Bootstrap brokers, already shuffled: a failed connection moves on to the next one. */
  readonly brokers: readonly string[]
  readonly sasl:
    | { readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; readonly username: string; readonly password: string }
    | null
  /** TLS towards the brokers, or null for plaintext. */
  readonly ssl: { readonly ca: string | null; readonly insecureSkipVerify: boolean } | null
  readonly requestTimeoutMs: number
  readonly compression: KafkaCompression
  readonly log: Logger
  /** Picks the partition of each produce call (injected randomness). */
  readonly random: () => number
}

export interface ProduceMessage {
  /** The message value (a JSON line's UTF-8 bytes). */
  readonly value: string | Uint8Array
  readonly timestampMs: number
}

export interface KafkaTransport {
  /** One produce call (kafkajs sendBatch); throws kafkajs errors, classified by the caller. */
  produce(topics: ReadonlyMap<string, readonly ProduceMessage[]>): Promise<void>
  /**
   * Drops the connections; the next produce connects again (fresh metadata), starting from the
   * next bootstrap broker when `nextBroker` (kafkajs would start from the first one again).
   */
  reset(nextBroker: boolean): Promise<void>
  close(): Promise<void>
}

function saslOptions(sasl: NonNullable<KafkaTransportOptions['sasl']>): SASLOptions {
  const { username, password } = sasl
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password }
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password }
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password }
  }
}

export function createKafkaTransport(opts: KafkaTransportOptions): KafkaTransport {
  let rotation = 0
  const client = () =>
    new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers.map((_b, i) => opts.brokers[(i + rotation) % opts.brokers.length]!),
      ...(opts.ssl === null
        ? {}
        : { ssl: { ...(opts.ssl.ca === null ? {} : { ca: [opts.ssl.ca] }), rejectUnauthorized: !opts.ssl.insecureSkipVerify } }),
      ...(opts.sasl === null ? {} : { sasl: saslOptions(opts.sasl) }),
      connectionTimeout: Math.min(opts.requestTimeoutMs, 10_000),
      requestTimeout: opts.requestTimeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log }) => {
        opts.log.debug('kafkajs', { exporter: opts.clientId, kafkajs_level: logLevel[level], message: log.message, broker: log.broker })
      },
    })
  let producer: Producer | undefined
  let connected = false
  /**
   * Topics known to exist with a leader (so a first produce does not race auto-creation), with
   * their partition count when the broker told it (undefined: leave partitioning to kafkajs).
   */
  const ready = new Map<string, number | undefined>()

  const ensureTopics = async (topics: readonly string[]): Promise<void> => {
    const missing = topics.filter((t) => !ready.has(t))
    if (missing.length === 0) return
    const admin = client().admin({ retry: { retries: 0 } })
    try {
      await admin.connect()
      // What the broker's auto-creation would make (its default partitions and replication),
      // waiting for the leaders; an existing topic is fine, a refusal (ACLs) leaves it to the broker.
      await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true, timeout: opts.requestTimeoutMs })
        .catch((err: unknown) => {
          const name = (err as { type?: string }).type ?? (err as { name?: string }).name
          opts.log.debug('kafka: topics not created ahead; left to the broker', { exporter: opts.clientId, topics: missing, error: name })
        })
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: missing })
      for (const t of meta) ready.set(t.name, t.partitions.length > 0 ? t.partitions.length : undefined)
    } catch (err) {
      opts.log.debug('kafka: no topic metadata ahead; kafkajs partitions', {
        exporter: opts.clientId,
        topics: missing,
        error: (err as { name?: string }).name,
      })
    } finally {
      await admin.disconnect().catch(() => {})
    }
    for (const t of missing) if (!ready.has(t)) ready.set(t, undefined)
  }

  /**
   * Null keys, as DeepFlow. A produce call of one topic goes to one random partition (what Kafka's
   * own clients do for null keys, the "sticky" partitioner): the broker then takes or refuses the
   * call whole, so a retry never duplicates part of it. Over many calls the partitions are used
   * evenly, as with DeepFlow's random partitioner.
   */
  const partitionFor = (topic: string): number | undefined => {
    const n = ready.get(topic)
    return n === undefined ? undefined : Math.floor(opts.random() * n)
  }

  const ensure = async (): Promise<Producer> => {
    producer ??= client().producer({
      allowAutoTopicCreation: true,
      idempotent: false,
      retry: { retries: 0 },
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    if (!connected) {
      await producer.connect()
      connected = true
    }
    return producer
  }

  return {
    async produce(topics) {
      const p = await ensure()
      await ensureTopics([...topics.keys()])
      await p.sendBatch({
        acks: -1,
        timeout: opts.requestTimeoutMs,
        compression: COMPRESSION[opts.compression],
        topicMessages: [...topics].map(([topic, messages]) => {
          const partition = partitionFor(topic)
          return {
            topic,
            messages: messages.map((m) => ({
              key: null,
              value: typeof m.value === 'string' ? m.value : Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength),
              timestamp: String(m.timestampMs),
              ...(partition === undefined ? {} : { partition }),
            })),
          }
        }),
      })
    },
    async reset(nextBroker) {
      if (nextBroker) rotation++
      ready.clear() // partition counts may have changed; topics are looked up again
      connected = false
      const p = producer
      producer = undefined
      await p?.disconnect().catch(() => {})
    },
    async close() {
      connected = false
      await producer?.disconnect().catch(() => {})
    },
  }
}
