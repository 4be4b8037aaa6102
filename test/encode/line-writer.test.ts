// The JSON line writer's numbers: digit for digit what String() writes (the Kafka JSON line's
// numbers), on the fast path for integers below 2^32, the safe-integer path above it and the
// String() path for the rest.
import test from 'node:test'
import assert from 'node:assert/strict'
import { LineWriter } from '../../src/encode/line-writer.ts'

const written = (v: number) => {
  const w = new LineWriter()
  w.number(v)
  return new TextDecoder().decode(w.buf.subarray(0, w.length))
}

test('numbers are written as String() writes them, at every digit count and boundary', () => {
  const cases = [
    0,
    -0,
    1,
    9,
    10,
    99,
    100,
    999_999_999,
    1_000_000_000,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53 - 1,
    -1,
    -(2 ** 32),
    1.5,
    -0.25,
    1e21,
    1e-7,
  ]
  for (let d = 1; d < 10; d++) cases.push(10 ** d - 1, 10 ** d, 10 ** d + 1)
  for (const v of cases) assert.equal(written(v), String(v), `${v}`)
  let x = 1
  for (let i = 0; i < 2000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const v = x % (2 ** ((i % 32) + 1))
    assert.equal(written(v), String(v))
  }
})
