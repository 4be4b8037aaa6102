// notReadyReason, one row per case, checked in order: starting, shutting down, exporters down,
// sources failing, ready.
import test from 'node:test'
import assert from 'node:assert/strict'
import { notReadyReason, type ReadinessState } from '../../src/relay/readiness.ts'

const exporter = (name: string, up: boolean, bufferError: string | null | undefined = undefined) => ({
  config: { name },
  healthy: () => up,
  buffer: () => (bufferError === undefined ? null : { error: bufferError }),
})
const source = (name: string, up: boolean) => ({ name, healthy: () => up })
const READY: ReadinessState = { started: true, stopping: false, exporters: [exporter('a', true)], sources: [source('ch', true)] }

/** [case, state, the reason] */
const ROWS: [name: string, state: ReadinessState, reason: string | null][] = [
  ['ready', READY, null],
  ['not started yet (whatever else)', { ...READY, started: false, stopping: true }, 'starting'],
  ['shutting down', { ...READY, stopping: true, exporters: [exporter('a', false)] }, 'shutting down'],
  [
    'exporters down, named in order',
    { ...READY, exporters: [exporter('a', false), exporter('b', true), exporter('c', false)], sources: [source('ch', false)] },
    'every endpoint failed its last attempt for exporter(s): a, c',
  ],
  [
    'a durable buffer that cannot be written (after exporters down, before sources)',
    {
      ...READY,
      exporters: [exporter('a', true, null), exporter('b', true, 'EROFS: read-only'), exporter('c', true)],
      sources: [source('ch', false)],
    },
    'the durable buffer cannot be written for exporter(s): b (EROFS: read-only)',
  ],
  [
    'sources failing',
    { ...READY, sources: [source('ch', false), source('ch2', false)] },
    'ClickHouse queries failing for source(s): ch, ch2',
  ],
  ['no exporters, no sources', { ...READY, exporters: [], sources: [] }, null],
]

for (const [name, state, reason] of ROWS) {
  test(`notReadyReason: ${name}`, () => assert.equal(notReadyReason(state), reason))
}
