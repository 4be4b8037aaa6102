// An exporter's `buffer:` key: memory by default, or {type: disk, path, max-bytes, sync-interval}
// with its defaults; a relative path resolved against the config file's directory; every problem
// and warning with its YAML path, the value and the line; `check` writes it back.
import test from 'node:test'
import assert from 'node:assert/strict'
import YAML from 'yaml'
import { parseConfig } from '../../src/config-file/load.ts'
import { renderEffectiveConfig } from '../../src/cli/effective-config.ts'
import { exportersYaml, formatted, kafka, STDOUT } from './helpers.ts'

/** The buffer of the first exporter of a one-exporter file. */
const bufferOf = (text: string, file = '/etc/relay/relay.yaml') => parseConfig(text, file).exporters[0]!.buffer

const GIB = 1073741824

test('absent, null, {} and {type: memory}: in memory', () => {
  assert.deepEqual(bufferOf(kafka()), { type: 'memory' })
  assert.deepEqual(bufferOf(kafka('buffer:')), { type: 'memory' })
  assert.deepEqual(bufferOf(kafka('buffer: {}')), { type: 'memory' })
  assert.deepEqual(bufferOf(kafka('buffer: {type: memory}')), { type: 'memory' })
  assert.deepEqual(bufferOf(kafka('buffer: {type: ~}')), { type: 'memory' })
  assert.deepEqual(parseConfig(kafka('buffer: {type: memory}'), 'x.yaml').warnings, [])
})

test('type disk: path, max-bytes (a number or a quantity) and sync-interval as given', () => {
  assert.deepEqual(bufferOf(kafka('buffer: {type: disk, path: /var/lib/relay, max-bytes: 256Mi, sync-interval: 0}')), {
    type: 'disk',
    path: '/var/lib/relay',
    maxBytes: 268435456,
    syncInterval: 0,
  })
  assert.deepEqual(bufferOf(kafka('buffer:\n  type: disk\n  path: /b\n  max-bytes: 8388608\n  sync-interval: 2.5')), {
    type: 'disk',
    path: '/b',
    maxBytes: 8388608,
    syncInterval: 2.5,
  })
  assert.equal((bufferOf(kafka('buffer: {type: disk, path: /b, max-bytes: "1.5Gi"}')) as { maxBytes: number }).maxBytes, 1.5 * GIB)
})

test('type disk: max-bytes 1Gi and sync-interval 0.5 by default; the same in a server.yaml', () => {
  const expected = { type: 'disk', path: '/var/lib/relay', maxBytes: GIB, syncInterval: 0.5 }
  assert.deepEqual(bufferOf(kafka('buffer: {type: disk, path: /var/lib/relay}')), expected)
  assert.deepEqual(bufferOf(kafka('buffer: {type: disk, path: /var/lib/relay, max-bytes: ~, sync-interval: ~}')), expected)
  assert.deepEqual(bufferOf(exportersYaml([`${STDOUT}\nbuffer: {type: disk, path: /var/lib/relay}`], { ingester: true })), expected)
})

test('a relative path resolves against the config file directory', () => {
  assert.equal((bufferOf(kafka('buffer: {type: disk, path: buffers}')) as { path: string }).path, '/etc/relay/buffers')
  assert.equal((bufferOf(kafka('buffer: {type: disk, path: ./a/../b}')) as { path: string }).path, '/etc/relay/b')
  assert.equal((bufferOf(kafka('buffer: {type: disk, path: ../spool}'), 'conf/relay.yaml') as { path: string }).path, 'spool')
  assert.equal((bufferOf(kafka('buffer: {type: disk, path: /abs}'), 'conf/relay.yaml') as { path: string }).path, '/abs')
})

