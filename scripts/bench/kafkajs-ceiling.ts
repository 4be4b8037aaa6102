// What kafkajs alone costs per message (the ceiling of the relay's Kafka path on one core): the
// relay's own Kafka transport (kafkajs, acks=all, snappy through snappyjs) produces the benchmark's
// pre-rendered JSON lines to a real broker in calls of 1024, one at a time, and this process's CPU
// time per message is printed. kcat -P does the same work in BENCHMARKS.md's Kafka comparison.
// Usage: bun scripts/bench/kafkajs-ceiling.ts [--messages 50000] [--compression snappy|gzip|none]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { KafkaCompression } from '../../src/config/types.ts'
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
    compression: values.compression as KafkaCompression,
    log: createLogger({ write: () => {}, now: Date.now, level: 'error' }),
    random: Math.random,
  })
  await transport.produce(new Map([['ceiling', [{ value: 'warm-up', timestampMs: Date.now() }]]]))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < lines.length; i += 1024) {
    await transport.produce(new Map([['ceiling', lines.slice(i, i + 1024).map((value) => ({ value, timestampMs: 1_767_225_600_000 }))]]))
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const perMessage = (cpu.user + cpu.system) / lines.length
  console.log(
    `kafkajs, ${values.compression}: ${lines.length} messages in ${wallMs.toFixed(0)} ms, ${
      perMessage.toFixed(1)
    } µs CPU per message: at most ${Math.round(1e6 / perMessage)} messages/s on one core`,
  )
  await transport.close()
} finally {
  await broker.destroy()
}
