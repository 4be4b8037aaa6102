// Real OTLP trace receivers for the opentelemetry exporter's tests: an OTLP/gRPC one, the
// TraceService of the upstream proto files (proto/opentelemetry, opentelemetry-proto v1.9.0) served
// with @grpc/grpc-js and @grpc/proto-loader, and an OTLP/HTTP one (node:http, POST /v1/traces,
// binary protobuf) decoding with the same definitions. Nothing here comes from src/exporters/otlp:
// google.rpc.Status and RetryInfo are parsed from their own .proto text with protobufjs, so a
// receiver checks the relay's bytes against definitions of its own.
//
// Each keeps every request: its bytes, the ExportTraceServiceRequest decoded (proto-loader objects:
// field names as in the .proto, 64-bit integers as strings, bytes as Buffers, no defaults), and the
// metadata or headers it came with. Each answers from a script: a gRPC code or an HTTP status
// (with Retry-After, or a RetryInfo), a partial_success, or a held answer (the test releases it).
// With `tls` they speak TLS with that key and certificate (test/helpers/certs.ts). Works under Bun
// and Deno.
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { ExportTraceServiceRequest } from '../../src/wire/otlp/otlp.ts'
import type { SpanItem } from '../../src/exporters/otlp/span-item.ts'
import { IS_DENO } from './runtime-fetch.ts'

const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url))
const TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService'

const definition = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
})
const service = definition[TRACE_SERVICE] as grpc.ServiceDefinition
const exportMethod = service.Export!

/** ExportTraceServiceRequest bytes → a decoded object (proto-loader, from the upstream .proto files). */
export const decodeExportRequest = (bytes: Uint8Array): DecodedRequest =>
  exportMethod.requestDeserialize(Buffer.from(bytes)) as DecodedRequest
const encodeExportResponse = (response: object): Buffer => exportMethod.responseSerialize(response)

// google.rpc.Status and google.rpc.RetryInfo (googleapis google/rpc/status.proto, error_details.proto)
// with google.protobuf.Any and Duration, as .proto text.
const rpcRoot = new protobuf.Root()
protobuf.parse(
  `syntax = "proto3"; package google.protobuf;
   message Any { string type_url = 1; bytes value = 2; }
   message Duration { int64 seconds = 1; int32 nanos = 2; }`,
  rpcRoot,
  { keepCase: true },
)
protobuf.parse(
  `syntax = "proto3"; package google.rpc;
   message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
   message RetryInfo { google.protobuf.Duration retry_delay = 1; }`,
  rpcRoot,
  { keepCase: true },
)
const StatusType = rpcRoot.lookupType('google.rpc.Status')
const RetryInfoType = rpcRoot.lookupType('google.rpc.RetryInfo')

/** A google.rpc.Status's bytes, with a RetryInfo of `retryDelayMs` among its details when given. */
export function encodeRpcStatus(code: number, message: string, retryDelayMs?: number): Uint8Array {
  const details = retryDelayMs === undefined ? [] : [{
    type_url: 'type.googleapis.com/google.rpc.RetryInfo',
    value: RetryInfoType.encode({
      retry_delay: { seconds: Math.floor(retryDelayMs / 1000), nanos: (retryDelayMs % 1000) * 1e6 },
    }).finish(),
  }]
  return StatusType.encode({ code, message, details }).finish()
}

/** An ExportTraceServiceResponse's bytes, with a partial_success when given. */
export function exportResponseBytes(partial?: { rejected: number; message: string }): Uint8Array {
  return encodeExportResponse(
    partial === undefined ? {} : {
      partial_success: { rejected_spans: String(partial.rejected), error_message: partial.message },
    },
  )
}

export interface DecodedRequest {
  resource_spans?: {
    resource?: { attributes?: { key: string; value: { string_value?: string } }[] }
    scope_spans?: { spans?: { name?: string; trace_id?: Buffer; span_id?: Buffer }[] }[]
  }[]
}

export interface ReceivedExport {
  /** The request's bytes as they arrived. */
  readonly raw: Uint8Array
  readonly request: DecodedRequest
  /** gRPC metadata or HTTP headers (lower-case names; several values joined with ", "). */
  readonly metadata: Record<string, string>
  /** gRPC: the deadline the client sent, in ms from the request's arrival (Infinity without one). */
  readonly timeoutMs: number
  /** The client's address and port: equal for requests over one connection. */
  readonly peer: string
}

