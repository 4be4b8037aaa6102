// The relay's snappy block compressor against snappyjs's decoder (the reference reader): every
// input comes back byte for byte — random, repetitive, long runs, fragment boundaries, lengths
// around the 15-byte margin — and on JSON lines it compresses as well as snappyjs (same algorithm).
import test from 'node:test'
import assert from 'node:assert/strict'
import { maxCompressedLength, snappyCompress } from '../../src/util/snappy-compress.ts'
import { snappyBlockCompress, snappyBlockUncompress } from '../../src/util/snappy.ts'

let seed = 12345
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
const utf8 = new TextEncoder()
const jsonLines = utf8.encode(
  Array.from(
    { length: 400 },
    (_, i) => JSON.stringify({ datasource: 'flow_metrics.network.1s', ip4: `10.0.${i % 7}.${i % 200}`, byte_tx: i * 7919, rtt: i % 13 }),
  )
    .join('\n'),
)

function roundTrip(input: Uint8Array, what: string): Uint8Array {
  const packed = snappyCompress(input)
  assert.ok(packed.length <= maxCompressedLength(input.length), `${what}: within the bound`)
  assert.deepEqual(snappyBlockUncompress(packed), input, what)
  return packed
}

test('every input inflates back (snappyjs) to itself', () => {
  for (const n of [0, 1, 4, 14, 15, 16, 17, 100, 65535, 65536, 65537, 70000, 200000]) {
    roundTrip(new Uint8Array(n).map(() => rnd() * 256), `random ${n}`)
    roundTrip(new Uint8Array(n).map(() => rnd() * 3), `three symbols ${n}`)
    roundTrip(new Uint8Array(n).fill(7), `one byte repeated ${n}`)
    roundTrip(new Uint8Array(n).map((_, i) => jsonLines[i % jsonLines.length]!), `json ${n}`)
  }
  for (let i = 0; i < 300; i++) {
    const n = Math.floor(rnd() ** 3 * 150_000)
    const period = 1 + Math.floor(rnd() * 3000)
    roundTrip(new Uint8Array(n).map((_, j) => (j % period) * 31 + (rnd() < 0.01 ? 1 : 0)), `mixed ${i}`)
  }
})

test('a block: the length as a varint first; on JSON lines as small as snappyjs makes it', () => {
  const packed = roundTrip(jsonLines, 'lines')
  let n = 0
  let shift = 0
  let at = 0
  for (;;) {
    const b = packed[at++]!
    n += (b & 0x7f) * 2 ** shift
    if (b < 0x80) break
    shift += 7
  }
  assert.equal(n, jsonLines.length)
  const reference = snappyBlockCompress(jsonLines).length
  assert.ok(Math.abs(packed.length - reference) <= reference * 0.01, `${packed.length} vs snappyjs ${reference}`)
})
