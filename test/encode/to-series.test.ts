import test from 'node:test'
import assert from 'node:assert/strict'
import { snappyBlockUncompress as uncompress } from '../../src/util/snappy.ts'
import { dataSource } from '../../src/deepflow/schema.ts'
import { compileSeriesEncoder, compileSeriesFragmentEncoder } from '../../src/encode/to-series.ts'
import { DATA_SOURCES } from '../../src/deepflow/schema.ts'
import { compileSeriesPlans, invalidSeries } from '../../src/exporters/remote-write/rw-plan.ts'
import { loadPrompb } from '../../src/wire/remote-write/prompb-loader.ts'
import { decodeWriteRequest, encodeSeriesSet, encodeWriteRequest, type Label, type TimeSeries } from '../../src/wire/remote-write/prompb.ts'
import { snappyBlockOf } from '../../src/wire/remote-write/series-fragment.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { dictionaryFrom, exporterFromYaml } from '../helpers/encode.ts'
import { seriesText } from '../helpers/rw-receiver.ts'

await loadPrompb()

const DICT = dictionaryFrom({ agent: { 7: 'node-1-V3' }, pod: { 153: 'productpage-v1-7f9c' }, l3_epc: { 1: 'vpc-1' } })

function seriesOf(entry: string, ds: string, input: unknown) {
  const spec = dataSource(ds)!
  const exporter = exporterFromYaml(`data-sources: [${ds}]\n${entry}`)
  const r = compileNormalizer(spec)(input)
  if (!r.ok) throw new Error(r.error)
  return compileSeriesEncoder(exporter, spec, { current: DICT })(r.record)
}

const NETWORK = {
  time: 1715133600,
  byte_tx: 15320,
  packet_tx: 0,
  rtt_max: 830,
  ip4: '10.1.2.3',
  l3_epc_id: 1,
  l3_device_type: 10,
  role: 0,
  protocol: 6,
  server_port: 9080,
  agent_id: 7,
  pod_id: 153,
  signal_source: 0,
  is_ipv4: 1,
  region_id: 0,
  gprocess_id: 5,
}
const LABELS =
  'agent_id="node-1-V3",datasource="flow_metrics.network.1m",gprocess_id="5",ip4="10.1.2.3",is_ipv4="1",l3_device_type="pod",l3_epc_id="vpc-1",pod_id="productpage-v1-7f9c",protocol="TCP",role="Client",server_port="9080",signal_source="Packet"'

test('one series per exported metric, labels translated under their own names, sorted, empty and time left out', () => {
  const { series } = seriesOf('export-fields: [$tag, $metrics]', 'flow_metrics.network.1m', NETWORK)
  assert.deepEqual(seriesText(series), [
    `packet_tx{${LABELS}} 0 @1715133600000`,
    `byte_tx{${LABELS}} 15320 @1715133600000`,
    `rtt_max{${LABELS}} 830 @1715133600000`,
  ])
  for (const s of series) assert.deepEqual(s.labels.map((l) => l.name), [...s.labels.map((l) => l.name)].sort())
})

test('export-empty-metrics-disabled drops zero-valued series', () => {
  const { series } = seriesOf('export-fields: [$tag, $metrics]\nexport-empty-metrics-disabled: true', 'flow_metrics.network.1m', NETWORK)
  assert.deepEqual(series.map((s) => s.labels[0]!.value), ['byte_tx', 'rtt_max'])
})

test('export-fields selects the labels and the metrics', () => {
  const { series } = seriesOf('export-fields: [$metrics.delay, ip4, pod_id]', 'flow_metrics.network.1m', NETWORK)
  assert.deepEqual(seriesText(series), [
    'rtt_max{datasource="flow_metrics.network.1m",ip4="10.1.2.3",pod_id="productpage-v1-7f9c"} 830 @1715133600000',
  ])
})

test('map sources keep the _0/_1 label names; universal translation off keeps raw ids', () => {
  const { series } = seriesOf(
    'export-fields: [$tag, $metrics]\nuniversal-tag-translate-to-name-disabled: true',
    'flow_metrics.application_map.1s',
    {
      time: 1715133600,
      request: 12,
      ip4: '10.1.2.3',
      ip4_1: '10.1.2.4',
      pod_id_0: 153,
      pod_id_1: 0,
      agent_id: 7,
      l7_protocol: 20,
      tunnel_type: 0,
      observation_point: 'c-p',
      endpoint: '/reviews/0',
    },
  )
  assert.deepEqual(seriesText(series), [
    'request{agent_id="7",datasource="flow_metrics.application_map.1s",endpoint="/reviews/0",ip4_0="10.1.2.3",ip4_1="10.1.2.4",l7_protocol="HTTP",observation_point="Client Process",pod_id_0="153",pod_id_1="0",tunnel_type="N/A"} 12 @1715133600000',
  ])
})

