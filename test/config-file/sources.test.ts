import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { parseSince } from '../../src/config-file/sources.ts'
import { renderEffectiveConfig } from '../../src/cli/effective-config.ts'
import { formatted } from './helpers.ts'

const yaml = (source: string) =>
  `sources:
  - clickhouse:
${source.split('\n').map((l) => `      ${l}`).join('\n')}
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag]}
`

test('a clickhouse source with its defaults', () => {
  const c = parseConfig(
    yaml('url: http://127.0.0.1:8123\ndata-sources: [flow_log.l7_flow_log]\ncursor-file: /var/lib/relay/cursor.json'),
    's.yaml',
  )
  assert.deepEqual(c.sources, [{
    name: 'clickhouse-0',
    url: 'http://127.0.0.1:8123',
    user: 'default',
    password: '',
    dataSources: ['flow_log.l7_flow_log'],
    interval: 5,
    since: null,
    batchRows: 10000,
    cursorFile: '/var/lib/relay/cursor.json',
    settle: { '1m': 180, '1s': 30, flow_log: 30, event: 30 },
  }])
  assert.deepEqual(c.warnings, [])
})

test('since is Unix seconds or RFC 3339', () => {
  assert.equal(parseSince(1715133600), 1715133600)
  assert.equal(parseSince('2024-05-08T02:00:00Z'), 1715133600)
  assert.equal(parseSince('2024-05-08T10:00:00+08:00'), 1715133600)
  assert.equal(parseSince('yesterday'), undefined)
  assert.equal(
    parseConfig(yaml('url: http://h:8123\ndata-sources: [flow_log.l7_flow_log]\nsince: 2024-05-08T02:00:00Z\ncursor-file: c'), 's.yaml')
      .sources[0]!.since,
    1715133600,
  )
})

test('source problems are named by path; a missing cursor-file is a warning', () => {
  assert.deepEqual(
    formatted(yaml('url: ftp://h\ndata-sources: [flow_log.l7_flow_lg]\nbatch-rows: 0\nsince: soon\nuser: default\ntables: [x]')),
    [
      'sources[0].clickhouse.url: expected an http:// or https:// URL, got "ftp://h" (line 3)',
      'sources[0].clickhouse.since: expected Unix seconds or an RFC 3339 time such as 2026-11-01T00:00:00Z, got "soon" (line 6)',
      'sources[0].clickhouse.batch-rows: expected a positive number of rows, got 0 (line 5)',
      'sources[0].clickhouse.tables: unknown key (valid keys: url, user, password, data-sources, interval, since, batch-rows, cursor-file, settle) (line 8)',
    ],
  )
  assert.deepEqual(formatted(yaml('url: http://h\ndata-sources: [flow_log.l7_flow_lg]')), [
    'sources[0].clickhouse.data-sources[0]: unknown data source "flow_log.l7_flow_lg"; did you mean "flow_log.l7_flow_log"? (line 4)',
  ])
  const c = parseConfig(yaml('url: http://h\ndata-sources: [event.file_event]'), 's.yaml')
  assert.deepEqual(c.warnings, ['sources[0].clickhouse: no cursor-file; a restart starts again from `since` (or now) (line 2)'])
})

test('settle: one number for every kind of table, or a mapping by kind (a kind left out keeps its default); whole seconds, 0 or more', () => {
  const settleOf = (line: string) =>
    parseConfig(yaml(`url: http://h:8123\ndata-sources: [flow_log.l7_flow_log]\ncursor-file: c\n${line}`), 's.yaml').sources[0]!.settle
  assert.deepEqual(settleOf('settle: 10'), { '1m': 10, '1s': 10, flow_log: 10, event: 10 })
  assert.deepEqual(settleOf('settle: 0'), { '1m': 0, '1s': 0, flow_log: 0, event: 0 })
  assert.deepEqual(settleOf('settle: {1m: 240, event: 5}'), { '1m': 240, '1s': 30, flow_log: 30, event: 5 })
  assert.deepEqual(settleOf('settle:\n  1s: 0\n  flow_log: 60'), { '1m': 180, '1s': 0, flow_log: 60, event: 30 })
  assert.deepEqual(settleOf('settle:'), { '1m': 180, '1s': 30, flow_log: 30, event: 30 })
  const problems = (line: string) => formatted(yaml(`url: http://h:8123\ndata-sources: [flow_log.l7_flow_log]\n${line}`))
  const either = 'expected a whole number of seconds (0 or more), or a mapping {1m, 1s, flow_log, event} of them'
  assert.deepEqual(problems('settle: -1'), [`sources[0].clickhouse.settle: ${either}, got -1 (line 5)`])
  assert.deepEqual(problems('settle: 1.5'), [`sources[0].clickhouse.settle: ${either}, got 1.5 (line 5)`])
  assert.deepEqual(problems('settle: "30"'), [`sources[0].clickhouse.settle: ${either}, got "30" (line 5)`])
  assert.deepEqual(problems('settle: [30]'), [`sources[0].clickhouse.settle: ${either}, got a list (line 5)`])
  assert.deepEqual(problems('settle:\n  1m: -5\n  1s: soon\n  5m: 300'), [
    'sources[0].clickhouse.settle.1m: expected a whole number of seconds (0 or more), got -5 (line 6)',
    'sources[0].clickhouse.settle.1s: expected a whole number of seconds (0 or more), got "soon" (line 7)',
    'sources[0].clickhouse.settle.5m: unknown key; did you mean "1m"? (valid keys: 1m, 1s, flow_log, event) (line 8)',
  ])
})

test('check prints every kind of settle, defaults filled', () => {
  const c = parseConfig(
    yaml('url: http://h:8123\ndata-sources: [flow_log.l7_flow_log]\nsince: 1715133600\ncursor-file: /c.json\nsettle: {1m: 240}'),
    's.yaml',
  )
  assert.match(
    renderEffectiveConfig(c),
    /\n {6}batch-rows: 10000\n {6}cursor-file: \/c\.json\n {6}settle:\n {8}1m: 240\n {8}1s: 30\n {8}flow_log: 30\n {8}event: 30\n/,
  )
  // What check prints is a config that reads back the same.
  assert.deepEqual(parseConfig(renderEffectiveConfig(c), 'check.yaml').sources, c.sources)
})
