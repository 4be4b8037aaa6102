import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { generate, GENERATED } from '../../../scripts/gen-proto.ts'

test('prompb.gen.ts is what scripts/gen-proto.ts makes of proto/ (run npm run gen:proto when not)', () => {
  assert.equal(readFileSync(GENERATED, 'utf8'), generate())
})
