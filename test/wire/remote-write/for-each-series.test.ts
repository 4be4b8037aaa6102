// forEachTimeSeries: a WriteRequest's series one at a time, the same as decodeWriteRequest gives
// them all at once; metadata (field 3) skipped; bytes that are not a WriteRequest throw.
import test from 'node:test'
import assert from 'node:assert/strict'
import { decodeWriteRequest, encodeWriteRequest, forEachTimeSeries, type TimeSeries } from '../../../src/wire/remote-write/prompb.ts'

const SERIES: TimeSeries[] = [
  {
    labels: [{ name: '__name__', value: 'byte_tx' }, { name: 'datasource', value: 'flow_metrics.network.1m' }],
    samples: [{ value: 1, timestamp: 1715133600000 }],
  },
  {
    labels: [{ name: '__name__', value: 'rtt' }],
    samples: [{ value: 2.5, timestamp: 1715133660000 }, { value: 3, timestamp: 1715133720000 }],
  },
]

test('the series one at a time, in order, equal to decodeWriteRequest; metadata is skipped', () => {
  // metadata: field 3, length-delimited (a MetricMetadata with metric_family_name "x": field 4, "x")
  const metadata = new Uint8Array([(3 << 3) | 2, 3, (4 << 3) | 2, 1, 120])
  const request = encodeWriteRequest(SERIES)
  const bytes = new Uint8Array([...metadata, ...request, ...metadata])
  const seen: [number, TimeSeries][] = []
  forEachTimeSeries(bytes, (s, i) => seen.push([i, s]))
  assert.deepEqual(seen, decodeWriteRequest(request).timeseries.map((s, i) => [i, s]))
  assert.equal(seen.length, 2)
})

test('bytes that are not a WriteRequest throw; the visitor may throw to stop', () => {
  const request = encodeWriteRequest(SERIES)
  assert.throws(() => forEachTimeSeries(request.subarray(0, request.length - 3), () => {}))
  let visits = 0
  assert.throws(() =>
    forEachTimeSeries(request, () => {
      visits++
      throw new Error('stop')
    }), /stop/)
  assert.equal(visits, 1)
})

test('forEachTimeSeriesPaced: the same series, with a pause every SERIES_PER_PAUSE of them', async () => {
  const { forEachTimeSeriesPaced, SERIES_PER_PAUSE } = await import('../../../src/wire/remote-write/prompb.ts')
  const series = Array.from({ length: 2 * SERIES_PER_PAUSE + 3 }, (_, i) => ({
    labels: [{ name: '__name__', value: `m${i}` }],
    samples: [{ value: i, timestamp: 1000 + i }],
  }))
  const bytes = encodeWriteRequest(series)
  const seen: string[] = []
  let pauses = 0
  await forEachTimeSeriesPaced(bytes, (s) => void seen.push(s.labels[0]!.value), () => {
    pauses++
    return Promise.resolve()
  })
  assert.equal(seen.length, series.length)
  assert.equal(seen.at(-1), `m${series.length - 1}`)
  assert.equal(pauses, 2)
})
