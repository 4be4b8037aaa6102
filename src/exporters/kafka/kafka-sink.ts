// Sends batches of Kafka JSON lines with one produce call: one message per record, value = the
// line, key null, timestamp = the record's end time, no headers, topic `topic` or
// `deepflow.<data-source>`. The sink writes each call's record batch itself (record-batch.ts: the
// queued lines' bytes framed, compressed once, one CRC) and the transport sends it as it is. One produce call per topic (uncompressed: per max-message-bytes of
// it); after a failure only the calls that did not get through are sent again. A batch the broker
// refuses as too large is split and sent record by record, so only the oversize record is dropped.
// Errors are classified once (classify.ts). The throttle time brokers ask (quotas) is counted; the
// transport honours it (throttle.ts).
import type { ExporterConfig } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import { failed, retryable, type SendResult, type Sink } from '../../pipeline/send-result.ts'
import { releaseLine } from '../../encode/line-writer.ts'
import type { JsonItem } from '../json-plan.ts'
import { classifyKafkaError, describeKafkaError, type KafkaErrorKind } from './classify.ts'
import { encodeRecordBatch } from './record-batch.ts'
import type { KafkaTransport } from './transport.ts'

export const TOPIC_PREFIX = 'deepflow.'

export interface KafkaMetrics {
  readonly produceRequests: Counter<'exporter' | 'outcome'>
  readonly bytesSent: Counter<'exporter'>
  readonly errors: Counter<'exporter' | 'kind'>
  /** Seconds of throttle brokers asked in their produce answers (over a quota). */
  readonly throttle: Counter<'exporter'>
}

export interface KafkaSinkDeps {
  readonly exporter: ExporterConfig
  /** The exporter's transport, created (and kafkajs loaded) on first use. */
  readonly transport: () => Promise<KafkaTransport>
  readonly log: Logger
  readonly metrics: KafkaMetrics
}

export const KAFKA_ERROR_KINDS: readonly KafkaErrorKind[] = [
  'too_large',
  'authentication',
  'connection',
  'timeout',
  'retriable',
  'rejected',
]

export function topicOf(exporter: ExporterConfig, dataSource: string): string {
  return exporter.topic ?? `${TOPIC_PREFIX}${dataSource}`
}

function group(exporter: ExporterConfig, batch: readonly JsonItem[]): Map<string, JsonItem[]> {
  const topics = new Map<string, JsonItem[]>()
  for (const item of batch) {
    const topic = topicOf(exporter, item.dataSource)
    let list = topics.get(topic)
    if (list === undefined) topics.set(topic, list = [])
    list.push(item)
  }
  return topics
}

/** Bytes a record adds to a record batch besides its value (length, attributes, deltas, key, headers). */
const RECORD_OVERHEAD = 32

/**
 * Produce calls of one topic. Uncompressed, a record batch is as large as its records, and the
 * broker refuses one over its message.max.bytes: the items go in calls of at most
 * max-message-bytes, as sarama (DeepFlow's client) cuts its message sets. Compressed, the size
 * the broker checks is not known before compressing: one call, split only if the broker refuses it.
 */
function calls(exporter: ExporterConfig, items: readonly JsonItem[]): JsonItem[][] {
  if (exporter.compression !== 'none') return [[...items]]
  const out: JsonItem[][] = []
  let current: JsonItem[] = []
  let bytes = 0
  for (const item of items) {
    const size = item.bytes + RECORD_OVERHEAD
    if (current.length > 0 && bytes + size > exporter.maxMessageBytes) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += size
  }
  if (current.length > 0) out.push(current)
  return out
}

export function createKafkaSink(deps: KafkaSinkDeps): Sink<JsonItem> {
  const { exporter, metrics, log } = deps
  const name = exporter.name
  metrics.produceRequests.touch(name, 'ok')
  metrics.produceRequests.touch(name, 'error')
  metrics.bytesSent.touch(name)
  for (const kind of KAFKA_ERROR_KINDS) metrics.errors.touch(name, kind)
  metrics.throttle.touch(name)
  /** Made by the first send: closing an exporter that never sent opens nothing (nor loads the client). */
  let opened: Promise<KafkaTransport> | undefined
  const transport = () => (opened ??= deps.transport())

  /** Items of a batch being retried that already reached Kafka (their topic's produce succeeded). */
  const delivered = new WeakSet<JsonItem>()

  const failure = async (err: unknown): Promise<{ kind: KafkaErrorKind; error: string }> => {
    const kind = classifyKafkaError(err)
    const error = describeKafkaError(err)
    metrics.produceRequests.inc([name, 'error'])
    metrics.errors.inc([name, kind])
    if (kind === 'authentication') {
      log.warnOncePerBurst(`${name}:authentication`, 'Kafka authentication failed; retrying (fix the sasl settings: no restart needed)', {
        exporter: name,
        error,
      })
    }
    if (kind !== 'too_large' && kind !== 'rejected') {
      await (await transport()).reset(kind === 'connection' || kind === 'authentication' || kind === 'timeout')
    }
    return { kind, error }
  }

  /**
   * One produce call per topic (or per max-message-bytes of it, uncompressed), in parallel:
   * undefined when all worked, else the first error. Items whose call worked are remembered, so
   * the retry of the batch does not send them twice.
   */
  const produce = async (batch: readonly JsonItem[]): Promise<{ kind: KafkaErrorKind; error: string } | undefined> => {
    const topics = group(exporter, batch.filter((item) => !delivered.has(item)))
    const produceCalls = [...topics].flatMap(([topic, items]) => calls(exporter, items).map((chunk) => [topic, chunk] as const))
    const results = await Promise.allSettled(produceCalls.map(async ([topic, items]) => {
      const recordBatch = await encodeRecordBatch(items, exporter.compression)
      const throttleMs = await (await transport()).produce(topic, recordBatch)
      metrics.produceRequests.inc([name, 'ok'])
      if (throttleMs > 0) metrics.throttle.inc([name], throttleMs / 1000)
      metrics.bytesSent.inc([name], items.reduce((n, item) => n + item.bytes, 0))
      for (const item of items) delivered.add(item)
    }))
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    return rejected === undefined ? undefined : await failure(rejected.reason)
  }

  const outcome = (f: { kind: KafkaErrorKind; error: string }): SendResult =>
    f.kind === 'rejected' ? failed(f.error, 'rejected_by_endpoint') : retryable(f.error)

  return {
    async send(batch) {
      const first = await produce(batch)
      if (first === undefined) return { status: 'ok' }
      if (first.kind !== 'too_large') return outcome(first)
      // Record by record: only what the broker refuses as too large is dropped.
      let tooLarge = 0
      for (const item of batch) {
        if (delivered.has(item)) continue
        const single = await produce([item])
        if (single === undefined) continue
        if (single.kind === 'too_large') tooLarge++
        else return outcome(single)
      }
      return { status: 'ok', tooLarge }
    },
    async close() {
      if (opened !== undefined) await (await opened).close()
    },
    /**
     * The batch left its worker for good: its lines' bytes are reused. Every produce call of it has
     * settled by then, and each call's record batch was a copy of them.
     */
    release(batch) {
      for (const item of batch) releaseLine(item.line)
    },
  }
}
