// The files a buffer is inspected through refuse every write: whatever the segment log does on
// opening, inspect cannot change a buffer (test/cli/buffer-command.test.ts checks the disk too).
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspectQueue, readOnlyFiles } from '../../src/buffer/inspect-queue.ts'
import { nodeLogFiles } from '../../src/runtime/log-files.ts'

const refused = (f: () => unknown, what: string) =>
  assert.throws(f, { code: 'EROFS', message: `reading a buffer writes nothing (${what})` })

test('readOnlyFiles: mkdirp does nothing; append, fsync, unlink, replace and truncate throw EROFS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-read-only-'))
  try {
    const files = readOnlyFiles(nodeLogFiles)
    files.mkdirp(join(dir, 'new'))
    assert.deepEqual(readdirSync(dir), [])
    refused(() => files.openAppend(join(dir, 'x.seg')), 'open for append')
    refused(() => files.append(0, new Uint8Array(1)), 'append')
    refused(() => files.fsync(0), 'fsync')
    refused(() => files.unlink(join(dir, 'x')), 'unlink')
    refused(() => files.replaceAtomic(join(dir, 'ledger.json'), new Uint8Array(1)), 'replace')
    refused(() => files.truncate(join(dir, 'x'), 0), 'truncate')
    assert.deepEqual(readdirSync(dir), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('inspectQueue of an empty queue directory: nothing in it, reading starts at segment 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-inspect-'))
  try {
    assert.deepEqual(inspectQueue(dir, nodeLogFiles), {
      entries: 0,
      bytes: 0,
      segments: 0,
      oldestWrittenAtMs: null,
      from: { segment: 1, offset: 0 },
      ledger: 'none',
      corrupt: [],
    })
    assert.deepEqual(readdirSync(dir), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
