// The pure series → record groups step of remote write: valid series become one record per sample
// of their data source; invalid ones are rejected whole, with a reason and their index.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dataSource } from '../../src/deepflow/schema.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { prometheusSources } from '../../src/ingest/remote-write-sources.ts'
import { seriesToGroups } from '../../src/ingest/series-to-groups.ts'
import type { TimeSeries } from '../../src/wire/remote-write/prompb-types.ts'

const NET = 'flow_metrics.network.1m'
const APP = 'flow_metrics.application.1m'
const SOURCES = prometheusSources()
const LIMITS = { maxFields: 20, maxStringBytes: 64 }
const T_MS = 1715133600_500

function series(labels: Record<string, string>, samples: [number, number][] = [[7, T_MS]]): TimeSeries {
  return {
    labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
    samples: samples.map(([value, timestamp]) => ({ value, timestamp })),
  }
}

/** The record POST /v1/records would make of this object. */
function record(ds: string, input: Record<string, unknown>) {
  const r = compileNormalizer(dataSource(ds)!)(input)
  if (!r.ok) throw new Error(r.error)
  return r.record
}

test('each sample becomes a record of the series data source: time in seconds, labels as tags, __name__ as the metric', () => {
  const out = seriesToGroups(
    [
      series({ __name__: 'byte_tx', datasource: NET, ip4: '10.1.2.3', protocol: 'TCP', server_port: '' }, [[7, T_MS], [8, T_MS + 60_000]]),
      series({ __name__: 'request', datasource: APP, l7_protocol: 'HTTP' }),
      series({ __name__: 'byte_rx', datasource: NET, ip4: '10.1.2.4' }),
    ],
    SOURCES,
    LIMITS,
  )
  assert.deepEqual(out.groups, [
    {
      ds: NET,
      records: [
        record(NET, { time: 1715133600, ip4: '10.1.2.3', protocol: 'TCP', byte_tx: 7 }),
        record(NET, { time: 1715133660, ip4: '10.1.2.3', protocol: 'TCP', byte_tx: 8 }),
        record(NET, { time: 1715133600, ip4: '10.1.2.4', byte_rx: 7 }),
      ],
    },
    { ds: APP, records: [record(APP, { time: 1715133600, l7_protocol: 'HTTP', request: 7 })] },
  ])
  assert.deepEqual([...out.series], [[NET, 2], [APP, 1]])
  assert.deepEqual([...out.unknownFields], [])
  assert.deepEqual(out.rejected, [])
  assert.deepEqual(out.errors, [])
})

test('labels naming time or a metric field are not tags: ignored and counted as unknown, as are labels no field has', () => {
  const out = seriesToGroups(
    [series({ __name__: 'byte_tx', datasource: NET, time: '1', byte_rx: '3', rtt_max: '4', not_a_field: 'x' })],
    SOURCES,
    LIMITS,
  )
  assert.deepEqual(out.groups, [{ ds: NET, records: [record(NET, { time: 1715133600, byte_tx: 7 })] }])
  assert.deepEqual([...out.unknownFields], [[NET, 4]])
})

test('invalid series are rejected whole, each with its index, reason and data source (empty when unknown)', () => {
  const out = seriesToGroups(
    [
      series({ __name__: 'byte_tx', ip4: '10.1.2.3' }),
      series({ __name__: 'byte_tx', datasource: 'flow_log.l7_flow_log' }),
      series({ __name__: 'ip4', datasource: NET }),
      series({ __name__: 'byte_tx', datasource: NET }, []),
      series({ __name__: 'byte_tx', datasource: NET }, [[Number.NaN, T_MS]]),
      series({ __name__: 'byte_tx', datasource: NET, ip4: '300.1.1.1' }),
      series({ __name__: 'byte_tx', datasource: NET, ip4: 'x'.repeat(65) }),
      {
        labels: [{ name: '__name__', value: 'byte_tx' }, { name: 'datasource', value: NET }, { name: 'ip4', value: '1.1.1.1' }, {
          name: 'ip4',
          value: '1.1.1.2',
        }],
        samples: [{ value: 1, timestamp: T_MS }],
      },
      series({ __name__: 'byte_tx', datasource: NET, ...Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`l${i}`, 'v'])) }),
      series({ __name__: 'byte_tx', datasource: NET }),
    ],
    SOURCES,
    LIMITS,
  )
  assert.deepEqual(out.errors, [
    { series: 0, error: 'no datasource label' },
    { series: 1, error: `datasource "flow_log.l7_flow_log" is not a flow_metrics data source (valid: ${[...SOURCES.keys()].join(', ')})` },
    { series: 2, field: '__name__', error: `"ip4" is not a metric field of ${NET}` },
    { series: 3, error: 'series without samples' },
    { series: 4, field: 'byte_tx', error: 'sample value NaN is not a finite number (a staleness marker or NaN/Inf)' },
    { series: 5, field: 'ip4', error: 'expected an IPv4 address (dotted text or uint32), got "300.1.1.1"' },
    { series: 6, field: 'ip4', error: 'label longer than the limit of 64 bytes (relay.max-string-bytes)' },
    { series: 7, field: 'ip4', error: 'label name given twice' },
    { series: 8, error: 'more than 20 labels (relay.max-fields)' },
  ])
  assert.deepEqual(out.rejected, [
    { ds: '', reason: 'missing_datasource', count: 1 },
    { ds: '', reason: 'unknown_datasource', count: 1 },
    { ds: NET, reason: 'not_a_metric', count: 1 },
    { ds: NET, reason: 'no_samples', count: 1 },
    { ds: NET, reason: 'invalid_value', count: 2 },
    { ds: NET, reason: 'string_too_long', count: 1 },
    { ds: NET, reason: 'duplicate_label', count: 1 },
    { ds: NET, reason: 'too_many_fields', count: 1 },
  ])
  assert.deepEqual(out.groups, [{ ds: NET, records: [record(NET, { time: 1715133600, byte_tx: 7 })] }])
  assert.deepEqual([...out.series], [[NET, 1]])
})

test('one bad sample rejects the whole series: none of its records go anywhere', () => {
  const out = seriesToGroups(
    [series({ __name__: 'byte_tx', datasource: NET }, [[1, T_MS], [Number.POSITIVE_INFINITY, T_MS + 1000]])],
    SOURCES,
    LIMITS,
  )
  assert.deepEqual(out.groups, [])
  assert.deepEqual(out.rejected, [{ ds: NET, reason: 'invalid_value', count: 1 }])
  assert.deepEqual(out.errors, [{
    series: 0,
    field: 'byte_tx',
    error: 'sample value Infinity is not a finite number (a staleness marker or NaN/Inf)',
  }])
})
