// The Kafka sink alone, through a fake of its transport seam (what build-exporter hands it): the
// produce calls a batch becomes, how a transport error is classified and what it does to the batch
// and the connection, and a record too large for the broker dropped alone.
import test from 'node:test'
import assert from 'node:assert/strict'
import type { ExporterConfig } from '../../../src/config/types.ts'
import type { JsonItem } from '../../../src/exporters/json-plan.ts'
import { createKafkaSink } from '../../../src/exporters/kafka/kafka-sink.ts'
import type { KafkaTransport } from '../../../src/exporters/kafka/transport.ts'
import { decodeRecordBatch } from '../../helpers/kafka-batch.ts'
import { createLogger } from '../../../src/observe/log.ts'
import { createRelayMetrics } from '../../../src/observe/relay-metrics.ts'
import { exporterFromYaml } from '../../helpers/encode.ts'

const BASE = exporterFromYaml('data-sources: [event.file_event, flow_log.l7_flow_log]\nexport-fields: [$tag]')
const NAME = BASE.name

/** A produce call as the test reads it: topic → its records (value, timestamp), decoded from the record batch. */
type Call = ReadonlyMap<string, readonly { value: string; timestampMs: number }[]>

/**
 * A transport that records produce calls and answers them with `answer` (throw = the error kafkajs
 * would throw; a number = the throttle the broker asked, ms).
 */
function fakeTransport(answer: (call: Call, n: number) => number | void = () => {}) {
  const calls: Call[] = []
  const resets: boolean[] = []
  let closed = 0
  let created = 0
  const transport: KafkaTransport = {
    produce(topic, batch) {
      const topics: Call = new Map([[topic, decodeRecordBatch(batch).records.map((r) => ({ value: r.value, timestampMs: r.timestampMs }))]])
      calls.push(topics)
      try {
        return Promise.resolve(answer(topics, calls.length - 1) ?? 0)
      } catch (err) {
        return Promise.reject(err)
      }
    },
    reset(nextBroker) {
      resets.push(nextBroker)
      return Promise.resolve()
    },
    close() {
      closed++
      return Promise.resolve()
    },
  }
  return {
    calls,
    resets,
    closed: () => closed,
    created: () => created,
    factory: () => (created++, Promise.resolve(transport)),
  }
}

function setup(overrides: Partial<ExporterConfig> = {}, answer?: (call: Call, n: number) => number | void) {
  const exporter: ExporterConfig = { ...BASE, ...overrides }
  const metrics = createRelayMetrics()
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: () => 0, level: 'debug' })
  const t = fakeTransport(answer)
  const sink = createKafkaSink({
    exporter,
    log,
    transport: t.factory,
    metrics: {
      produceRequests: metrics.kafkaRequests,
      bytesSent: metrics.kafkaBytes,
      errors: metrics.kafkaErrors,
      throttle: metrics.kafkaThrottle,
    },
  })
  const count = (c: { get(labels: readonly string[]): number }, ...labels: string[]) => c.get([NAME, ...labels])
  return { sink, t, metrics, logs, count }
}

const item = (dataSource: string, line: string, timestampMs = 1_715_133_600_000): JsonItem => ({
  dataSource,
  line: new TextEncoder().encode(line),
  timestampMs,
  bytes: new TextEncoder().encode(line).length,
  units: 1,
})
const EV = 'event.file_event'
const L7 = 'flow_log.l7_flow_log'
const signal = new AbortController().signal
/** A call as plain data: topic → message values. */
const plain = (call: Call) => Object.fromEntries([...call].map(([topic, messages]) => [topic, messages.map((m) => m.value)]))