export interface Reply {
  /** gRPC: the status code to answer (grpc.status; 0, OK, unless set). */
  readonly code?: number
  /** HTTP: the status to answer (200 unless set). */
  readonly status?: number
  /** The error's message (gRPC details; HTTP: the google.rpc.Status body's message). */
  readonly message?: string
  /** A google.rpc.RetryInfo in the error (gRPC: grpc-status-details-bin; HTTP: the Status body). */
  readonly retryDelayMs?: number
  /** HTTP: response headers (Retry-After). */
  readonly headers?: Readonly<Record<string, string>>
  /** HTTP: this body (text) instead of a google.rpc.Status. */
  readonly body?: string
  /** The answer's partial_success. */
  readonly partial?: { readonly rejected: number; readonly message: string }
  /** The answer waits until this settles. */
  readonly hold?: Promise<void>
}

export interface OtlpReceiver {
  readonly kind: 'grpc' | 'http'
  /** What the exporter's endpoints list takes: `127.0.0.1:port`, or `http(s)://127.0.0.1:port/v1/traces`. */
  readonly endpoint: string
  readonly port: number
  /** Every request, as it arrived (before its answer). */
  readonly requests: ReceivedExport[]
  /** Answers sent so far. */
  answered(): number
  /** Replies for the next requests, in order; afterwards the fallback (OK unless set). */
  script(...replies: Reply[]): void
  setFallback(reply: Reply): void
  close(): Promise<void>
}

export interface ReceiverOptions {
  readonly tls?: { readonly key: string; readonly cert: string }
  /** A port of its own (0: any free one). */
  readonly port?: number
  /** The loopback address to listen on (127.0.0.1 unless set). */
  readonly host?: string
}

function scripted() {
  let replies: Reply[] = []
  let fallback: Reply = {}
  return {
    next: () => replies.shift() ?? fallback,
    script: (...more: Reply[]) => void (replies = [...replies, ...more]),
    setFallback: (reply: Reply) => void (fallback = reply),
  }
}

