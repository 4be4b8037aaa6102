import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { generate, TARGETS } from '../../scripts/gen-proto.ts'

for (const target of TARGETS) {
  test(`${relative(process.cwd(), target.file)} is what scripts/gen-proto.ts makes of ${target.from} (run npm run gen:proto when not)`, () => {
    assert.equal(readFileSync(target.file, 'utf8'), generate(target))
  })
}
