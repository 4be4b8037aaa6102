import test from 'node:test'
import assert from 'node:assert/strict'
import { nextRowQuery, pageQuery, tableOf, tieExpression } from '../../src/sources/clickhouse/query.ts'
import { cursorAtNextRow } from '../../src/sources/clickhouse/page.ts'
import { parseCursorFile, renderCursorFile } from '../../src/sources/clickhouse/cursor-file.ts'
import { createWallClockParser } from '../../src/time/parse-wall-clock.ts'
import { readFileSync } from 'node:fs'

test('a data source reads from the table its name splits into at the first dot', () => {
  assert.deepEqual(tableOf('flow_metrics.network_map.1s'), { database: 'flow_metrics', table: 'network_map.1s' })
  assert.deepEqual(tableOf('flow_log.l7_flow_log'), { database: 'flow_log', table: 'l7_flow_log' })
})

test('pages are ordered by (time, tie) after the cursor, within a bounded window', () => {
  assert.equal(tieExpression(['time', '_id', 'ip4_0']), '_id')
  assert.equal(tieExpression(['time', 'ip4', 'byte_tx']), 'cityHash64(`time`, `ip4`, `byte_tx`)')
  assert.equal(
    pageQuery({
      dataSource: 'flow_metrics.network.1m',
      tie: 'cityHash64(`time`)',
      cursor: { time: 100, tie: null },
      until: 3700,
      limit: 10,
    }),
    'SELECT *, cityHash64(`time`) AS __relay_tie FROM `flow_metrics`.`network.1m` WHERE time >= toDateTime(100) AND time < toDateTime(3700) ORDER BY time, __relay_tie LIMIT 10 FORMAT JSONEachRow',
  )
  assert.equal(
    pageQuery({ dataSource: 'flow_log.l7_flow_log', tie: '_id', cursor: { time: 100, tie: '18446744073709551615' }, until: 200, limit: 5 }),
    'SELECT *, _id AS __relay_tie FROM `flow_log`.`l7_flow_log` WHERE (time > toDateTime(100) OR (time = toDateTime(100) AND _id > 18446744073709551615)) AND time < toDateTime(200) ORDER BY time, __relay_tie LIMIT 5 FORMAT JSONEachRow',
  )
})

test('across empty time one query asks for the second of the next row after the cursor, before the bound', () => {
  assert.equal(
    nextRowQuery({ dataSource: 'flow_metrics.network.1m', tie: 'cityHash64(`time`)', cursor: { time: 3700, tie: null }, until: 90000 }),
    'SELECT toUInt32(time) AS next_time FROM `flow_metrics`.`network.1m` WHERE time >= toDateTime(3700) AND time < toDateTime(90000) ORDER BY time LIMIT 1 FORMAT JSONEachRow',
  )
  assert.equal(
    nextRowQuery({ dataSource: 'flow_log.l7_flow_log', tie: '_id', cursor: { time: 100, tie: '7' }, until: 200 }),
    'SELECT toUInt32(time) AS next_time FROM `flow_log`.`l7_flow_log` WHERE (time > toDateTime(100) OR (time = toDateTime(100) AND _id > 7)) AND time < toDateTime(200) ORDER BY time LIMIT 1 FORMAT JSONEachRow',
  )
})

test("the cursor jumps to the next row's second (tie null), or to the bound when there is none", () => {
  assert.deepEqual(cursorAtNextRow('{"next_time":1715133600}\n', 1800000000), { time: 1715133600, tie: null })
  assert.deepEqual(cursorAtNextRow('', 1800000000), { time: 1800000000, tie: null })
  assert.deepEqual(cursorAtNextRow('{"next_time":0}\n', 1800000000), { time: 0, tie: null })
  assert.throws(() => cursorAtNextRow('{"next_time":"0000-00-00 00:00:00"}\n', 1800000000), {
    message: 'not the time of a row: {"next_time":"0000-00-00 00:00:00"}',
  })
})

test('the cursor file round-trips and refuses what it cannot trust', () => {
  const cursors = new Map([['flow_log.l7_flow_log', { time: 100, tie: '5' }], ['flow_metrics.network.1m', { time: 60, tie: null }]])
  const parsed = parseCursorFile(renderCursorFile(cursors))
  assert.ok(parsed.ok)
  assert.deepEqual(parsed.ok ? [...parsed.cursors] : [], [...cursors])
  assert.equal(parseCursorFile('{"version": 1, "data_sources": {"x": {"time": -1, "tie": null}}}').ok, false)
  assert.equal(parseCursorFile('nope').ok, false)
})

test('ClickHouse DateTime and DateTime64 text is read in the server time zone', () => {
  const zone = (z: string) => readFileSync(`/usr/share/zoneinfo/${z}`)
  assert.equal(createWallClockParser('UTC')('2024-05-08 02:00:00'), 1715133600_000000)
  assert.equal(createWallClockParser('UTC')('2024-05-08 02:00:00.123512'), 1715133600_123512)
  assert.equal(createWallClockParser('Asia/Shanghai', zone)('2024-05-08 10:00:00.5'), 1715133600_500000)
  assert.equal(createWallClockParser('America/New_York', zone)('2024-01-15 07:00:00'), Date.UTC(2024, 0, 15, 12) * 1000)
  assert.equal(createWallClockParser('UTC')('2024-13-08 02:00:00'), undefined)
})
