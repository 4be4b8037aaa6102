// The one HTTP reply to an admission: 202, 429 with Retry-After (logged once per burst), 413.
import test from 'node:test'
import assert from 'node:assert/strict'
import { admissionReply } from '../../src/ingest/admission-reply.ts'
import { createLogger } from '../../src/observe/log.ts'

function logger() {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), now: () => 0, level: 'debug' })
  return { log, lines }
}

const SUMMARY = { rejected: 1, errors: [{ line: 2, error: 'x' }] }

test('accepted: 202 with the accepted count beside the summary, nothing logged', async () => {
  const { log, lines } = logger()
  assert.deepEqual(await admissionReply({ status: 'accepted' }, 4, SUMMARY, { log, unit: 'records', logFields: {} }), {
    status: 202,
    body: { accepted: 4, rejected: 1, errors: [{ line: 2, error: 'x' }] },
  })
  assert.deepEqual(lines, [])
})

test('full: 429 with Retry-After: 1, accepted 0, logged once per burst per exporter', async () => {
  const { log, lines } = logger()
  const ctx = { log, unit: 'series', logFields: { data_sources: ['a'] } } as const
  const reply = await admissionReply({ status: 'full', exporter: 'rw' }, 4, SUMMARY, ctx)
  assert.deepEqual(reply, {
    status: 429,
    body: { accepted: 0, rejected: 1, errors: [{ line: 2, error: 'x' }], error: 'queues of exporter "rw" are full; retry later' },
    headers: { 'Retry-After': '1' },
  })
  admissionReply({ status: 'full', exporter: 'rw' }, 4, SUMMARY, ctx)
  assert.deepEqual(lines, [{
    ts: '1970-01-01T00:00:00.000Z',
    level: 'warn',
    msg: 'queue full: answering 429',
    exporter: 'rw',
    data_sources: ['a'],
  }])
})

test('never: 413 telling what to send fewer of', async () => {
  const { log, lines } = logger()
  assert.deepEqual(
    await admissionReply({ status: 'never', exporter: 'k' }, 4, { rejected: 0, errors: [] }, { log, unit: 'records', logFields: {} }),
    {
      status: 413,
      body: {
        accepted: 0,
        rejected: 0,
        errors: [],
        error: 'this request alone exceeds the queue bounds of exporter "k" (queue-size, queue-max-bytes); send fewer records per request',
      },
    },
  )
  assert.deepEqual(lines, [])
})

test('unavailable (a durable buffer cannot be written): 503 with Retry-After: 1, logged once per burst', async () => {
  const { log, lines } = logger()
  const reply = await admissionReply({ status: 'unavailable', exporter: 'k', error: 'x' }, 4, SUMMARY, {
    log,
    unit: 'records',
    logFields: { data_source: 'flow_log.l7_flow_log' },
  })
  assert.deepEqual(reply, {
    status: 503,
    body: {
      accepted: 0,
      rejected: 1,
      errors: [{ line: 2, error: 'x' }],
      error: 'the durable buffer of exporter "k" cannot be written now; retry later',
    },
    headers: { 'Retry-After': '1' },
  })
  assert.equal(lines.length, 1)
})

test('accepted into a durable buffer with sync-interval 0: 202 once synced, 503 when the sync failed', async () => {
  const { log } = logger()
  const ctx = { log, unit: 'records', logFields: {} } as const
  assert.equal((await admissionReply({ status: 'accepted', durable: Promise.resolve({ ok: true }) }, 4, SUMMARY, ctx)).status, 202)
  const failed = await admissionReply(
    { status: 'accepted', durable: Promise.resolve({ ok: false, code: 'EIO', error: 'syncing /b: EIO' }) },
    4,
    SUMMARY,
    ctx,
  )
  assert.deepEqual([failed.status, failed.body.error], [503, 'the durable buffer could not be synced (syncing /b: EIO); retry later'])
})
