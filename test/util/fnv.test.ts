// FNV-1a over bytes is the text hash for ASCII (a record's queue does not depend on how it was encoded).
import test from 'node:test'
import assert from 'node:assert/strict'
import { fnv1a, fnv1aBytes, FNV_OFFSET } from '../../src/util/fnv.ts'

test('fnv1aBytes of an ASCII range equals fnv1a of its text; the range bounds are honoured', () => {
  const text = ',"pod_id_0":"web-1"'
  const bytes = new TextEncoder().encode(`xx${text}yy`)
  assert.equal(fnv1aBytes(FNV_OFFSET, bytes, 2, 2 + text.length), fnv1a(FNV_OFFSET, text))
  assert.equal(fnv1a(FNV_OFFSET, 'a'), 0xe40c292c) // the published FNV-1a 32 value of "a"
  assert.notEqual(fnv1aBytes(FNV_OFFSET, bytes, 0, text.length), fnv1a(FNV_OFFSET, text))
})
