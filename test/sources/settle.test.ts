// Which `settle` a data source's rows wait for: its kind of table.
import test from 'node:test'
import assert from 'node:assert/strict'
import { DATA_SOURCES } from '../../src/deepflow/schema.ts'
import { settleKind, settleSeconds } from '../../src/sources/clickhouse/settle.ts'

test('every data source has the settle of its kind of table: *.1m, *.1s, flow_log, event', () => {
  assert.deepEqual(Object.fromEntries(DATA_SOURCES.map((ds) => [ds, settleKind(ds)])), {
    'flow_log.l7_flow_log': 'flow_log',
    'flow_log.l4_flow_log': 'flow_log',
    'flow_metrics.network.1m': '1m',
    'flow_metrics.network.1s': '1s',
    'flow_metrics.network_map.1m': '1m',
    'flow_metrics.network_map.1s': '1s',
    'flow_metrics.application.1m': '1m',
    'flow_metrics.application.1s': '1s',
    'flow_metrics.application_map.1m': '1m',
    'flow_metrics.application_map.1s': '1s',
    'event.file_event': 'event',
    'event.perf_event': 'event',
  })
  const settle = { '1m': 180, '1s': 30, flow_log: 20, event: 10 }
  assert.deepEqual(
    ['flow_metrics.network.1m', 'flow_metrics.network_map.1s', 'flow_log.l4_flow_log', 'event.perf_event'].map((ds) =>
      settleSeconds(settle, ds)
    ),
    [
      180,
      30,
      20,
      10,
    ],
  )
})
