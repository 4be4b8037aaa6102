// The segment log on a real file system (temporary directories): entries survive a reopen until
// acknowledged; torn, damaged and missing data cost only what they hold; writes happen in the
// order that keeps every crash point openable. File-system errors a real disk does not give on
// demand (ENOSPC on the nth write) come from a wrapper around the real files.
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ledgerBytes, openSegmentLog, type SegmentLog, type Skipped } from '../../src/buffer/segment-log.ts'
import { HEADER_BYTES } from '../../src/buffer/frame.ts'
import { type LogFiles, nodeLogFiles } from '../../src/runtime/log-files.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

function fresh(): string {
  return mkdtempSync(join(tmpdir(), 'relay-segment-log-'))
}

function open(dir: string, segmentBytes = 1 << 20, files: LogFiles = nodeLogFiles) {
  const skipped: Skipped[] = []
  const log = openSegmentLog({ dir, files, segmentBytes, onSkipped: (s) => skipped.push(s) })
  return { log, skipped }
}

/** Every entry the reader has, as text, acknowledging none. */
function readAll(log: SegmentLog): string[] {
  const out: string[] = []
  for (let e = log.read(); e !== undefined; e = log.read()) out.push(dec(e.payload))
  return out
}

const segmentFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.seg')).sort()

test('entries survive a reopen until they are acknowledged; acknowledged ones are not read again', async () => {
  const dir = fresh()
  try {
    const a = open(dir)
    const positions = ['e0', 'e1', 'e2', 'e3'].map((s) => {
      const r = a.log.append(enc(s), false)
      assert.ok(r.ok)
      return r.pos
    })
    assert.deepEqual((await a.log.sync()).ok, true)
    assert.deepEqual(readAll(a.log), ['e0', 'e1', 'e2', 'e3'])
    a.log.ack(positions[1]!)
    assert.equal((await a.log.checkpoint()).ok, true)
    await a.log.close()

    const b = open(dir)
    assert.deepEqual(readAll(b.log), ['e2', 'e3'])
    assert.deepEqual(b.skipped, [])
    // The new process writes a segment of its own after the old ones.
    assert.ok(b.log.append(enc('e4'), false).ok)
    assert.deepEqual(readAll(b.log), ['e4'])
    await b.log.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('an entry appended as loaded is not read again from disk; one appended while the reader lags is', () => {
  const dir = fresh()
  try {
    const { log } = open(dir)
    log.append(enc('in-memory'), true)
    assert.equal(log.unread(), false)
    assert.deepEqual(readAll(log), [])
    log.append(enc('spilled'), false)
    log.append(enc('also loaded, but behind a spilled one'), true)
    assert.equal(log.unread(), true)
    assert.deepEqual(readAll(log), ['spilled', 'also loaded, but behind a spilled one'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('segments rotate at segmentBytes and are deleted once acknowledged and the ledger says so', async () => {
  const dir = fresh()
  try {
    const { log } = open(dir, 100)
    const pos = Array.from({ length: 10 }, (_, i) => {
      const r = log.append(enc(`entry-${String(i).padStart(30, '0')}`), false)
      assert.ok(r.ok)
      return r.pos
    })
    assert.ok(log.flush().ok)
    assert.equal(segmentFiles(dir).length, 5) // two 42-byte frames per 100-byte segment
    assert.equal(log.bytes(), 10 * (HEADER_BYTES + 36))
    log.ack(pos[4]!)
    assert.equal((await log.checkpoint()).ok, true)
    // Entries 0-3 filled segments 1 and 2; entry 4 is the first of segment 3, which stays.
    assert.deepEqual(segmentFiles(dir), ['00000000000000000003.seg', '00000000000000000004.seg', '00000000000000000005.seg'])
    assert.deepEqual(readFileSync(join(dir, 'ledger.json')), Buffer.from(ledgerBytes({ segment: 3, offset: 48 })))
    assert.match(readFileSync(join(dir, 'ledger.json'), 'utf8'), /^\{"v":1,"segment":3,"offset":48,"crc":\d+\} +\n$/)
    log.ack(pos[5]!)
    await log.checkpoint()
    // The end of segment 3 is the start of segment 4.
    assert.deepEqual(readFileSync(join(dir, 'ledger.json')), Buffer.from(ledgerBytes({ segment: 4, offset: 0 })))
    assert.deepEqual(segmentFiles(dir), ['00000000000000000004.seg', '00000000000000000005.seg'])
    await log.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('checkpoint: data fsynced before the ledger is written, the ledger before a segment is deleted', async () => {
  const dir = fresh()
  const calls: string[] = []
  const files: LogFiles = {
    ...nodeLogFiles,
    fsync: (fd) => {
      calls.push('fsync segment')
      return nodeLogFiles.fsync(fd)
    },
    replaceAtomic: (path, bytes) => {
      calls.push('replace ledger')
      return nodeLogFiles.replaceAtomic(path, bytes)
    },
    overwrite: (path, bytes) => {
      calls.push('write ledger in place')
      return nodeLogFiles.overwrite(path, bytes)
    },
    unlink: (path) => {
      calls.push(`unlink ${path.slice(-8)}`)
      nodeLogFiles.unlink(path)
    },
  }
  try {
    const { log } = open(dir, 60, files)
    const p = [log.append(enc('a'.repeat(40)), false), log.append(enc('b'.repeat(40)), false)]
    assert.ok(p[0]!.ok && p[1]!.ok)
    log.ack(p[1]!.pos)
    await log.checkpoint()
    // The ledger exists from the open on, and is written in place (a full disk has no block for a new one).
    assert.deepEqual(calls, ['fsync segment', 'fsync segment', 'write ledger in place', 'unlink 0001.seg'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

async function threeSegments(dir: string): Promise<void> {
  const { log } = open(dir, 64)
  for (const s of ['a1', 'a2', 'b1', 'b2', 'c1', 'c2']) log.append(enc(s.padEnd(20, '.')), false)
  await log.close()
}

test('a truncated last entry: the relay opens, skips it with its position, delivers the rest', async () => {
  const dir = fresh()
  try {
    await threeSegments(dir)
    const last = join(dir, '00000000000000000003.seg')
    truncateSync(last, statSync(last).size - 5)
    const { log, skipped } = open(dir, 64)
    assert.deepEqual(readAll(log).map((s) => s.slice(0, 2)), ['a1', 'a2', 'b1', 'b2', 'c1'])
    assert.deepEqual(skipped, [{ segment: 3, offset: 32, why: 'a torn entry (20 bytes announced, 15 there)' }])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a flipped bit in the middle: that entry alone is skipped', async () => {
  const dir = fresh()
  try {
    await threeSegments(dir)
    const middle = join(dir, '00000000000000000002.seg')
    const bytes = readFileSync(middle)
    bytes[HEADER_BYTES + 3]! ^= 0x10 // inside b1's payload
    writeFileSync(middle, bytes)
    const { log, skipped } = open(dir, 64)
    assert.deepEqual(readAll(log).map((s) => s.slice(0, 2)), ['a1', 'a2', 'b2', 'c1', 'c2'])
    assert.deepEqual(skipped, [{ segment: 2, offset: 0, why: 'a wrong checksum' }])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('garbage between entries (a damaged length): the reader finds the next good frame', async () => {
  const dir = fresh()
  try {
    await threeSegments(dir)
    const first = join(dir, '00000000000000000001.seg')
    const bytes = readFileSync(first)
    bytes.writeUInt32LE(0xffffff, 8) // a1's length
    writeFileSync(first, bytes)
    const { log, skipped } = open(dir, 64)
    assert.deepEqual(readAll(log).map((s) => s.slice(0, 2)), ['a2', 'b1', 'b2', 'c1', 'c2'])
    assert.deepEqual(skipped, [{ segment: 1, offset: 0, why: 'a torn entry (16777215 bytes announced, 52 there)' }])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a missing segment: reported, the others delivered', async () => {
  const dir = fresh()
  try {
    await threeSegments(dir)
    unlinkSync(join(dir, '00000000000000000002.seg'))
    const { log, skipped } = open(dir, 64)
    assert.deepEqual(readAll(log).map((s) => s.slice(0, 2)), ['a1', 'a2', 'c1', 'c2'])
    assert.deepEqual(skipped, [{ segment: 2, offset: 0, why: 'the segment is missing' }])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a ledger pointing past the end of its segment, or at a segment that is gone, or unreadable', async () => {
  const dir = fresh()
  try {
    await threeSegments(dir)
    writeFileSync(join(dir, 'ledger.json'), JSON.stringify({ v: 1, segment: 1, offset: 999 }))
    const past = open(dir, 64)
    assert.deepEqual(readAll(past.log).map((s) => s.slice(0, 2)), ['b1', 'b2', 'c1', 'c2'])
    assert.deepEqual(past.skipped, [{ segment: 1, offset: 999, why: 'the ledger points past the end of its segment (64 bytes)' }])

    unlinkSync(join(dir, '00000000000000000001.seg'))
    writeFileSync(join(dir, 'ledger.json'), JSON.stringify({ v: 1, segment: 0, offset: 10 }))
    assert.deepEqual(readAll(open(dir, 64).log).map((s) => s.slice(0, 2)), ['b1', 'b2', 'c1', 'c2'])

    writeFileSync(join(dir, 'ledger.json'), '{"v":1,"segm')
    const torn = open(dir, 64)
    assert.deepEqual(readAll(torn.log).map((s) => s.slice(0, 2)), ['b1', 'b2', 'c1', 'c2'])
    assert.deepEqual(torn.skipped, [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a full disk: the append fails as a value, the torn part is skipped, the next append goes to a new segment', () => {
  const dir = fresh()
  let failNext = false
  const files: LogFiles = {
    ...nodeLogFiles,
    appendAll(fd, chunks) {
      if (failNext) {
        failNext = false
        nodeLogFiles.append(fd, chunks[0]!.subarray(0, 7)) // a short write, then the error
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      }
      nodeLogFiles.appendAll(fd, chunks)
    },
  }
  try {
    const { log, skipped } = open(dir, 1 << 20, files)
    assert.ok(log.append(enc('before'), false).ok)
    assert.ok(log.flush().ok)
    failNext = true
    // Appends are gathered; the write of the gathered frames fails.
    assert.ok(log.append(enc('lost'), false).ok)
    const failed = log.flush()
    assert.deepEqual(failed.ok ? null : failed.code, 'ENOSPC')
    assert.ok(log.append(enc('after'), false).ok)
    assert.ok(log.flush().ok)
    assert.deepEqual(segmentFiles(dir), ['00000000000000000001.seg', '00000000000000000002.seg'])
    assert.deepEqual(readAll(log), ['before', 'after'])
    assert.deepEqual(skipped, [{ segment: 1, offset: 18, why: 'a torn header (7 bytes at the end)' }])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('dropOldest: the oldest closed segment goes, its unacknowledged entries counted', async () => {
  const dir = fresh()
  try {
    const { log } = open(dir, 64)
    const pos = ['a1', 'a2', 'b1', 'b2', 'c1'].map((s) => log.append(enc(s.padEnd(20, '.')), false)).map((r) => (r.ok ? r.pos : null)!)
    log.ack(pos[0]!)
    assert.deepEqual(log.dropOldest(), { entries: 1, segment: 1 })
    assert.deepEqual(readAll(log).map((s) => s.slice(0, 2)), ['b1', 'b2', 'c1'])
    await log.checkpoint()
    assert.deepEqual(segmentFiles(dir), ['00000000000000000002.seg', '00000000000000000003.seg'])
    assert.deepEqual(log.dropOldest(), { entries: 2, segment: 2 })
    // The segment being written is never dropped.
    assert.equal(log.dropOldest(), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('entries appended as loaded across segment rotations are never read back (no duplicate delivery)', () => {
  const dir = fresh()
  try {
    const { log } = open(dir, 64)
    for (let i = 0; i < 10; i++) assert.ok(log.append(enc(`e${i}`.padEnd(20, '.')), true).ok)
    assert.ok(log.flush().ok)
    assert.equal(segmentFiles(dir).length, 5)
    assert.equal(log.unread(), false)
    assert.deepEqual(readAll(log), [])
    // One spilled after them is read, alone.
    log.append(enc('spilled'), false)
    assert.deepEqual(readAll(log), ['spilled'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
