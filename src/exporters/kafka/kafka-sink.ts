// Sends batches of Kafka JSON lines with one produce call: one message per record, value = the
// line, key null, timestamp = the record's end time, no headers, topic `topic` or
// `deepflow.<data-source>`. A batch the broker refuses as too large is split and sent record by
// record, so only the oversize record is dropped. Errors are classified once (classify.ts).
import type { ExporterConfig } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import { failed, retryable, type SendResult, type Sink } from '../../pipeline/send-result.ts'
import type { JsonItem } from '../json-plan.ts'
import { classifyKafkaError, describeKafkaError, type KafkaErrorKind } from './classify.ts'
import type { KafkaTransport, ProduceMessage } from './transport.ts'

export const TOPIC_PREFIX = 'deepflow.'

export interface KafkaMetrics {
  readonly produceRequests: Counter<'exporter' | 'outcome'>
  readonly bytesSent: Counter<'exporter'>
  readonly errors: Counter<'exporter' | 'kind'>
}

export interface KafkaSinkDeps {
  readonly exporter: ExporterConfig
  readonly transport: () => KafkaTransport
  readonly log: Logger
  readonly metrics: KafkaMetrics
}

export const KAFKA_ERROR_KINDS: readonly KafkaErrorKind[] = ['too_large', 'authentication', 'connection', 'timeout', 'retriable', 'rejected']

export function topicOf(exporter: ExporterConfig, dataSource: string): string {
  return exporter.topic ?? `${TOPIC_PREFIX}${dataSource}`
}

function group(exporter: ExporterConfig, batch: readonly JsonItem[]): Map<string, ProduceMessage[]> {
  const topics = new Map<string, ProduceMessage[]>()
  for (const item of batch) {
    const topic = topicOf(exporter, item.dataSource)
    let list = topics.get(topic)
    if (list === undefined) topics.set(topic, (list = []))
    list.push({ value: item.line, timestampMs: item.timestampMs })
  }
  return topics
}

export function createKafkaSink(deps: KafkaSinkDeps): Sink<JsonItem> {
  const { exporter, metrics, log } = deps
  const name = exporter.name
  metrics.produceRequests.touch(name, 'ok')
  metrics.produceRequests.touch(name, 'error')
  metrics.bytesSent.touch(name)
  for (const kind of KAFKA_ERROR_KINDS) metrics.errors.touch(name, kind)

  /** One produce call: undefined when it worked, else the error's kind and text. */
  const produce = async (batch: readonly JsonItem[]): Promise<{ kind: KafkaErrorKind; error: string } | undefined> => {
    try {
      await deps.transport().produce(group(exporter, batch))
      metrics.produceRequests.inc([name, 'ok'])
      metrics.bytesSent.inc([name], batch.reduce((n, item) => n + item.bytes, 0))
      return undefined
    } catch (err) {
      const kind = classifyKafkaError(err)
      const error = describeKafkaError(err)
      metrics.produceRequests.inc([name, 'error'])
      metrics.errors.inc([name, kind])
      if (kind === 'authentication') {
        log.warnOncePerBurst(`${name}:authentication`, 'Kafka authentication failed; retrying (fix the sasl settings: no restart needed)', { exporter: name, error })
      }
      if (kind !== 'too_large' && kind !== 'rejected') {
        await deps.transport().reset(kind === 'connection' || kind === 'authentication' || kind === 'timeout')
      }
      return { kind, error }
    }
  }

  const outcome = (failure: { kind: KafkaErrorKind; error: string }): SendResult =>
    failure.kind === 'rejected' ? failed(failure.error, 'rejected_by_endpoint') : retryable(failure.error)

  return {
    async send(batch) {
      const failure = await produce(batch)
      if (failure === undefined) return { status: 'ok' }
      if (failure.kind !== 'too_large') return outcome(failure)
      // Record by record: only what the broker refuses as too large is dropped. Records sent before
      // a later retryable failure are sent again with the batch (at least once).
      let tooLarge = 0
      for (const item of batch) {
        const single = batch.length === 1 ? failure : await produce([item])
        if (single === undefined) continue
        if (single.kind === 'too_large') tooLarge++
        else return outcome(single)
      }
      return { status: 'ok', tooLarge }
    },
    async close() {
      await deps.transport().close()
    },
  }
}
