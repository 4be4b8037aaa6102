// The counting remote-write receiver both remote-write contenders send to (its own process, pinned
// by the runner to the load generator's core): every POST body is snappy-inflated (snappy-decode.ts)
// and its series and samples are counted by walking the protobuf wire format (WriteRequest field 1
// = TimeSeries, TimeSeries field 2 = Sample) without building objects. snappyjs + protobufjs's
// full decode cost ~40 ms per 1000 DeepFlow series, which would make the receiver, not the
// contender, the bottleneck; this path costs ~1.5 ms. With --check every request is also inflated
// with src/util/snappy.ts and fully decoded with the relay's decodeWriteRequest, both must agree,
// and a digest of every sample (labels, timestamp, value) is kept, so two contenders can be shown
// to have sent the same samples. The time of the last counted request ends a measurement.
// Usage: bun scripts/bench/receiver.ts --port 0 [--check]   (prints {"port":N} when listening)
//   GET /stats → {samples, series, requests, bytes, errors, first, last, distinct, digest}; POST /reset
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { decodeWriteRequest } from '../../src/wire/remote-write/prompb.ts'
import { snappyBlockUncompress } from '../../src/util/snappy.ts'
import { snappyDecode } from './snappy-decode.ts'
import { now } from './clock.ts'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, check: { type: 'boolean', default: false } } })

let stats = { samples: 0, series: 0, requests: 0, bytes: 0, errors: 0, first: 0, last: 0 }
let seen = new Set<string>()

/** Series (WriteRequest field 1) and samples (their field 2) of a WriteRequest, from its bytes. */
function countSamples(b: Uint8Array): { series: number; samples: number } {
  let series = 0
  let samples = 0
  let pos = 0
  const n = b.length
  // Reads a varint at pos (advancing it); values stay below 2^53.
  const varint = () => {
    let x = b[pos++]!
    if (x < 0x80) return x
    let v = x & 0x7f
    let mul = 128
    for (;;) {
      x = b[pos++]!
      if (x === undefined) throw new Error('truncated varint')
      v += (x & 0x7f) * mul
      if (x < 0x80) return v
      mul *= 128
    }
  }
  const skip = (wt: number) => {
    if (wt === 0) varint()
    else if (wt === 1) pos += 8
    else if (wt === 5) pos += 4
    else if (wt === 2) {
      const len = varint()
      pos += len
    } else throw new Error(`unsupported wire type ${wt}`)
  }
  while (pos < n) {
    const tag = varint()
    if (tag !== 10) {
      skip(tag & 7)
      continue
    }
    const len = varint()
    const end = pos + len
    series++
    while (pos < end) {
      const t = varint()
      if (t === 18) samples++
      skip(t & 7)
    }
    if (pos !== end) throw new Error('malformed TimeSeries')
  }
  if (pos !== n) throw new Error('malformed WriteRequest')
  return { series, samples }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    let digest = ''
    if (values.check) digest = createHash('sha1').update([...seen].sort().join('\n')).digest('hex')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ ...stats, distinct: seen.size, digest }))
    return
  }
  if (req.method === 'POST' && req.url === '/reset') {
    stats = { samples: 0, series: 0, requests: 0, bytes: 0, errors: 0, first: 0, last: 0 }
    seen = new Set()
    res.writeHead(204).end()
    return
  }
  if (req.method !== 'POST') {
    res.writeHead(404).end()
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    try {
      const body = Buffer.concat(chunks)
      const raw = snappyDecode(body)
      const { series, samples } = countSamples(raw)
      if (values.check) {
        if (Buffer.compare(Buffer.from(snappyBlockUncompress(body)), Buffer.from(raw)) !== 0) throw new Error('snappy decoders disagree')
        const { timeseries } = decodeWriteRequest(raw)
        let decoded = 0
        for (const ts of timeseries) {
          decoded += ts.samples.length
          const labels = [...ts.labels].sort((a, b) => (a.name < b.name ? -1 : 1)).map((l) => `${l.name}=${l.value}`).join(',')
          for (const s of ts.samples) seen.add(`${labels} ${s.timestamp} ${s.value}`)
        }
        if (timeseries.length !== series || decoded !== samples) {
          throw new Error(`wire count ${series}/${samples} != decoded ${timeseries.length}/${decoded}`)
        }
      }
      const t = now()
      if (stats.requests === 0) stats.first = t
      stats.last = t
      stats.requests++
      stats.bytes += body.byteLength
      stats.series += series
      stats.samples += samples
      res.writeHead(204).end()
    } catch (err) {
      stats.errors++
      res.writeHead(400).end(String(err))
    }
  })
})
server.keepAliveTimeout = 60_000
server.listen(Number(values.port), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
