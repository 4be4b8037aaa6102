// The only file that uses kafkajs (with kafkajs-idle-fix.ts and kafkajs-throttle-fix.ts, which mend
// its request queue): per
// exporter one kafkajs cluster (what its producer uses: bootstrap, metadata, leaders, connections,
// SASL, TLS), over which the relay sends its own Produce requests (v3 to v7, as the broker speaks)
// carrying the record batches the sink wrote (record-batch.ts); kafkajs's response decoders read the
// answers into its errors. acks = all, no idempotence (as DeepFlow), null keys, one random partition
// per call, kafkajs's own retries off (the relay's retry loop owns the budget). kafkajs's producer
// made an object per message and encoded every one anew (about 40 µs of CPU per 2 KB line). A
// broker's throttle (quotas) is honoured, never taken for a failed send (throttle.ts): from v6
// kafkajs holds the connection's next requests and the patch moves the deadlines of those in flight;
// before v6 the broker holds its answer and the request timeout allows for it. A swap of Kafka client
// touches these files alone.
/// <reference path="./kafkajs-internals.d.ts" />
import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import produceV3 from 'kafkajs/src/protocol/requests/produce/v3/response.js'
import produceV4 from 'kafkajs/src/protocol/requests/produce/v4/response.js'
import produceV5 from 'kafkajs/src/protocol/requests/produce/v5/response.js'
import produceV6 from 'kafkajs/src/protocol/requests/produce/v6/response.js'
import produceV7 from 'kafkajs/src/protocol/requests/produce/v7/response.js'
import type { Logger } from '../../observe/log.ts'
import './kafkajs-idle-fix.ts'
import './kafkajs-throttle-fix.ts'
import { produceRequestBody } from './record-batch.ts'
import { heldResponseAllowanceMs, holdInflight, type InflightRequest } from './throttle.ts'

const PRODUCE_API_KEY = 0
/** Record batches (magic 2) need Produce v3; v4–v7 have the same request fields, v6+ the client-side throttle. */
const MIN_PRODUCE_VERSION = 3
const MAX_PRODUCE_VERSION = 7
/** From v6 the broker answers at once and the client waits the throttle (KIP-219); before, the broker holds its answer. */
const CLIENT_SIDE_THROTTLE_VERSION = 6
const PRODUCE_RESPONSES: Record<number, KafkaResponse> = { 3: produceV3, 4: produceV4, 5: produceV5, 6: produceV6, 7: produceV7 }
const ACKS_ALL = -1
/** kafkajs's producer default. */
const METADATA_MAX_AGE_MS = 300_000

/** A kafkajs response decoder: reads the bytes, then throws kafkajs's error for a failed partition. */
interface KafkaResponse {
  decode(raw: Buffer): Promise<unknown>
  parse(decoded: unknown): Promise<unknown>
}

/** What kafkajs's Produce decoders read besides the partitions: v3–v5 `throttleTime`, v6+ `clientSideThrottleTime`. */
interface ProduceAnswer {
  readonly throttleTime?: number
  readonly clientSideThrottleTime?: number
}

/** One of a broker's kafkajs connections. */
interface Connection {
  send(request: { request: object; response: KafkaResponse; requestTimeout: number }): Promise<unknown>
  readonly requestQueue: { readonly inflight: Map<number, InflightRequest> }
}

/** The part of kafkajs's cluster (its producer's, not in its typings) the transport uses. */
interface Cluster {
  isConnected(): boolean
  connect(): Promise<void>
  disconnect(): Promise<void>
  addMultipleTargetTopics(topics: string[]): Promise<void>
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader?: number | null }[]
  findBroker(o: { nodeId: string }): Promise<Broker>
}

interface Broker {
  readonly nodeId: number | null
  readonly versions: Record<number, { minVersion: number; maxVersion: number }> | null
  readonly connectionPool: { getConnectionByRequest(o: { request: { apiKey: number } }): Promise<Connection> }
  disconnect(): Promise<void>
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
  readonly log: Logger
  /** Picks the partition of each produce call (injected randomness). */
  readonly random: () => number
  /** The newest Produce version to use (default v7); tests pin an older one to see an older broker's ways. */
  readonly maxProduceVersion?: number
}

