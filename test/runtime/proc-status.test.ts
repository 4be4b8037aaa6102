import test from 'node:test'
import assert from 'node:assert/strict'
import { anonymousResidentBytes } from '../../src/runtime/proc-status.ts'

test('anonymous resident memory: RssAnon + RssShmem of /proc/self/status, file pages left out', () => {
  const status = 'Name:\tdeepflow-relay\nVmRSS:\t   53248 kB\nRssAnon:\t   11264 kB\nRssFile:\t   41984 kB\nRssShmem:\t     512 kB\n'
  assert.equal(anonymousResidentBytes(status), (11264 + 512) * 1024)
  assert.equal(anonymousResidentBytes('Name:\tx\nRssAnon:\t8 kB\n'), 8192)
  assert.equal(anonymousResidentBytes('Name:\tx\nVmRSS:\t8 kB\n'), undefined)
})
