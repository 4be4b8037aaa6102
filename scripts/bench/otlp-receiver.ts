// The counting OTLP/gRPC receiver the relay's opentelemetry exporter sends to in the benchmark (its
// own process, pinned by the runner to the load generator's core): a TraceService/Export handler of
// @grpc/grpc-js that takes each request's bytes as they are (no protobuf decode, which would make the
// receiver the bottleneck) and counts its spans by walking the wire format: ExportTraceServiceRequest
// field 1 = ResourceSpans, its field 2 = ScopeSpans, their field 2 = Span. With --check each request
// is also decoded with protobufjs (src/wire/otlp/otlp.ts) and both counts must agree.
// Usage: bun scripts/bench/otlp-receiver.ts [--check]   (prints {"port":N,"statsPort":M} when listening)
//   GET /stats → {spans, requests, bytes, errors, first, last}; POST /reset
import * as grpc from '@grpc/grpc-js'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { ExportTraceServiceRequest } from '../../src/wire/otlp/otlp.ts'
import { now } from './clock.ts'

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } })

let stats = { spans: 0, requests: 0, bytes: 0, errors: 0, first: 0, last: 0 }

/** The length-delimited fields `field` of b[from, to), as [start, end) pairs. */
function fields(b: Uint8Array, from: number, to: number, field: number): [number, number][] {
  const out: [number, number][] = []
  let pos = from
  const varint = () => {
    let v = 0
    let mul = 1
    for (;;) {
      const x = b[pos++]
      if (x === undefined || pos > to) throw new Error('truncated varint')
      v += (x & 0x7f) * mul
      if (x < 0x80) return v
      mul *= 128
    }
  }
  while (pos < to) {
    const tag = varint()
    const wt = tag & 7
    if (wt === 0) varint()
    else if (wt === 1) pos += 8
    else if (wt === 5) pos += 4
    else if (wt === 2) {
      const len = varint()
      if (tag >>> 3 === field) out.push([pos, pos + len])
      pos += len
    } else throw new Error(`unsupported wire type ${wt}`)
  }
  if (pos !== to) throw new Error('truncated message')
  return out
}

/** Spans of an ExportTraceServiceRequest, from its bytes. */
export function countSpans(b: Uint8Array): number {
  let spans = 0
  for (const [rs, rsEnd] of fields(b, 0, b.length, 1)) {
    for (const [ss, ssEnd] of fields(b, rs, rsEnd, 2)) spans += fields(b, ss, ssEnd, 2).length
  }
  return spans
}

const server = new grpc.Server()
server.addService({
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Uint8Array) => Buffer.from(b),
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Uint8Array) => Buffer.from(b),
    responseDeserialize: (b: Buffer) => b,
  },
}, {
  Export(call: grpc.ServerUnaryCall<Buffer, Uint8Array>, callback: grpc.sendUnaryData<Uint8Array>) {
    const body = call.request
    try {
      let spans = countSpans(body)
      if (values.check) {
        const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body)) as {
          resource_spans?: { scope_spans?: { spans?: unknown[] }[] }[]
        }
        const full = (decoded.resource_spans ?? []).flatMap((rs) => rs.scope_spans ?? []).reduce((n, ss) => n + (ss.spans?.length ?? 0), 0)
        if (full !== spans) throw new Error(`wire walk counted ${spans} spans, protobufjs decoded ${full}`)
        spans = full
      }
      stats.spans += spans
      stats.requests++
      stats.bytes += body.length
      if (stats.first === 0) stats.first = now()
      stats.last = now()
      callback(null, new Uint8Array(0))
    } catch (err) {
      stats.errors++
      callback({ code: grpc.status.INVALID_ARGUMENT, details: String(err) })
    }
  },
})
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)))
)
const http = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') {
    stats = { spans: 0, requests: 0, bytes: 0, errors: 0, first: 0, last: 0 }
    return res.end('{}')
  }
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(stats))
})
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
console.log(JSON.stringify({ port, statsPort: (http.address() as AddressInfo).port }))