test('records of one series hash alike whatever their metrics; other tags hash apart', () => {
  const a = seriesOf('export-fields: [$tag, $metrics]', 'flow_metrics.network.1m', NETWORK)
  const b = seriesOf('export-fields: [$tag, $metrics]', 'flow_metrics.network.1m', { ...NETWORK, time: 1715133660, byte_tx: 1 })
  const c = seriesOf('export-fields: [$tag, $metrics]', 'flow_metrics.network.1m', { ...NETWORK, server_port: 9081 })
  assert.equal(a.seriesHash, b.seriesHash)
  assert.notEqual(a.seriesHash, c.seriesHash)
})

test('a record becomes a snappy fragment of WriteRequest bytes; a block of fragments inflates to one WriteRequest', () => {
  const exporter = exporterFromYaml('data-sources: [flow_metrics.network.1m]\nexport-fields: [byte_tx, ip4]')
  const plan = compileSeriesPlans(exporter, { current: DICT }, () => assert.fail('no invalid series expected')).get(
    'flow_metrics.network.1m',
  )!
  const norm = compileNormalizer(dataSource('flow_metrics.network.1m')!)
  const items = [1, 2].map((n) => {
    const r = norm({ time: 1715133600, byte_tx: n, ip4: `10.0.0.${n}` })
    assert.ok(r.ok)
    return plan.encode(r.record).item
  })
  assert.deepEqual(items.map((i) => i.units), [1, 1])
  assert.deepEqual(items.map((i) => i.bytes), items.map((i) => i.payload.ops.length))
  assert.deepEqual(seriesText(decodeWriteRequest(uncompress(snappyBlockOf(items.map((i) => i.payload)))).timeseries), [
    'byte_tx{datasource="flow_metrics.network.1m",ip4="10.0.0.1"} 1 @1715133600000',
    'byte_tx{datasource="flow_metrics.network.1m",ip4="10.0.0.2"} 2 @1715133600000',
  ])
})

test('fragments are cut from a slab lane per queue (hash modulo queue-count): a slab holds the fragments of one queue only', () => {
  const exporter = exporterFromYaml('data-sources: [flow_metrics.network.1m]\nexport-fields: [byte_tx, ip4]\nqueue-count: 3')
  const encode = compileSeriesFragmentEncoder(exporter, dataSource('flow_metrics.network.1m')!, { current: DICT })
  const norm = compileNormalizer(dataSource('flow_metrics.network.1m')!)
  const cut = Array.from({ length: 60 }, (_, n) => {
    const r = norm({ time: 1715133600, byte_tx: n, ip4: `10.0.${n}.1` })
    assert.ok(r.ok)
    const { fragment, seriesHash } = encode(r.record)
    return { queue: seriesHash % 3, buffer: fragment.ops.buffer }
  })
  assert.deepEqual(new Set(cut.map((c) => c.queue)).size, 3, 'the records go to all three queues')
  for (const a of cut) {
    for (const b of cut) if (a.queue !== b.queue) assert.notEqual(a.buffer, b.buffer, 'fragments of two queues never share a slab')
  }
  for (let q = 0; q < 3; q++) assert.equal(new Set(cut.filter((c) => c.queue === q).map((c) => c.buffer)).size, 1, 'one queue: one slab')
})

test('a fragment inflates to exactly the bytes protobufjs encodes for the full series, whatever the values and sizes', () => {
  const values = [0, -0, 1, -1.5, 0.1, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE]
  const cases: [string, Label[], number][] = [
    ['no shared labels but datasource', [{ name: 'datasource', value: 'd' }], 1715133600000],
    ['timestamp 0 (left out)', [{ name: 'datasource', value: 'd' }, { name: 'ip4', value: '10.0.0.1' }], 0],
    ['negative timestamp (10-byte varint)', [{ name: 'a', value: 'b' }], -1000],
    ['labels longer than 64 bytes: several copy elements', [{ name: 'app_service', value: 'x'.repeat(200) }, {
      name: 'datasource',
      value: 'd',
    }], 1715133600000],
    ['labels with a 100 kB value: copies with 4-byte offsets', [{ name: 'big', value: 'é'.repeat(50_000) }], 1715133600000],
    ['multi-byte UTF-8', [{ name: 'pod', value: 'productpage-v1-7f9c-名前' }], 1715133600000],
  ]
  for (const [what, shared, timestamp] of cases) {
    const metrics = values.map((value, i) => ({ name: `m${'_'.repeat(i * 7)}${i}`, value }))
    const fragment = encodeSeriesSet(shared, metrics, timestamp)
    const full: TimeSeries[] = metrics.map((m) => ({
      labels: [{ name: '__name__', value: m.name }, ...shared],
      samples: [{ value: m.value, timestamp }],
    }))
    const expected = encodeWriteRequest(full)
    assert.equal(fragment.rawLength, expected.length, what)
    assert.deepEqual(uncompress(snappyBlockOf([fragment])), new Uint8Array(expected), what)
    // Placed behind another record's fragment, the same bytes follow it.
    const before = encodeSeriesSet([{ name: 'z', value: 'y' }], [{ name: 'first', value: 3 }], 1)
    assert.deepEqual(uncompress(snappyBlockOf([before, fragment])).subarray(before.rawLength), new Uint8Array(expected), `${what}, second`)
  }
  // Labels over 64 KiB are copied too (4-byte offsets): the fragment stays near their size, not 11 times it.
  const huge = encodeSeriesSet([{ name: 'big', value: 'x'.repeat(100_000) }], values.map((value, i) => ({ name: `m${i}`, value })), 1)
  assert.ok(huge.ops.length < 2.2 * 100_000 && huge.rawLength > 11 * 100_000, `${huge.ops.length} B for ${huge.rawLength} B`)
  // The fragment is much smaller than the series it stands for.
  const shared = Array.from(
    { length: 30 },
    (_, i) => ({ name: `label_${String(i).padStart(2, '0')}`, value: `value-${i}-of-a-typical-length` }),
  )
  const metrics = Array.from({ length: 65 }, (_, i) => ({ name: `metric_${i}`, value: i * 1.5 }))
  const f = encodeSeriesSet(shared, metrics, 1715133600000)
  assert.ok(f.ops.length * 6 < f.rawLength, `${f.ops.length} B for ${f.rawLength} B`)
})