export interface KafkaTransport {
  /**
   * One Produce request of one record batch (record-batch.ts) to one random partition of `topic`,
   * acks = all; throws kafkajs errors, classified by the caller. Resolves to the throttle time the
   * broker asked in its answer (ms; 0 when not throttled).
   */
  produce(topic: string, batch: Uint8Array): Promise<number>
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
  let cluster: Cluster | undefined
  /** Produce v3–v5: the longest throttle each broker (by node id) reported holding an answer for. */
  const longestHeld = new Map<number | null, number>()
  /**
   * Topics known to exist with a leader (so a first produce does not race auto-creation), with
   * their partition count when the broker told it (undefined: read from the cluster's metadata).
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
      opts.log.debug('kafka: no topic metadata ahead; read at the first produce', {
        exporter: opts.clientId,
        topics: missing,
        error: (err as { name?: string }).name,
      })
    } finally {
      await admin.disconnect().catch(() => {})
    }
    for (const t of missing) if (!ready.has(t)) ready.set(t, undefined)
  }

  /** kafkajs's cluster (metadata, leaders, connections, SASL, TLS), made as its producer makes it. */
  const ensureCluster = async (): Promise<Cluster> => {
    if (cluster === undefined) {
      const kafka = client()
      const create = Object.getOwnPropertySymbols(kafka).find((sym) => sym.description === 'private:Kafka:createCluster')
      if (create === undefined) throw new Error('kafkajs: no createCluster (an unknown kafkajs version)')
      const make = (kafka as unknown as Record<symbol, (o: object) => Cluster>)[create]!
      cluster = make({
        metadataMaxAge: METADATA_MAX_AGE_MS,
        allowAutoTopicCreation: true,
        maxInFlightRequests: null,
        instrumentationEmitter: null,
      })
    }
    if (!cluster.isConnected()) await cluster.connect()
    return cluster
  }

  /**
   * Null keys, as DeepFlow. A produce call of one topic goes to one random partition (what Kafka's
   * own clients do for null keys, the "sticky" partitioner): the broker then takes or refuses the
   * call whole, so a retry never duplicates part of it. Over many calls the partitions are used
   * evenly, as with DeepFlow's random partitioner.
   */
  const leaderFor = async (c: Cluster, topic: string): Promise<{ broker: Broker; partition: number }> => {
    await c.addMultipleTargetTopics([topic])
    const partitions = c.findTopicPartitionMetadata(topic)
    const n = ready.get(topic) ?? partitions.length
    if (n === 0) throw Object.assign(new Error(`no partitions known for topic ${topic}`), { name: 'KafkaJSBrokerNotFound' })
    const partition = Math.floor(opts.random() * n)
    const meta = partitions.find((p) => p.partitionId === partition)
    if (meta === undefined || meta.leader === null || meta.leader === undefined || meta.leader < 0) {
      throw Object.assign(new Error(`no leader known for ${topic}/${partition}`), { name: 'KafkaJSBrokerNotFound' })
    }
    return { broker: await c.findBroker({ nodeId: String(meta.leader) }), partition }
  }

  return {
    async produce(topic, batch) {
      const c = await ensureCluster()
      await ensureTopics([topic])
      const { broker, partition } = await leaderFor(c, topic)
      const version = Math.min(
        opts.maxProduceVersion ?? MAX_PRODUCE_VERSION,
        MAX_PRODUCE_VERSION,
        broker.versions?.[PRODUCE_API_KEY]?.maxVersion ?? MIN_PRODUCE_VERSION,
      )
      if (version < MIN_PRODUCE_VERSION) {
        throw Object.assign(new Error(`broker ${broker.nodeId} speaks Produce up to v${version}; record batches need v3 (Kafka 0.11)`), {
          name: 'KafkaJSNonRetriableError',
          retriable: false,
        })
      }
      const body = Buffer.from(produceRequestBody(topic, partition, ACKS_ALL, opts.requestTimeoutMs, batch).buffer)
      const request = {
        apiKey: PRODUCE_API_KEY,
        apiVersion: version,
        apiName: 'Produce',
        expectResponse: () => true,
        // kafkajs's request framing copies a payload's `buffer` (what its Encoder hands it).
        encode: () => Promise.resolve({ buf: body, buffer: body }),
      }
      const clientSide = version >= CLIENT_SIDE_THROTTLE_VERSION
      // Before v6 the broker may hold the answer for a throttle time: the timeout allows for it.
      const requestTimeout = opts.requestTimeoutMs + (clientSide ? 0 : heldResponseAllowanceMs(longestHeld.get(broker.nodeId) ?? 0))
      try {
        const connection = await broker.connectionPool.getConnectionByRequest({ request })
        // v6 and later: kafkajs holds the connection's next requests for the throttle time the broker
        // asks (KIP-219), and kafkajs-throttle-fix.ts moves the deadlines of those in flight.
        const answer = await connection.send({ request, response: PRODUCE_RESPONSES[version]!, requestTimeout }) as ProduceAnswer
        if (clientSide) return answer.clientSideThrottleTime ?? 0
        const held = answer.throttleTime ?? 0
        if (held > 0) {
          // The broker read nothing more while it held this answer: the requests behind it start now.
          longestHeld.set(broker.nodeId, Math.max(held, longestHeld.get(broker.nodeId) ?? 0))
          holdInflight(connection.requestQueue.inflight.values(), Date.now())
        }
        return held
      } catch (err) {
        if ((err as { name?: string }).name === 'KafkaJSConnectionClosedError') await broker.disconnect().catch(() => {})
        throw err
      }
    },
    async reset(nextBroker) {
      if (nextBroker) rotation++
      ready.clear() // partition counts may have changed; topics are looked up again
      const c = cluster
      cluster = undefined
      await c?.disconnect().catch(() => {})
    },
    async close() {
      const c = cluster
      cluster = undefined
      await c?.disconnect().catch(() => {})
    },
  }
}
