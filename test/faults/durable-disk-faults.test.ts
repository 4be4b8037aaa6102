// A durable buffer on a real small file system (a 512 KiB tmpfs, mounted for the test; CI runs as
// root): the disk fills up (ENOSPC): a 503 (unavailable) counted by code, never a crash; the ledger
// is written in place, so acknowledged segments are still deleted on the full disk, and once there
// is room records are accepted again; everything accepted is delivered, in order.
// A read-only file system mid-run (EROFS) cannot be made here: the kernel refuses `remount,ro` while
// the buffer holds a file open for writing (in production EROFS comes from errors=remount-ro after
// an I/O error); test/pipeline/durable-exporter.test.ts fails the writes with EROFS instead.
import test, { after, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { admitGroups } from '../../src/pipeline/admission.ts'
import { build, byteTx, diskExporter, DS, gateSink, records } from '../helpers/durable.ts'
import { until } from '../helpers/manual-clock.ts'

const mountPoint = mkdtempSync(join(tmpdir(), 'relay-tmpfs-'))
const mount = (...opts: string[]) => execFileSync('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', mountPoint])

before(() => {
  // No silent skip: without the right to mount, the test fails and says why.
  mount('size=512k')
})
after(() => {
  try {
    execFileSync('umount', ['-l', mountPoint])
  } finally {
    rmSync(mountPoint, { recursive: true, force: true })
  }
})

test('a full disk: 503 and counted as ENOSPC; room again (sent, acknowledged, deleted): accepted; every accepted record delivered in order', async () => {
  const dir = join(mountPoint, 'full')
  mkdirSync(dir)
  const gate = gateSink()
  gate.setOpen(false)
  // max-bytes far above what the file system holds: the disk runs out first.
  const { exporter, metrics } = build(diskExporter(dir, 'queue-size: 10', { maxBytes: 64 * 1024 * 1024 }), gate.sink)
  let accepted = 0
  let status = 'accepted'
  while (status === 'accepted') {
    status = admitGroups([{ ds: DS, records: records(accepted * 50, 50) }], [exporter]).status
    if (status === 'accepted') accepted++
  }
  assert.equal(status, 'unavailable')
  assert.ok(accepted > 5, String(accepted))
  assert.ok(metrics.bufferErrors.get(['stdout-0', 'ENOSPC']) >= 1)
  assert.ok(exporter.buffer()?.error?.startsWith('ENOSPC'))

  gate.setOpen(true)
  await until(() => gate.delivered.length >= accepted * 50, 'what was accepted', 20_000)
  // Checkpoints delete what was sent; after the error's pause, records are taken again.
  await new Promise((r) => setTimeout(r, 1500))
  const AFTER = 1_000_000
  assert.equal(admitGroups([{ ds: DS, records: records(AFTER, 50) }], [exporter]).status, 'accepted')
  await until(() => byteTx(gate.delivered).at(-1) === AFTER + 49, 'the records after the disk had room', 10_000)
  const got = byteTx(gate.delivered)
  assert.deepEqual(got.slice(0, accepted * 50), Array.from({ length: accepted * 50 }, (_, i) => i))
  // The records of the refused request that reached the disk before it filled come too (its retry
  // would send them again: at least once), in order, then the new ones.
  const refusedPart = got.slice(accepted * 50, -50)
  assert.deepEqual(refusedPart, Array.from({ length: refusedPart.length }, (_, i) => accepted * 50 + i))
  assert.ok(refusedPart.length < 50)
  assert.deepEqual(got.slice(-50), Array.from({ length: 50 }, (_, i) => AFTER + i))
  await exporter.stop(Date.now() + 1000)
})