test('every label a flow_metrics series can have is one a receiver accepts (checked once per data source, not per record)', () => {
  for (const ds of DATA_SOURCES.filter((d) => d.startsWith('flow_metrics.'))) {
    const { labelNames } = compileSeriesFragmentEncoder(
      exporterFromYaml(`data-sources: [${ds}]\nexport-fields: [$tag, $metrics]`),
      dataSource(ds)!,
      { current: DICT },
    )
    assert.ok(labelNames.length > 10, ds)
    assert.equal(invalidSeries({ labels: labelNames.map((name) => ({ name, value: 'x' })), samples: [] }), null, ds)
  }
})

test('series no receiver could accept are recognised', () => {
  const ok = { labels: [{ name: '__name__', value: 'x' }], samples: [] }
  assert.equal(invalidSeries(ok), null)
  assert.equal(invalidSeries({ labels: [], samples: [] }), 'empty label set')
  assert.equal(invalidSeries({ labels: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }], samples: [] }), 'duplicate label name "a"')
  assert.equal(invalidSeries({ labels: [{ name: '1a', value: '1' }], samples: [] }), 'invalid label name "1a"')
  assert.equal(invalidSeries({ labels: [{ name: 'a', value: '' }], samples: [] }), 'empty value of label "a"')
})

test('the labels writer, metric heads and timestamp fields write the bytes protobufjs writes, for any value length, script and number', async () => {
  const { LabelsWriter, labelKey } = await import('../../src/wire/remote-write/labels-writer.ts')
  const { encodeSeriesFragment, metricHead, sampleTimestampField } = await import('../../src/wire/remote-write/series-fragment.ts')
  const texts = [
    'a',
    'x'.repeat(127),
    'x'.repeat(128),
    'y'.repeat(16_384),
    'productpage-v1-7f9c-名前',
    'é'.repeat(70),
    '😀 emoji',
    'z'.repeat(200_000),
  ]
  const numbers = [0, 7, -7, 9080, 2 ** 53 - 1, 2 ** 53, -(2 ** 60), 1.5, -0.25, -0, 1e21, 123456789012]
  const names = ['agent_id', 'n'.repeat(130)]
  const metrics = [{ name: 'byte_tx', value: 15 }, { name: 'm'.repeat(140), value: 0 }, { name: 'rtt', value: -1.5 }]
  for (const timestamp of [1715133600000, 0, -1000, 1]) {
    for (const name of names) {
      const values: (string | number)[] = [...texts, ...numbers]
      for (const v of values) {
        const w = new LabelsWriter()
        w.text(labelKey('datasource'), 'flow_metrics.network.1s')
        if (typeof v === 'number') w.number(labelKey(name), v)
        else w.text(labelKey(name), v)
        w.text(labelKey('zz'), 'last')
        const labels: Label[] = [{ name: 'datasource', value: 'flow_metrics.network.1s' }, { name, value: String(v) }, {
          name: 'zz',
          value: 'last',
        }]
        const mine = encodeSeriesFragment(
          metrics.map((m) => metricHead(m.name)),
          metrics.map((m) => m.value),
          w.view(),
          sampleTimestampField(timestamp),
        )
        const theirs = encodeSeriesSet(labels, metrics, timestamp)
        const what = `${name.slice(0, 8)}=${String(v).slice(0, 12)} @${timestamp}`
        assert.equal(mine.rawLength, theirs.rawLength, what)
        assert.deepEqual(uncompress(snappyBlockOf([mine])), uncompress(snappyBlockOf([theirs])), what)
      }
    }
  }
})
