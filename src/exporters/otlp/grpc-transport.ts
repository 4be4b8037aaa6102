// The only file that uses @grpc/grpc-js: OTLP/gRPC's one unary call, TraceService/Export, made with
// a generic client (no proto-loader, no generated stubs: the body bytes already are the
// ExportTraceServiceRequest, and the answer is read as bytes). The sender imports this file
// dynamically with its first gRPC send, so a relay without an OTLP/gRPC endpoint never loads grpc-js.
//
// One channel per endpoint, made on first use and reused (HTTP/2 multiplexes the queues' calls over
// it), plaintext or TLS (the exporter's CA and insecure-skip-verify); made anew if the TLS options
// changed. The relay's retry loop owns retries (gRPC's own are off) and its deadline
// (pipeline/deadline.ts, on the injected clock) cancels a call; the server is told the deadline
// too (grpc-timeout), a little later than ours, so ours is the one that fires. Never throws.
import * as grpc from '@grpc/grpc-js'
import { isIP } from 'node:net'
import { checkServerIdentity, connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls'
import type { TlsOptions } from '../../runtime/http-port.ts'
import { systemClock } from '../../util/clock.ts'
import type { GrpcEndpoint } from './endpoint.ts'
import type { MetadataValue } from './request.ts'
import { userAgent } from './request.ts'

/** TraceService/Export (wire/otlp/otlp.ts TRACE_EXPORT_PATH, repeated here so this file stays grpc-js alone). */
const EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export'
/** What the grpc-timeout the server sees exceeds the relay's own deadline by. */
export const SERVER_DEADLINE_GRACE_MS = 1000

export interface GrpcTransportOptions {
  readonly version: string
  /** Sent with every call (request.ts grpcMetadata: keys lower-case, reserved ones left out). */
  readonly metadata: readonly (readonly [string, MetadataValue])[]
}

export interface GrpcExportCall {
  readonly endpoint: GrpcEndpoint
  /** TLS towards the endpoint, or null for plaintext. */
  readonly tls: TlsOptions | null
  /** The ExportTraceServiceRequest's bytes. */
  readonly body: Uint8Array
  /** The relay's deadline for the call (told to the server, plus SERVER_DEADLINE_GRACE_MS). */
  readonly timeoutMs: number
  /** Cancels the call (the relay's deadline, or shutdown). */
  readonly signal: AbortSignal
}

export type GrpcAnswer =
  /** OK: the ExportTraceServiceResponse's bytes. */
  | { readonly kind: 'ok'; readonly response: Uint8Array }
  /**
   * Another status (from the server, or grpc-js's own: UNAVAILABLE when it cannot connect, CANCELLED
   * after `signal` aborted): its code, message and `grpc-status-details-bin` trailer (a google.rpc.Status).
   */
  | { readonly kind: 'status'; readonly code: number; readonly details: string; readonly statusDetails: Uint8Array | null }
  /** grpc-js refused to make the call at all (it threw): no status. */
  | { readonly kind: 'error'; readonly error: string }

export interface GrpcTransport {
  exportTraces(call: GrpcExportCall): Promise<GrpcAnswer>
  /** Closes every channel; a later call opens its endpoint's channel again. */
  close(): void
}

/**
 * Channel options: our User-Agent first (grpc-js appends its own), reconnection backoff capped at 5 s
 * (as the relay's retry backoff; grpc-js would wait up to 120 s before it tries a down endpoint
 * again), no retries of grpc-js's own, and no DNS TXT lookup for a service config.
 */
function channelOptions(version: string): grpc.ChannelOptions {
  return {
    'grpc.primary_user_agent': userAgent(version),
    'grpc.initial_reconnect_backoff_ms': 1000,
    'grpc.max_reconnect_backoff_ms': 5000,
    'grpc.enable_retries': 0,
    'grpc.service_config_disable_resolution': 1,
  }
}

type SecureConnector = ReturnType<grpc.ChannelCredentials['_createSecureConnector']>

/**
 * TLS towards one endpoint: grpc-js's own (credentials.createSsl) always passes the target's host as
 * the TLS server name, and Bun and Deno refuse an IP address there (Node only warns; RFC 6066 has
 * no IP names), so an endpoint such as 10.0.0.5:4317 could not connect at all. This connector does
 * what grpc-js's does — ALPN h2, the CA (or the system's), the certificate checked against the
 * endpoint's host, or not at all with insecure-skip-verify — with a server name for host names only.
 */
class EndpointTlsCredentials extends grpc.ChannelCredentials {
  readonly #host: string
  readonly #verify: boolean
  readonly #context: SecureContext
  constructor(host: string, tls: TlsOptions) {
    super()
    this.#host = host
    this.#verify = !tls.insecureSkipVerify
    this.#context = createSecureContext(tls.ca === null ? {} : { ca: tls.ca })
  }
  override _isSecure(): boolean {
    return true
  }
  override _equals(other: grpc.ChannelCredentials): boolean {
    return other === this
  }
  override _createSecureConnector(
    _target: unknown,
    _options: unknown,
    callCredentials?: grpc.CallCredentials,
  ): SecureConnector {
    const host = this.#host
    const verify = this.#verify
    const options = {
      secureContext: this.#context,
      ALPNProtocols: ['h2'],
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: verify,
      checkServerIdentity: (_name: string, cert: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(host, cert),
    }
    return {
      connect: (socket) =>
        new Promise((resolve, reject) => {
          const tlsSocket = tlsConnect({ ...options, socket }, () => {
            if (verify && !tlsSocket.authorized) return reject(tlsSocket.authorizationError)
            resolve({ socket: tlsSocket, secure: true })
          })
          tlsSocket.on('error', reject)
        }),
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => callCredentials ?? grpc.CallCredentials.createEmpty(),
      destroy: () => {},
    }
  }
}

function channelCredentials(endpoint: GrpcEndpoint, tls: TlsOptions | null): grpc.ChannelCredentials {
  return tls === null ? grpc.credentials.createInsecure() : new EndpointTlsCredentials(endpoint.host, tls)
}

const tlsKey = (tls: TlsOptions | null) => tls === null ? 'plaintext' : `${tls.insecureSkipVerify ? 'skip' : 'verify'}:${tls.ca ?? ''}`

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export function createGrpcTransport(opts: GrpcTransportOptions): GrpcTransport {
  const channels = new Map<string, { client: grpc.Client; tls: string }>()
  const options = channelOptions(opts.version)
  const metadata = new grpc.Metadata()
  for (const [key, value] of opts.metadata) metadata.add(key, typeof value === 'string' ? value : asBuffer(value))

  const clientFor = (endpoint: GrpcEndpoint, tls: TlsOptions | null): grpc.Client => {
    const key = tlsKey(tls)
    const held = channels.get(endpoint.authority)
    if (held !== undefined && held.tls === key) return held.client
    held?.client.close()
    const client = new grpc.Client(endpoint.authority, channelCredentials(endpoint, tls), options)
    channels.set(endpoint.authority, { client, tls: key })
    return client
  }

  return {
    exportTraces(call) {
      return new Promise<GrpcAnswer>((resolve) => {
        if (call.signal.aborted) {
          return resolve({ kind: 'status', code: grpc.status.CANCELLED, details: 'cancelled before the call', statusDetails: null })
        }
        let unary: grpc.ClientUnaryCall
        const onAbort = () => unary.cancel()
        try {
          unary = clientFor(call.endpoint, call.tls).makeUnaryRequest<Uint8Array, Uint8Array>(
            EXPORT_METHOD,
            asBuffer,
            (bytes) => bytes,
            call.body,
            metadata.clone(),
            { deadline: systemClock.now() + call.timeoutMs + SERVER_DEADLINE_GRACE_MS },
            (err, response) => {
              call.signal.removeEventListener('abort', onAbort)
              if (err === null) return resolve({ kind: 'ok', response: response ?? new Uint8Array() })
              const details = err.metadata?.get('grpc-status-details-bin')[0]
              resolve({
                kind: 'status',
                code: err.code,
                details: err.details,
                statusDetails: details instanceof Uint8Array ? new Uint8Array(details) : null,
              })
            },
          )
        } catch (err) {
          // grpc-js throws synchronously for what it refuses outright (a closed channel, bad options)
          return resolve({ kind: 'error', error: err instanceof Error ? err.message : String(err) })
        }
        call.signal.addEventListener('abort', onAbort, { once: true })
      })
    },
    close() {
      for (const { client } of channels.values()) client.close()
      channels.clear()
    },
  }
}
