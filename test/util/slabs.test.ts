// Slabs: byte strings cut from shared slabs (in lanes, one per queue), and (with keep > 0) slabs
// recycled once every view cut from them was given back, so that sent queue bytes need no
// collection to be reused.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Slabs } from '../../src/util/slabs.ts'

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill)

test('views are copies cut one after another from one slab; a view that does not fit starts a new slab; a longer one gets its own buffer', () => {
  const s = new Slabs(100)
  const a = s.cut(bytes(40, 1))
  const b = s.cut(bytes(40, 2))
  assert.equal(a.buffer, b.buffer)
  assert.deepEqual([a.byteOffset, b.byteOffset], [0, 40])
  const c = s.cut(bytes(40, 3))
  assert.notEqual(c.buffer, a.buffer, '80 + 40 > 100: a new slab')
  const big = s.cut(bytes(150, 4))
  assert.equal(big.buffer.byteLength, 150, 'longer than a slab: its own buffer')
  assert.deepEqual([a[0], b[0], c[0], big[0]], [1, 2, 3, 4])
})

test('a slab whose views were all given back is cut again once it is left; not while one view is still out', () => {
  const s = new Slabs(100, 4)
  const a = s.cut(bytes(50, 1))
  const b = s.cut(bytes(50, 2))
  const first = a.buffer
  s.release(a)
  const c = s.cut(bytes(50, 3)) // first is full: a new slab; b is still out
  assert.notEqual(c.buffer, first)
  assert.equal(s.keptSlabs, 0, 'b is still out: the first slab is not kept')
  s.release(b)
  assert.equal(s.keptSlabs, 1, 'its last view given back: kept')
  s.cut(bytes(50, 4))
  const d = s.cut(bytes(50, 5)) // the second slab is full: the kept one is cut again
  assert.equal(d.buffer, first)
  assert.equal(s.keptSlabs, 0)
  assert.deepEqual([d[0], d.byteOffset], [5, 0])
  assert.equal(c[0], 3, 'views still out are untouched')
})

test('the current slab is kept only when it is left, even if all its views were given back before', () => {
  const s = new Slabs(100, 4)
  const a = s.cut(bytes(60, 1))
  s.release(a)
  assert.equal(s.keptSlabs, 0, 'still being cut')
  const b = s.cut(bytes(30, 2))
  assert.equal(b.buffer, a.buffer, 'the rest of the current slab is cut as before')
  s.release(b)
  const c = s.cut(bytes(60, 3)) // 90 + 60 > 100: left, and every view of it is back, so it is reused at once
  assert.equal(c.buffer, a.buffer)
  assert.equal(c.byteOffset, 0)
})

test('at most `keep` slabs are kept; without keep nothing is; views of other buffers are ignored', () => {
  const s = new Slabs(10, 2)
  const views = Array.from({ length: 5 }, (_, i) => s.cut(bytes(10, i)))
  s.cut(bytes(10, 9)) // leave the last of them
  for (const v of views) s.release(v)
  assert.equal(s.keptSlabs, 2)
  s.release(new Uint8Array(10))
  const plain = new Slabs(10)
  const p = plain.cut(bytes(10, 1))
  plain.cut(bytes(10, 2))
  plain.release(p)
  assert.equal(plain.keptSlabs, 0)
})

test("lanes cut from slabs of their own and share the kept ones: a lane's slab is recycled while another lane's views are out", () => {
  const s = new Slabs(100, 4)
  const a = s.lane()
  const b = s.lane()
  const a1 = a.cut(bytes(60, 1))
  const b1 = b.cut(bytes(60, 2))
  assert.notEqual(a1.buffer, b1.buffer, 'two lanes, two slabs')
  const a2 = a.cut(bytes(60, 3)) // lane a leaves its first slab
  s.release(a1)
  assert.equal(s.keptSlabs, 1, "lane a's first slab is back, whatever lane b holds")
  const b2 = b.cut(bytes(60, 4)) // lane b leaves its slab and takes the kept one
  assert.equal(b2.buffer, a1.buffer)
  assert.deepEqual([a2[0], b1[0], b2[0]], [3, 2, 4])
})