test('a batch is one produce call per topic: deepflow.<data-source>, one message per record, its end time as timestamp', async () => {
  const { sink, t, metrics, count } = setup()
  const batch = [item(EV, '{"a":1}', 1000), item(L7, '{"b":22}', 2000), item(EV, '{"a":3}', 3000)]
  assert.deepEqual(await sink.send(batch, signal), { status: 'ok' })
  assert.deepEqual(t.calls.map(plain), [{ 'deepflow.event.file_event': ['{"a":1}', '{"a":3}'] }, {
    'deepflow.flow_log.l7_flow_log': ['{"b":22}'],
  }])
  assert.deepEqual(t.calls[0]!.get('deepflow.event.file_event')!, [
    { value: '{"a":1}', timestampMs: 1000 },
    { value: '{"a":3}', timestampMs: 3000 },
  ])
  assert.equal(count(metrics.kafkaRequests, 'ok'), 2)
  assert.equal(count(metrics.kafkaRequests, 'error'), 0)
  assert.equal(count(metrics.kafkaBytes), 7 + 8 + 7)
  assert.deepEqual(t.resets, [])
  assert.equal(t.created(), 1) // made by the first send, then reused
})

test('with topic set, every data source goes in one call to that topic', async () => {
  const { sink, t } = setup({ topic: 'all' })
  await sink.send([item(EV, 'e1'), item(L7, 'l1'), item(EV, 'e2')], signal)
  assert.deepEqual(t.calls.map(plain), [{ all: ['e1', 'l1', 'e2'] }])
})

test('uncompressed, a topic is cut in calls of at most max-message-bytes (32 bytes of overhead per record)', async () => {
  const line = 'x'.repeat(68) // 68 + 32 = 100 bytes a record
  const { sink, t, metrics, count } = setup({ compression: 'none', maxMessageBytes: 250 })
  await sink.send([1, 2, 3, 4, 5].map(() => item(EV, line)), signal)
  assert.deepEqual(t.calls.map((c) => c.get('deepflow.event.file_event')!.length), [2, 2, 1])
  assert.equal(count(metrics.kafkaRequests, 'ok'), 3)
  // compressed, the size is not known before compressing: one call
  const snappy = setup({ compression: 'snappy', maxMessageBytes: 250 })
  await snappy.sink.send([1, 2, 3, 4, 5].map(() => item(EV, line)), signal)
  assert.deepEqual(snappy.t.calls.map((c) => c.get('deepflow.event.file_event')!.length), [5])
})

