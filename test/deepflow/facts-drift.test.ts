import test from 'node:test'
import assert from 'node:assert/strict'
import { COPY_DIR, driftedFacts, SHARED_DIR } from '../../scripts/sync-deepflow-facts.ts'

test('the DeepFlow facts compiled into the relay and the docs examples the tests run are byte-identical to ../shared/deepflow', () => {
  const drift = driftedFacts()
  if (drift === null) {
    console.log(`${SHARED_DIR} is not here (a clone outside the workspace): drift not checked; the copies are used as they are`)
    return
  }
  assert.deepEqual(drift, [], `run npm run sync:facts and commit: ${drift.join(', ')} differ from ${SHARED_DIR}`)
})