test('max-bytes: at least 1Mi per queue', () => {
  // queue-count 4 (the default): 4Mi.
  assert.deepEqual(formatted(kafka('buffer: {type: disk, path: /b, max-bytes: 1Mi}')), [
    "exporters[0].buffer.max-bytes: expected at least 4194304 bytes (4Mi: 1Mi for each of the exporter's 4 queues, so that each queue's share holds several segments), got 1048576 (line 7)",
  ])
  assert.equal((bufferOf(kafka('buffer: {type: disk, path: /b, max-bytes: 4Mi}')) as { maxBytes: number }).maxBytes, 4194304)
  assert.deepEqual(formatted(kafka('queue-count: 1\nbuffer: {type: disk, path: /b, max-bytes: 1048575}')), [
    "exporters[0].buffer.max-bytes: expected at least 1048576 bytes (1Mi: 1Mi for each of the exporter's 1 queue, so that each queue's share holds several segments), got 1048575 (line 8)",
  ])
  assert.equal(
    (bufferOf(kafka('queue-count: 1\nbuffer: {type: disk, path: /b, max-bytes: 1Mi}')) as { maxBytes: number }).maxBytes,
    1048576,
  )
  // With type memory the bound is not checked (it is ignored, with a warning).
  assert.deepEqual(parseConfig(kafka('buffer: {max-bytes: 1}'), 'x.yaml').warnings, [
    'exporters[0].buffer.max-bytes: only used with type disk (this buffer is in memory, the default type); ignored (line 7)',
  ])
})

/** [test name, config text, every problem formatted] */
const PROBLEMS: [name: string, text: string, expected: string[]][] = [
  ['an unknown type', kafka('buffer: {type: ssd, path: /b}'), ['exporters[0].buffer.type: expected memory or disk, got "ssd" (line 7)']],
  ['type disk without a path', kafka('buffer: {type: disk}'), [
    "exporters[0].buffer.path: required with type disk: the directory that holds the exporter's buffer (in <path>/<exporter name>/) (line 7)",
  ]],
  ['type disk with an empty path', kafka('buffer:\n  type: disk\n  path: ""'), [
    "exporters[0].buffer.path: required with type disk: the directory that holds the exporter's buffer (in <path>/<exporter name>/) (line 9)",
  ]],
  ['a path that is not a string', kafka('buffer: {type: disk, path: [a, b]}'), [
    'exporters[0].buffer.path: expected a directory path, got a list (line 7)',
  ]],
  ['max-bytes that is not a size', kafka('buffer: {type: disk, path: /b, max-bytes: lots}'), [
    'exporters[0].buffer.max-bytes: expected a number of bytes or a quantity such as 256Mi or 1Gi, got "lots" (line 7)',
  ]],
  ['max-bytes 0', kafka('buffer: {type: disk, path: /b, max-bytes: 0}'), [
    'exporters[0].buffer.max-bytes: expected a number of bytes or a quantity such as 256Mi or 1Gi, got "0" (line 7)',
  ]],
  ['a negative sync-interval', kafka('buffer: {type: disk, path: /b, sync-interval: -1}'), [
    'exporters[0].buffer.sync-interval: expected a number of seconds (0 or more), got -1 (line 7)',
  ]],
  ['a sync-interval that is not a number', kafka('buffer: {type: disk, path: /b, sync-interval: soon}'), [
    'exporters[0].buffer.sync-interval: expected a number of seconds (0 or more), got "soon" (line 7)',
  ]],
  ['an unknown key: did you mean, and the valid keys', kafka('buffer:\n  type: disk\n  path: /b\n  maxbytes: 1Gi'), [
    'exporters[0].buffer.maxbytes: unknown key; did you mean "max-bytes"? (valid keys: type, path, max-bytes, sync-interval) (line 10)',
  ]],
  ['a scalar instead of a mapping', kafka('buffer: disk'), [
    'exporters[0].buffer: expected a mapping {type: memory} or {type: disk, path, max-bytes, sync-interval}, got "disk" (line 7)',
  ]],
  ['a list instead of a mapping', exportersYaml([`${STDOUT}\nbuffer: [disk]`], { ingester: true }), [
    'ingester.exporters[0].buffer: expected a mapping {type: memory} or {type: disk, path, max-bytes, sync-interval}, got a list (line 7)',
  ]],
  ['a mistyped key: the disk checks wait until it is fixed', kafka('buffer: {type: disk, max-bytes: 2Mi, sync-interval: -0.5}'), [
    'exporters[0].buffer.sync-interval: expected a number of seconds (0 or more), got -0.5 (line 7)',
  ]],
  ['every disk problem once the keys are typed', kafka('buffer: {type: disk, max-bytes: 2Mi}'), [
    "exporters[0].buffer.path: required with type disk: the directory that holds the exporter's buffer (in <path>/<exporter name>/) (line 7)",
    "exporters[0].buffer.max-bytes: expected at least 4194304 bytes (4Mi: 1Mi for each of the exporter's 4 queues, so that each queue's share holds several segments), got 2097152 (line 7)",
  ]],
  ['an exporter named .. with type disk', kafka('name: ..\nbuffer: {type: disk, path: /b}'), [
    'exporters[0].name: ".." cannot name a buffer directory (<path>/<exporter name>/); choose another name (line 7)',
  ]],
]

