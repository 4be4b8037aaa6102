// The sources' lag, read at scrape time from the readers the sources attached: a gauge per source
// and data source, and the same readings for the status page.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from '../../src/observe/metrics.ts'
import { registerSourceLag } from '../../src/observe/source-lag.ts'

test('deepflow_relay_source_lag_seconds reads every attached source at scrape time; attaching again replaces its reader', () => {
  const registry = new Registry()
  const lag = registerSourceLag(registry)
  const header = [
    "# HELP deepflow_relay_source_lag_seconds How far a source is behind now: now − the time of the data source's cursor (rows before it were read).",
    '# TYPE deepflow_relay_source_lag_seconds gauge',
  ]
  assert.equal(registry.render(), `${header.join('\n')}\n`)
  let now = 1000
  lag.attach('clickhouse-0', () => [
    { dataSource: 'flow_log.l7_flow_log', cursorTime: 900, lagSeconds: now - 900 },
    { dataSource: 'flow_metrics.network.1m', cursorTime: 700, lagSeconds: now - 700 },
  ])
  lag.attach('clickhouse-1', () => [{ dataSource: 'event.file_event', cursorTime: 990, lagSeconds: 10.5 }])
  now = 1030
  assert.equal(
    registry.render(),
    [
      ...header,
      'deepflow_relay_source_lag_seconds{source="clickhouse-0",data_source="flow_log.l7_flow_log"} 130',
      'deepflow_relay_source_lag_seconds{source="clickhouse-0",data_source="flow_metrics.network.1m"} 330',
      'deepflow_relay_source_lag_seconds{source="clickhouse-1",data_source="event.file_event"} 10.5',
      '',
    ].join('\n'),
  )
  lag.attach('clickhouse-0', () => [])
  assert.deepEqual(lag.read(), [
    { source: 'clickhouse-0', lags: [] },
    { source: 'clickhouse-1', lags: [{ dataSource: 'event.file_event', cursorTime: 990, lagSeconds: 10.5 }] },
  ])
})