export async function startGrpcReceiver(opts: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const requests: ReceivedExport[] = []
  const script = scripted()
  let answered = 0
  const server = new grpc.Server()
  // The service as proto-loader defines it, its request decoder wrapped to keep the bytes too.
  const raw: grpc.ServiceDefinition = {
    ...service,
    Export: {
      ...exportMethod,
      requestDeserialize: (bytes: Buffer) => ({ raw: new Uint8Array(bytes), request: decodeExportRequest(bytes) }),
    },
  }
  server.addService(raw, {
    Export(
      call: grpc.ServerUnaryCall<{ raw: Uint8Array; request: DecodedRequest }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) {
      const metadata: Record<string, string> = {}
      for (const [key, values] of Object.entries(call.metadata.toJSON())) metadata[key] = values.map(String).join(', ')
      const deadline = call.getDeadline()
      const at = deadline instanceof Date ? deadline.getTime() : deadline
      requests.push({ ...call.request, metadata, timeoutMs: at === Infinity ? Infinity : at - Date.now(), peer: call.getPeer() })
      const reply = script.next()
      const answer = () => {
        answered++
        if ((reply.code ?? 0) === 0) {
          const partial = reply.partial
          return callback(
            null,
            partial === undefined ? {} : { partial_success: { rejected_spans: String(partial.rejected), error_message: partial.message } },
          )
        }
        const trailers = new grpc.Metadata()
        if (reply.retryDelayMs !== undefined) {
          trailers.set('grpc-status-details-bin', Buffer.from(encodeRpcStatus(reply.code!, reply.message ?? '', reply.retryDelayMs)))
        }
        callback({ code: reply.code!, details: reply.message ?? '', metadata: trailers })
      }
      if (reply.hold === undefined) answer()
      else void reply.hold.then(answer)
    },
  })
  const host = opts.host ?? '127.0.0.1'
  // Under Deno a grpc-js server with TLS answers the handshake in plaintext (its node:http2 secure
  // server does not take grpc-js's set-up), so there the gRPC server is plaintext behind a TLS
  // front of node:tls (ALPN h2) that pipes each connection to it.
  const front = opts.tls !== undefined && IS_DENO
  const credentials = opts.tls === undefined || front
    ? grpc.ServerCredentials.createInsecure()
    : grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(opts.tls.key), cert_chain: Buffer.from(opts.tls.cert) }], false)
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${front ? 0 : opts.port ?? 0}`, credentials, (err, p) => err === null ? resolve(p) : reject(err))
  )
  let tlsFront: TlsServer | undefined
  if (front) {
    tlsFront = createTlsServer({ key: opts.tls!.key, cert: opts.tls!.cert, ALPNProtocols: ['h2'] }, (socket) => {
      const inner = connect(bound, host)
      socket.pipe(inner).pipe(socket)
      socket.on('error', () => inner.destroy())
      inner.on('error', () => socket.destroy())
    })
    await new Promise<void>((resolve) => tlsFront!.listen(opts.port ?? 0, host, resolve))
  }
  const port = tlsFront === undefined ? bound : (tlsFront.address() as AddressInfo).port
  return {
    kind: 'grpc',
    endpoint: `${host}:${port}`,
    port,
    requests,
    answered: () => answered,
    script: script.script,
    setFallback: script.setFallback,
    close: async () => {
      server.forceShutdown()
      if (tlsFront !== undefined) await new Promise<void>((resolve) => tlsFront.close(() => resolve()))
    },
  }
}

export async function startHttpReceiver(opts: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const requests: ReceivedExport[] = []
  const script = scripted()
  let answered = 0
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end(`no ${req.method} ${req.url} here`)
        return
      }
      const bytes = new Uint8Array(Buffer.concat(chunks))
      const metadata: Record<string, string> = {}
      for (const [key, value] of Object.entries(req.headers)) metadata[key] = Array.isArray(value) ? value.join(', ') : value ?? ''
      let request: DecodedRequest = {}
      try {
        request = decodeExportRequest(bytes)
      } catch {
        // not an ExportTraceServiceRequest: kept with nothing decoded
      }
      requests.push({ raw: bytes, request, metadata, timeoutMs: Infinity, peer: `${req.socket.remoteAddress}:${req.socket.remotePort}` })
      const reply = script.next()
      const answer = () => {
        answered++
        const status = reply.status ?? 200
        const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', ...reply.headers }
        let body: Uint8Array | string
        if (reply.body !== undefined) body = reply.body
        else if (status >= 200 && status < 300) body = exportResponseBytes(reply.partial)
        else body = encodeRpcStatus(0, reply.message ?? '', reply.retryDelayMs)
        res.writeHead(status, headers)
        res.end(typeof body === 'string' ? body : Buffer.from(body))
      }
      if (reply.hold === undefined) answer()
      else void reply.hold.then(answer)
    })
  }
  const server: Server = opts.tls === undefined ? createServer(handle) : createHttpsServer(opts.tls, handle)
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    kind: 'http',
    endpoint: `${opts.tls === undefined ? 'http' : 'https'}://${opts.host ?? '127.0.0.1'}:${port}/v1/traces`,
    port,
    requests,
    answered: () => answered,
    script: script.script,
    setFallback: script.setFallback,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A port nothing listens on (bound, then closed): an endpoint that is down. */
export async function closedPort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A queued span as the span encoder makes one: one ResourceSpans (service `service`, one span `name`) as request bytes. */
export function spanItem(service: string, name: string): SpanItem {
  const payload = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({
    resource_spans: [{
      resource: { attributes: [{ key: 'service.name', value: { string_value: service } }] },
      scope_spans: [{
        spans: [{
          trace_id: new Uint8Array(16).fill(7),
          span_id: new Uint8Array(8).fill(9),
          name,
          kind: 2,
          start_time_unix_nano: 1_715_133_600_000_000_000n.toString(),
          end_time_unix_nano: 1_715_133_600_001_000_000n.toString(),
        }],
      }],
    }],
  })).finish()
  return { payload, bytes: payload.byteLength, units: 1 }
}

/** The services and span names of a decoded request, in order: `service/span`. */
export function spanNames(request: DecodedRequest): string[] {
  return (request.resource_spans ?? []).flatMap((rs) => {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.string_value ?? ''
    return (rs.scope_spans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => `${service}/${s.name ?? ''}`))
  })
}