for (const [name, text, expected] of PROBLEMS) {
  test(`buffer problem: ${name}`, () => assert.deepEqual(formatted(text), expected))
}

test('an exporter named . or .. keeps its name with a buffer in memory', () => {
  assert.equal(parseConfig(kafka('name: ..'), 'x.yaml').exporters[0]!.name, '..')
})

test('keys of type disk given with type memory (or no type): a warning for each, ignored', () => {
  const c = parseConfig(kafka('buffer: {type: memory, path: /b, max-bytes: 1Gi, sync-interval: 1}'), 'x.yaml')
  assert.deepEqual(c.exporters[0]!.buffer, { type: 'memory' })
  assert.deepEqual(c.warnings, [
    'exporters[0].buffer.path: only used with type disk (this buffer is in memory); ignored (line 7)',
    'exporters[0].buffer.max-bytes: only used with type disk (this buffer is in memory); ignored (line 7)',
    'exporters[0].buffer.sync-interval: only used with type disk (this buffer is in memory); ignored (line 7)',
  ])
  const untyped = parseConfig(kafka('buffer:\n  path: /var/lib/relay'), 'x.yaml')
  assert.deepEqual(untyped.exporters[0]!.buffer, { type: 'memory' })
  assert.deepEqual(untyped.warnings, [
    'exporters[0].buffer.path: only used with type disk (this buffer is in memory, the default type); ignored (line 8)',
  ])
})

test('check writes the buffer back: the path resolved, max-bytes in bytes; the output reads back the same', () => {
  const config = parseConfig(
    exportersYaml([`${STDOUT}\nname: disk\nbuffer: {type: disk, path: spool, max-bytes: 64Mi}`, `${STDOUT}\nname: mem`]),
    '/etc/relay/relay.yaml',
  )
  const text = renderEffectiveConfig(config)
  assert.equal(
    text.includes(
      '\n    buffer:\n      type: disk\n      path: /etc/relay/spool\n      max-bytes: 67108864\n      sync-interval: 0.5\n',
    ),
    true,
    text,
  )
  assert.equal(text.includes('\n    buffer:\n      type: memory\n'), true, text)
  const doc = YAML.parse(text) as { exporters: { buffer: unknown }[] }
  assert.deepEqual(doc.exporters.map((e) => e.buffer), [
    { type: 'disk', path: '/etc/relay/spool', 'max-bytes': 67108864, 'sync-interval': 0.5 },
    { type: 'memory' },
  ])
  assert.deepEqual(parseConfig(text, '/elsewhere/check.yaml').exporters.map((e) => e.buffer), config.exporters.map((e) => e.buffer))
})

test('exportersPath: where the exporter list is', () => {
  assert.deepEqual(parseConfig(kafka(), 'x.yaml').exportersPath, ['exporters'])
  assert.deepEqual(parseConfig(exportersYaml([STDOUT], { ingester: true }), 'x.yaml').exportersPath, ['ingester', 'exporters'])
})
