// An exporter with a durable buffer (buffer: {type: disk}) on a real temporary directory: what it
// accepted and did not send survives a stop and is replayed in order at the next start, counted;
// what does not fit in memory waits on disk and comes back in order; sync-interval 0 answers only
// after an fsync; a disk error is a 503, never a crash. (The kill -9 test runs the binary.)
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExporterConfig } from '../../src/config/types.ts'
import { createTimeFormatter } from '../../src/encode/time-str.ts'
import { buildExporter } from '../../src/exporters/build-exporter.ts'
import type { JsonItem } from '../../src/exporters/json-plan.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics, type RelayMetrics } from '../../src/observe/relay-metrics.ts'
import { admitGroups } from '../../src/pipeline/admission.ts'
import type { Sink } from '../../src/pipeline/send-result.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { dataSource } from '../../src/deepflow/schema.ts'
import { type LogFiles, nodeLogFiles } from '../../src/runtime/log-files.ts'
import { EMPTY_DICTIONARY } from '../../src/translate/dictionary.ts'
import { exporterFromYaml } from '../helpers/encode.ts'
import { createRealClock, until } from '../helpers/manual-clock.ts'

const DS = 'flow_metrics.network.1m'
const normalize = compileNormalizer(dataSource(DS)!)
const records = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const r = normalize({ time: 1715133600 + from + i, byte_tx: from + i })
    if (!r.ok) throw new Error(r.error)
    return r.record
  })

/** A stdout-like sink that delivers only while open; the lines it delivered. */
function gateSink() {
  const delivered: string[] = []
  let open = true
  const sink: Sink<JsonItem> = {
    send(batch) {
      if (!open) return Promise.resolve({ status: 'retryable', error: 'closed', retryAfterMs: 20 } as const)
      for (const item of batch) delivered.push(new TextDecoder().decode(item.line))
      return Promise.resolve({ status: 'ok' } as const)
    },
    close: () => Promise.resolve(),
  }
  return { sink, delivered, setOpen: (o: boolean) => (open = o) }
}

function diskExporter(dir: string, extra = '', buffer: Partial<{ maxBytes: number; syncInterval: number }> = {}): ExporterConfig {
  const e = exporterFromYaml(`data-sources: [${DS}]\nexport-fields: [byte_tx]\nqueue-count: 1\nflush-timeout: 0.01\n${extra}`)
  return { ...e, buffer: { type: 'disk', path: dir, maxBytes: buffer.maxBytes ?? 1 << 30, syncInterval: buffer.syncInterval ?? 0.05 } }
}

function build(
  e: ExporterConfig,
  sink: Sink<JsonItem>,
  opts: { metrics?: RelayMetrics; logFiles?: LogFiles; overflow?: 'reject' | 'drop-oldest' } = {},
) {
  const metrics = opts.metrics ?? createRelayMetrics()
  const clock = createRealClock()
  const { exporter } = buildExporter(e, {
    dictionary: { current: EMPTY_DICTIONARY },
    formatTime: createTimeFormatter('UTC'),
    stdout: sink,
    clock,
    log: createLogger({ write: () => {}, now: clock.now, level: 'error' }),
    metrics,
    fetch: undefined,
    retry: { initialMs: 5, maxMs: 20 },
    overflow: opts.overflow ?? 'reject',
    ...(opts.logFiles === undefined ? {} : { logFiles: opts.logFiles }),
  })
  return { exporter, metrics }
}

const byteTx = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { byte_tx: number }).byte_tx)

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
    append(fd, bytes) {
      if (readOnly) throw Object.assign(new Error('EROFS: read-only file system, write'), { code: 'EROFS' })
      nodeLogFiles.append(fd, bytes)
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

test('max-bytes: reject answers full; drop-oldest evicts the oldest segment, counted', async () => {
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
