// An exporter with a durable buffer (buffer: {type: disk}) on a real temporary directory: what it
// accepted and did not send survives a stop and is replayed in order at the next start, counted;
// what does not fit in memory waits on disk and comes back in order; sync-interval 0 answers only
// after an fsync; a disk error is a 503, never a crash. (The kill -9 test runs the binary.)
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { admitGroups } from '../../src/pipeline/admission.ts'
import { type LogFiles, nodeLogFiles } from '../../src/runtime/log-files.ts'
import { build, byteTx, diskExporter, DS, gateSink, records } from '../helpers/durable.ts'
import { until } from '../helpers/manual-clock.ts'

test('what was accepted and not sent survives a stop, is replayed in order at the next start, and counted once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'))
  try {
    const first = gateSink()
    first.setOpen(false)
    const a = build(diskExporter(dir), first.sink)
    assert.equal(admitGroups([{ ds: DS, records: records(0, 10) }], [a.exporter]).status, 'accepted')
    await a.exporter.stop(Date.now() + 100)
    assert.deepEqual(first.delivered, [])
    // Kept for the next start, not dropped.
    assert.equal(a.metrics.dropped.get(['stdout-0', 'shutdown']), 0)

    const second = gateSink()
    const b = build(diskExporter(dir), second.sink)
    await until(() => second.delivered.length === 10, 'the replay')
    assert.deepEqual(byteTx(second.delivered), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert.equal(b.metrics.replayed.get(['stdout-0']), 10)
    assert.equal((await admitGroups([{ ds: DS, records: records(10, 2) }], [b.exporter])).status, 'accepted')
    await until(() => second.delivered.length === 12, 'the new records')
    await b.exporter.stop(Date.now() + 1000)

    const third = gateSink()
    const c = build(diskExporter(dir), third.sink)
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(third.delivered, [])
    assert.equal(c.metrics.replayed.get(['stdout-0']), 0)
    await c.exporter.stop(Date.now() + 100)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('beyond queue-size, records wait on disk and come back in order as sends make room', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'))
  try {
    const gate = gateSink()
    gate.setOpen(false)
    const { exporter } = build(diskExporter(dir, 'queue-size: 5\nbatch-size: 5'), gate.sink)
    for (let i = 0; i < 6; i++) assert.equal(admitGroups([{ ds: DS, records: records(i * 5, 5) }], [exporter]).status, 'accepted')
    // 5 in memory (in flight), 25 on disk only.
    assert.equal(exporter.held().records, 30)
    gate.setOpen(true)
    await until(() => gate.delivered.length === 30, 'every record', 10_000)
    assert.deepEqual(byteTx(gate.delivered), Array.from({ length: 30 }, (_, i) => i))
    await exporter.stop(Date.now() + 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sync-interval 0: the admission resolves only after an fsync covering its records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'))
  let fsyncs = 0
  const files: LogFiles = {
    ...nodeLogFiles,
    fsync: (fd) => {
      fsyncs++
      return nodeLogFiles.fsync(fd)
    },
  }
  try {
    const gate = gateSink()
    const { exporter } = build(diskExporter(dir, '', { syncInterval: 0 }), gate.sink, { logFiles: files })
    const a = admitGroups([{ ds: DS, records: records(0, 3) }], [exporter])
    assert.equal(a.status, 'accepted')
    assert.ok(a.status === 'accepted' && a.durable !== undefined)
    const before = fsyncs
    assert.deepEqual(await a.durable, { ok: true })
    assert.ok(fsyncs > before || fsyncs >= 1)
    await exporter.stop(Date.now() + 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a read-only file system: 503 (unavailable) and counted, never a crash; writable again: accepted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'))
  let readOnly = false
  const files: LogFiles = {
    ...nodeLogFiles,
    appendAll(fd, chunks) {
      if (readOnly) throw Object.assign(new Error('EROFS: read-only file system, write'), { code: 'EROFS' })
      nodeLogFiles.appendAll(fd, chunks)
    },
  }
  try {
    const gate = gateSink()
    const { exporter, metrics } = build(diskExporter(dir), gate.sink, { logFiles: files })
    readOnly = true
    const refused = admitGroups([{ ds: DS, records: records(0, 2) }], [exporter])
    assert.deepEqual(refused.status === 'unavailable' ? refused.exporter : refused.status, 'stdout-0')
    assert.equal(metrics.bufferErrors.get(['stdout-0', 'EROFS']), 1)
    // While in error, refused before anything is written.
    assert.equal(admitGroups([{ ds: DS, records: records(2, 1) }], [exporter]).status, 'unavailable')
    assert.equal(metrics.bufferErrors.get(['stdout-0', 'EROFS']), 1)
    readOnly = false
    await new Promise((r) => setTimeout(r, 1050))
    assert.equal(admitGroups([{ ds: DS, records: records(3, 1) }], [exporter]).status, 'accepted')
    await until(() => gate.delivered.length === 1, 'the record after the error')
    assert.deepEqual(byteTx(gate.delivered), [3])
    await exporter.stop(Date.now() + 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('max-bytes: reject answers full, and once the sink is back the backlog leaves in order; drop-oldest evicts the oldest segment, counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'))
  try {
    const gate = gateSink()
    gate.setOpen(false)
    const small = diskExporter(join(dir, 'r'), 'queue-size: 10', { maxBytes: 200 * 1024 })
    const { exporter } = build(small, gate.sink)
    let accepted = 0
    for (let i = 0; i < 400; i++) {
      const a = admitGroups([{ ds: DS, records: records(i * 100, 100) }], [exporter])
      if (a.status !== 'accepted') {
        assert.equal(a.status, 'full')
        break
      }
      accepted++
    }
    assert.ok(accepted > 10 && accepted < 400, String(accepted))
    // The sink comes back: everything accepted while it was away is delivered, in order, and the
    // buffer takes records again.
    gate.setOpen(true)
    await until(() => gate.delivered.length === accepted * 100, 'the backlog', 10_000)
    assert.deepEqual(byteTx(gate.delivered), Array.from({ length: accepted * 100 }, (_, i) => i))
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(admitGroups([{ ds: DS, records: records(accepted * 100, 100) }], [exporter]).status, 'accepted')
    await until(() => gate.delivered.length === accepted * 100 + 100, 'the next records', 10_000)
    gate.setOpen(false)
    gate.delivered.length = 0
    await exporter.stop(Date.now() + 50)

    const dropping = build(diskExporter(join(dir, 'd'), 'queue-size: 10', { maxBytes: 200 * 1024 }), gate.sink, { overflow: 'drop-oldest' })
    for (let i = 0; i < 100; i++) {
      assert.equal(admitGroups([{ ds: DS, records: records(i * 100, 100) }], [dropping.exporter]).status, 'accepted')
    }
    const evicted = dropping.metrics.dropped.get(['stdout-0', 'evicted'])
    assert.ok(evicted > 0, String(evicted))
    gate.setOpen(true)
    await until(() => gate.delivered.length === 100 * 100 - evicted, 'what was not evicted', 10_000)
    // The newest records are all there, in order.
    const got = byteTx(gate.delivered)
    assert.deepEqual(got.slice(-100), Array.from({ length: 100 }, (_, i) => 9900 + i))
    assert.deepEqual(got, [...got].sort((x, y) => x - y))
    await dropping.exporter.stop(Date.now() + 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a buffer left damaged (a flipped bit, a missing segment, a torn last entry): the exporter starts, skips, counts, delivers the rest in order', async () => {
  const { readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } = await import('node:fs')
  const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'))
  try {
    const first = gateSink()
    first.setOpen(false)
    // max-bytes 512 KiB: 64 KiB segments; 1,200 records fill three of them.
    const e = diskExporter(dir, 'queue-size: 1\nbatch-size: 1', { maxBytes: 512 * 1024 })
    const a = build(e, first.sink)
    const N = 1200
    for (let i = 0; i < N; i++) assert.equal(admitGroups([{ ds: DS, records: records(i, 1) }], [a.exporter]).status, 'accepted')
    await a.exporter.stop(Date.now() + 50)
    const q = join(dir, 'stdout-0', 'q0')
    const segments = readdirSync(q).filter((n) => n.endsWith('.seg')).sort().map((n) => join(q, n))
    assert.ok(segments.length >= 3, String(segments.length))
    /** The byte_tx of each entry of a segment, and where its frame starts (magic, crc, length u32 LE, payload). */
    const framesOf = (path: string) => {
      const bytes = readFileSync(path)
      const out: { at: number; id: number }[] = []
      for (let at = 0; at < bytes.length; at += 12 + bytes.readUInt32LE(at + 8)) {
        const text = new TextDecoder().decode(bytes.subarray(at + 12, at + 12 + bytes.readUInt32LE(at + 8)))
        out.push({ at, id: Number(/"byte_tx":(\d+)/.exec(text)![1]) })
      }
      return out
    }
    const first0 = framesOf(segments[0]!)
    const lost = new Set<number>()
    // A flipped bit inside the 11th entry of the first segment.
    const bytes = readFileSync(segments[0]!)
    bytes[first0[10]!.at + 20]! ^= 0x04
    writeFileSync(segments[0]!, bytes)
    lost.add(first0[10]!.id)
    // The second segment gone.
    for (const f of framesOf(segments[1]!)) lost.add(f.id)
    unlinkSync(segments[1]!)
    // The last entry of the last segment torn.
    const last = segments.at(-1)!
    const lastFrames = framesOf(last)
    lost.add(lastFrames.at(-1)!.id)
    truncateSync(last, statSync(last).size - 3)

    const second = gateSink()
    const b = build(e, second.sink)
    const want = Array.from({ length: N }, (_, i) => i).filter((i) => !lost.has(i))
    await until(() => second.delivered.length === want.length, 'the intact records', 10_000)
    assert.deepEqual(byteTx(second.delivered), want)
    // One bad checksum, one missing segment, one torn entry.
    assert.equal(b.metrics.bufferCorrupt.get(['stdout-0']), 3)
    assert.equal(b.metrics.replayed.get(['stdout-0']), want.length)
    await b.exporter.stop(Date.now() + 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
