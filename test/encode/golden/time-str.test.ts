// time_str (§2.3): Go Time.String() of end_time (µs) for flow logs and events, of time (s) for
// flow_metrics; trailing fraction zeros trimmed; relay.time-zone (UTC default, Asia/Shanghai, ...).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { T } from './fixtures.ts'

const timeStr = (ds: string, record: object, timeZone?: string): string => {
  const line = encodeOne('export-fields: [time]', ds, record, timeZone === undefined ? {} : { timeZone })
  const m = /^\{"datasource":"[^"]+","time":\d+,"time_str":"([^"]*)"\}$/.exec(line ?? '')
  assert.ok(m, `unexpected line ${line}`)
  return m[1]!
}

test('full line: time_str is the last key, after the fields', () => {
  assert.equal(
    encodeOne('export-fields: [time, end_time]', 'flow_log.l7_flow_log', { time: T, end_time: 1715133600123512 }),
    '{"datasource":"flow_log.l7_flow_log","time":1715133600,"end_time":1715133600123512,"time_str":"2024-05-08 02:00:00.123512 +0000 UTC"}',
  )
})

test('flow logs: from end_time in µs, fraction trimmed of trailing zeros', () => {
  const l7 = 'flow_log.l7_flow_log'
  assert.equal(timeStr(l7, { time: T, end_time: 1715133600123512 }), '2024-05-08 02:00:00.123512 +0000 UTC')
  assert.equal(timeStr(l7, { time: T, end_time: 1715133600120000 }), '2024-05-08 02:00:00.12 +0000 UTC')
  assert.equal(timeStr(l7, { time: T, end_time: 1715133600100000 }), '2024-05-08 02:00:00.1 +0000 UTC')
  assert.equal(timeStr(l7, { time: T, end_time: 1715133600000001 }), '2024-05-08 02:00:00.000001 +0000 UTC')
  assert.equal(timeStr(l7, { time: T, end_time: 1715133600000000 }), '2024-05-08 02:00:00 +0000 UTC')
})

test('l4 and events: end_time wins over time', () => {
  assert.equal(timeStr('flow_log.l4_flow_log', { time: T, end_time: 1715133659900000 }), '2024-05-08 02:00:59.9 +0000 UTC')
  assert.equal(timeStr('event.file_event', { time: T, end_time: 1715133601000500 }), '2024-05-08 02:00:01.0005 +0000 UTC')
  assert.equal(timeStr('event.perf_event', { time: T, end_time: 1715133602000000 }), '2024-05-08 02:00:02 +0000 UTC')
})

test('flow_metrics: from time in seconds, every source', () => {
  for (
    const ds of ['network', 'network_map', 'application', 'application_map'].flatMap((
      s,
    ) => [`flow_metrics.${s}.1m`, `flow_metrics.${s}.1s`])
  ) {
    assert.equal(timeStr(ds, { time: T }), '2024-05-08 02:00:00 +0000 UTC', ds)
    assert.equal(timeStr(ds, { time: T + 59 }), '2024-05-08 02:00:59 +0000 UTC', ds)
  }
})

test('Asia/Shanghai: +0800 CST, also across midnight', () => {
  assert.equal(
    timeStr('flow_log.l7_flow_log', { time: T, end_time: 1715133600123512 }, 'Asia/Shanghai'),
    '2024-05-08 10:00:00.123512 +0800 CST',
  )
  assert.equal(timeStr('flow_metrics.network.1m', { time: T }, 'Asia/Shanghai'), '2024-05-08 10:00:00 +0800 CST')
  assert.equal(timeStr('event.file_event', { time: T, end_time: 1715200200000000 }, 'Asia/Shanghai'), '2024-05-09 04:30:00 +0800 CST')
  assert.equal(timeStr('flow_metrics.application_map.1s', { time: T + 59 }, 'Asia/Shanghai'), '2024-05-08 10:00:59 +0800 CST')
})

test('Asia/Shanghai full line', () => {
  assert.equal(
    encodeOne('export-fields: [$tag]', 'flow_metrics.network.1s', { time: T, ip4: '10.0.0.1' }, { timeZone: 'Asia/Shanghai' }),
    '{"datasource":"flow_metrics.network.1s","time":1715133600,"ip4":"10.0.0.1","time_str":"2024-05-08 10:00:00 +0800 CST"}',
  )
})

test('America/New_York: daylight and standard time abbreviations', () => {
  assert.equal(timeStr('flow_metrics.network.1m', { time: T }, 'America/New_York'), '2024-05-07 22:00:00 -0400 EDT')
  assert.equal(
    timeStr('flow_log.l7_flow_log', { time: 1705320000, end_time: 1705320000250000 }, 'America/New_York'),
    '2024-01-15 07:00:00.25 -0500 EST',
  )
})

test('zone history and future rules: Shanghai 1988 summer time, New York 2040', () => {
  assert.equal(timeStr('flow_metrics.network.1m', { time: 583718400 }, 'Asia/Shanghai'), '1988-07-01 09:00:00 +0900 CDT')
  assert.equal(timeStr('flow_metrics.network.1m', { time: 2224800000 }, 'America/New_York'), '2040-07-01 20:00:00 -0400 EDT')
  assert.equal(timeStr('flow_metrics.network.1m', { time: 2208988800 }, 'America/New_York'), '2039-12-31 19:00:00 -0500 EST')
})
