// What the Kafka leg alone costs per message (the ceiling of the relay's Kafka path on one core):
// the benchmark's pre-rendered JSON lines, 1024 per call, made into record batches by the relay's
// writer (record-batch.ts: framing, one compression pass, CRC-32C) and sent one call at a time by its
// transport (kafkajs's connections, acks=all) to a real broker; this process's CPU time per message
// is printed. kcat -P does the same work in BENCHMARKS.md's Kafka comparison.
// Usage: bun scripts/bench/kafkajs-ceiling.ts [--messages 50000] [--compression snappy|gzip|none]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { KafkaCompression } from '../../src/config/types.ts'
import { encodeRecordBatch } from '../../src/exporters/kafka/record-batch.ts'
import { createKafkaTransport } from '../../src/exporters/kafka/transport.ts'
import { createLogger } from '../../src/observe/log.ts'
import { startKafka } from '../services/kafka.ts'
import { ensureDataset } from './data.ts'

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '50000' }, compression: { type: 'string', default: 'snappy' } },
})
const data = ensureDataset({ ds: 'flow_metrics.network.1s', records: 50_000, tagSets: 5_000 }, (m) => console.error(m))
const lines = readFileSync(data.files.kafka, 'utf8').split('\n').filter((l) => l !== '').slice(0, Number(values.messages))
const broker = await startKafka()
try {
  const transport = createKafkaTransport({
    clientId: 'ceiling',
    brokers: [broker.plaintext],
    sasl: null,
    ssl: null,
    requestTimeoutMs: 30_000,
    log: createLogger({ write: () => {}, now: Date.now, level: 'error' }),
    random: Math.random,
  })
  const utf8 = new TextEncoder()
  const compression = values.compression as KafkaCompression
  const records = lines.map((line) => ({ line: utf8.encode(line), timestampMs: 1_767_225_600_000 }))
  await transport.produce('ceiling', await encodeRecordBatch([{ line: utf8.encode('warm-up'), timestampMs: Date.now() }], compression))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < lines.length; i += 1024) {
    await transport.produce('ceiling', await encodeRecordBatch(records.slice(i, i + 1024), compression))
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const perMessage = (cpu.user + cpu.system) / lines.length
  console.log(
    `record batches + kafkajs connections, ${values.compression}: ${lines.length} messages in ${wallMs.toFixed(0)} ms, ${
      perMessage.toFixed(1)
    } µs CPU per message: at most ${Math.round(1e6 / perMessage)} messages/s on one core`,
  )
  await transport.close()
} finally {
  await broker.destroy()
}
