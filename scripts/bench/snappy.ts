// The Kafka path's compression, the relay's snappy compressor (src/util/snappy-compress.ts) beside
// snappyjs: the records section of 1024-record batches of the benchmark's Kafka lines, compressed in
// one pass as a produce call does. Prints MB/s, µs per record and the compressed size of each.
// Usage: bun scripts/bench/snappy.ts [--rounds 30]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { baseTimestamp, recordsSection } from '../../src/exporters/kafka/record-batch.ts'
import { snappyCompress } from '../../src/util/snappy-compress.ts'
import { snappyBlockCompress, snappyBlockUncompress } from '../../src/util/snappy.ts'
import { ensureDataset } from './data.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } })
const data = ensureDataset({ ds: 'flow_metrics.network.1s', records: 50_000, tagSets: 5_000 }, (m) => console.error(m))
const utf8 = new TextEncoder()
const records = readFileSync(data.files.kafka, 'utf8').split('\n').filter((l) => l !== '').slice(0, 1024)
  .map((line) => ({ line: utf8.encode(line), timestampMs: 1_767_225_600_000 }))
const section = recordsSection(records, baseTimestamp(records))
for (const [name, compress] of [['snappyjs', snappyBlockCompress], ['relay', snappyCompress]] as const) {
  const packed = compress(section)
  if (snappyBlockUncompress(packed).some((b, i) => b !== section[i])) throw new Error(`${name}: does not inflate back`)
  for (let i = 0; i < 5; i++) compress(section)
  let best = Infinity
  for (let r = 0; r < Number(values.rounds); r++) {
    const t0 = performance.now()
    compress(section)
    best = Math.min(best, performance.now() - t0)
  }
  console.log(
    `${name}: ${(section.length / 1e3 / best).toFixed(0)} MB/s, ${
      (best * 1000 / records.length).toFixed(2)
    } µs/record, ${section.length} -> ${packed.length} bytes`,
  )
}