test('transport errors: connection, timeout and retriable ones are retried, the connection reset; others are final', async () => {
  const cases: { err: unknown; kind: string; result: string; reset: boolean[] }[] = [
    {
      err: { name: 'KafkaJSConnectionError', message: 'Connection error: ECONNREFUSED', retriable: true },
      kind: 'connection',
      result: 'retryable',
      reset: [true],
    },
    {
      err: { name: 'KafkaJSRequestTimeoutError', message: 'Request Produce timed out', retriable: true },
      kind: 'timeout',
      result: 'retryable',
      reset: [true],
    },
    {
      err: { name: 'KafkaJSSASLAuthenticationError', message: 'SASL PLAIN authentication failed' },
      kind: 'authentication',
      result: 'retryable',
      reset: [true],
    },
    {
      err: { name: 'KafkaJSProtocolError', type: 'NOT_LEADER_FOR_PARTITION', message: 'not leader', retriable: true },
      kind: 'retriable',
      result: 'retryable',
      reset: [false],
    },
    {
      err: { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', message: 'not authorized', retriable: false },
      kind: 'rejected',
      result: 'failed',
      reset: [],
    },
  ]
  for (const c of cases) {
    const { sink, t, metrics, count, logs } = setup({}, () => {
      throw c.err
    })
    const result = await sink.send([item(EV, 'e1')], signal)
    assert.equal(result.status, c.result, c.kind)
    if (result.status === 'failed') assert.equal(result.reason, 'rejected_by_endpoint')
    assert.equal(count(metrics.kafkaErrors, c.kind), 1, c.kind)
    assert.equal(count(metrics.kafkaRequests, 'error'), 1, c.kind)
    assert.equal(count(metrics.kafkaRequests, 'ok'), 0, c.kind)
    assert.deepEqual(t.resets, c.reset, c.kind)
    assert.equal(logs.some((l) => String(l.msg).startsWith('Kafka authentication failed')), c.kind === 'authentication', c.kind)
  }
  const { sink } = setup({}, () => {
    throw { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', message: 'Not authorized to access topics', retriable: false }
  })
  assert.deepEqual(await sink.send([item(EV, 'e1')], signal), {
    status: 'failed',
    reason: 'rejected_by_endpoint',
    error: 'KafkaJSProtocolError TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics',
  })
})

test('after a partial failure the retry sends only the topics that did not get through', async () => {
  let failL7 = true
  const { sink, t, metrics, count } = setup({}, (call) => {
    if (call.has('deepflow.flow_log.l7_flow_log') && failL7) {
      failL7 = false
      throw { name: 'KafkaJSConnectionError', message: 'Connection error: ECONNRESET', retriable: true }
    }
  })
  const batch = [item(EV, 'e1'), item(L7, 'l1'), item(EV, 'e2')]
  assert.equal((await sink.send(batch, signal)).status, 'retryable')
  assert.deepEqual(await sink.send(batch, signal), { status: 'ok' })
  assert.deepEqual(t.calls.map(plain), [{ 'deepflow.event.file_event': ['e1', 'e2'] }, { 'deepflow.flow_log.l7_flow_log': ['l1'] }, {
    'deepflow.flow_log.l7_flow_log': ['l1'],
  }])
  assert.equal(count(metrics.kafkaRequests, 'ok'), 2)
  assert.equal(count(metrics.kafkaRequests, 'error'), 1)
})

test('a batch the broker refuses as too large is sent record by record: only the oversize record is dropped', async () => {
  const tooLarge = {
    name: 'KafkaJSProtocolError',
    type: 'MESSAGE_TOO_LARGE',
    message: 'The request included a message larger than the max message size',
    retriable: false,
  }
  const big = 'B'.repeat(2000)
  const { sink, t, metrics, count } = setup({}, (call) => {
    if ([...call.values()].some((messages) => messages.some((m) => m.value === big))) throw tooLarge
  })
  const result = await sink.send([item(EV, 'e1'), item(EV, big), item(EV, 'e2')], signal)
  assert.deepEqual(result, { status: 'ok', tooLarge: 1 })
  assert.deepEqual(t.calls.map(plain), [
    { 'deepflow.event.file_event': ['e1', big, 'e2'] },
    { 'deepflow.event.file_event': ['e1'] },
    { 'deepflow.event.file_event': [big] },
    { 'deepflow.event.file_event': ['e2'] },
  ])
  assert.equal(count(metrics.kafkaErrors, 'too_large'), 2)
  assert.equal(count(metrics.kafkaRequests, 'ok'), 2)
  assert.equal(count(metrics.kafkaBytes), 4)
  assert.deepEqual(t.resets, []) // too large is no connection problem
})

test('while splitting a too-large batch another error ends the send with that error', async () => {
  const { sink, t } = setup({}, (_call, n) => {
    if (n === 0) throw { name: 'KafkaJSProtocolError', type: 'RECORD_LIST_TOO_LARGE', retriable: false }
    if (n === 2) throw { name: 'KafkaJSConnectionError', message: 'Connection error: ECONNRESET', retriable: true }
  })
  const result = await sink.send([item(EV, 'e1'), item(EV, 'e2'), item(EV, 'e3')], signal)
  assert.equal(result.status, 'retryable')
  assert.equal(t.calls.length, 3)
  assert.deepEqual(t.resets, [true])
})

test('close closes the transport the sends opened; a sink that never sent opens none (nor loads the client)', async () => {
  const idle = setup()
  await idle.sink.close()
  assert.equal(idle.t.created(), 0)
  assert.equal(idle.t.closed(), 0)
  const { sink, t } = setup()
  assert.deepEqual(await sink.send([item(EV, '{"a":1}')], signal), { status: 'ok' })
  await sink.close()
  assert.equal(t.created(), 1)
  assert.equal(t.closed(), 1)
})

test('the throttle a broker asks in its produce answers is counted in seconds; the batch is delivered', async () => {
  const { sink, metrics, count } = setup({}, (_call, n) => (n === 0 ? 1500 : 0))
  assert.equal(count(metrics.kafkaThrottle), 0)
  const batch = [item(EV, '{"a":1}'), item(L7, '{"b":2}')]
  assert.deepEqual(await sink.send(batch, signal), { status: 'ok' })
  assert.equal(count(metrics.kafkaThrottle), 1.5)
  assert.equal(count(metrics.kafkaRequests, 'ok'), 2)
})
