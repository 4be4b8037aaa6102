import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { parseSince } from '../../src/config-file/sources.ts'
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
      'sources[0].clickhouse.tables: unknown key (valid keys: url, user, password, data-sources, interval, since, batch-rows, cursor-file) (line 8)',
    ],
  )
  assert.deepEqual(formatted(yaml('url: http://h\ndata-sources: [flow_log.l7_flow_lg]')), [
    'sources[0].clickhouse.data-sources[0]: unknown data source "flow_log.l7_flow_lg"; did you mean "flow_log.l7_flow_log"? (line 4)',
  ])
  const c = parseConfig(yaml('url: http://h\ndata-sources: [event.file_event]'), 's.yaml')
  assert.deepEqual(c.warnings, ['sources[0].clickhouse: no cursor-file; a restart starts again from `since` (or now) (line 2)'])
})
