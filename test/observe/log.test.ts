import test from 'node:test'
import assert from 'node:assert/strict'
import { createLogger } from '../../src/observe/log.ts'

test('log lines are JSON with ts, level and msg; below the level nothing is written', () => {
  const lines: string[] = []
  const log = createLogger({ write: (l) => lines.push(l), now: () => 0, level: 'info' })
  log.debug('hidden')
  log.info('shown', { n: 1n, err: new Error('boom') })
  assert.deepEqual(lines, ['{"ts":"1970-01-01T00:00:00.000Z","level":"info","msg":"shown","n":"1","err":"boom"}\n'])
})

test('warnOncePerBurst logs once per window and then says how many it held back', () => {
  const lines: string[] = []
  let now = 0
  const log = createLogger({ write: (l) => lines.push(l), now: () => now, level: 'info', windowMs: 1000 })
  for (let i = 0; i < 5; i++) log.warnOncePerBurst('k', 'dropped')
  now = 1000
  log.warnOncePerBurst('k', 'dropped')
  assert.equal(lines.length, 2)
  assert.equal(JSON.parse(lines[1]!).suppressed_since_last, 4)
})
