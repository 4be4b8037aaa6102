// The lines of the stdout and Kafka exporters in memory: each queue's lines are cut from slabs of
// their own (a lane per queue), and a batch a sink is done with gives its lines' slabs back for the
// lines that follow (util/slabs.ts), instead of leaving them to a full collection.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dataSource } from '../../src/deepflow/schema.ts'
import { createTimeFormatter } from '../../src/encode/time-str.ts'
import { compileJsonPlans, type JsonItem } from '../../src/exporters/json-plan.ts'
import { decodeRecordBatch } from '../helpers/kafka-batch.ts'
import { createKafkaSink } from '../../src/exporters/kafka/kafka-sink.ts'
import type { KafkaTransport } from '../../src/exporters/kafka/transport.ts'
import { createStdoutSink } from '../../src/exporters/stdout/stdout-sink.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import type { Sink } from '../../src/pipeline/send-result.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { EMPTY_DICTIONARY } from '../../src/translate/dictionary.ts'
import { exporterFromYaml } from '../helpers/encode.ts'

const DS = 'flow_metrics.network.1m'

function encoder(queueCount: number) {
  const exporter = exporterFromYaml(`data-sources: [${DS}]\nexport-fields: [byte_tx, ip4]\nqueue-count: ${queueCount}`)
  const plan = compileJsonPlans(exporter, { dictionary: { current: EMPTY_DICTIONARY }, formatTime: createTimeFormatter('UTC') }).get(DS)!
  const normalize = compileNormalizer(dataSource(DS)!)
  return (n: number) => {
    const r = normalize({ time: 1715133600, byte_tx: n, ip4: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` })
    assert.ok(r.ok)
    const { item, seriesHash } = plan.encode(r.record)
    return { item, queue: seriesHash % queueCount }
  }
}

test('the lines of each queue are cut from slabs of their own (a lane per queue: hash modulo queue-count)', () => {
  const encode = encoder(3)
  const cut = Array.from({ length: 60 }, (_, n) => encode(n))
  assert.equal(new Set(cut.map((c) => c.queue)).size, 3, 'the records go to all three queues')
  for (const a of cut) {
    for (const b of cut) if (a.queue !== b.queue) assert.notEqual(a.item.line.buffer, b.item.line.buffer, 'two queues never share a slab')
  }
})

/** The two sinks of JSON lines; `sent` reads back what each sent, one string per record. */
function sinks(): { name: string; sink: Sink<JsonItem>; sent: () => string[] }[] {
  const written: string[] = []
  const stdout = createStdoutSink((data) => {
    written.push(...new TextDecoder().decode(data as Uint8Array).split('\n').filter((l) => l !== ''))
    return Promise.resolve()
  })
  const produced: string[] = []
  const transport: KafkaTransport = {
    produce(_topic, batch) {
      // The record batch is a copy of the lines, made before the sink lets them go.
      for (const r of decodeRecordBatch(batch).records) produced.push(r.value)
      return Promise.resolve(0)
    },
    reset: () => Promise.resolve(),
    close: () => Promise.resolve(),
  }
  const metrics = createRelayMetrics()
  const kafka = createKafkaSink({
    exporter: exporterFromYaml(`data-sources: [${DS}]\nexport-fields: [$tag]`),
    log: createLogger({ write: () => {}, now: () => 0, level: 'error' }),
    transport: () => Promise.resolve(transport),
    metrics: {
      produceRequests: metrics.kafkaRequests,
      bytesSent: metrics.kafkaBytes,
      errors: metrics.kafkaErrors,
      throttle: metrics.kafkaThrottle,
    },
  })
  return [{ name: 'stdout', sink: stdout, sent: () => written }, { name: 'kafka', sink: kafka, sent: () => produced }]
}

for (const { name, sink, sent } of sinks()) {
  test(`a batch the ${name} sink sent and released gives its slab back: later lines are cut from it, and what was sent is intact`, async () => {
    const encode = encoder(1)
    const items: JsonItem[] = []
    for (let n = 0; items.length === 0 || items.at(-1)!.line.buffer === items[0]!.line.buffer; n++) items.push(encode(n).item)
    const first = items[0]!.line.buffer
    const batch = items.filter((i) => i.line.buffer === first)
    assert.deepEqual(await sink.send(batch, new AbortController().signal), { status: 'ok' })
    sink.release?.(batch)
    let reused: JsonItem | undefined
    for (let n = 100_000; reused === undefined && n < 102_000; n++) {
      const { item } = encode(n)
      if (item.line.buffer === first) reused = item
    }
    assert.ok(reused !== undefined, 'once the current slab is full, the released one is cut again')
    assert.equal(reused.line.byteOffset, 0)
    assert.equal(sent().length, batch.length, 'one line per record')
    assert.equal(
      sent()[0],
      '{"datasource":"flow_metrics.network.1m","byte_tx":0,"ip4":"10.0.0.0","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
      'as sent before the slab was reused',
    )
  })
}
