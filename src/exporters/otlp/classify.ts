// One OTLP answer → a send result, as the OTLP specification (opentelemetry-proto
// docs/specification.md, v1.9.0) tells a client to read it.
//
// gRPC: OK is delivered. CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and
// DATA_LOSS are retryable; RESOURCE_EXHAUSTED only when the server says it can recover, by a
// google.rpc.RetryInfo in the status details (without one it is what a gRPC server answers to a
// message over its size limit, which no retry mends); every other code is final (dropped as
// rejected_by_endpoint). A RetryInfo's retry_delay is honoured on every retryable code.
//
// HTTP: 2xx is delivered; 429 and every 5xx are retryable, honouring Retry-After (the spec names
// only 429, 502, 503, 504: see retryableHttp); every other 4xx (413 included) is final. The error text is
// the google.rpc.Status message of the body when there is one.
//
// A delivered request may carry partial_success: rejected_spans > 0 is counted as that many records
// the endpoint rejected (one record is one span); rejected_spans = 0 with a message is a warning.
import { failed, OK, retryable, type SendResult } from '../../pipeline/send-result.ts'
import { ExportTraceServiceResponse } from '../../wire/otlp/otlp.ts'
import { parseRetryAfter } from '../remote-write/classify.ts'
import { decodeRpcStatus } from './rpc-status.ts'

/** gRPC status code names by number (grpc/doc/statuscodes.md): the `status` label of a gRPC endpoint's requests. */
export const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const

export type GrpcCodeName = (typeof GRPC_CODES)[number]

/** The name of a gRPC status code (`CODE_<n>` for one outside the table). */
export function grpcCodeName(code: number): string {
  return GRPC_CODES[code] ?? `CODE_${code}`
}

const RETRYABLE_GRPC: ReadonlySet<GrpcCodeName> = new Set([
  'CANCELLED',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNAVAILABLE',
  'DATA_LOSS',
])
const RESOURCE_EXHAUSTED = 8

/**
 * Retryable HTTP answers: 429 and every 5xx, as the relay's remote write retries them (the issue
 * asks for "429/5xx"). The OTLP spec names only 429, 502, 503 and 504; a 500 or 501 is retried
 * here too, within max-retry-duration: a collector's 500 is most often a passing fault (an
 * overloaded or restarting pipeline), and a batch lost to it cannot be had back.
 */
export function retryableHttp(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599)
}

/** Longest error text kept from an answer. */
export const MAX_ERROR_TEXT = 1024

export interface PartialSuccess {
  readonly rejected: number
  readonly message: string
}

/**
 * The partial_success of an ExportTraceServiceResponse's bytes; null when there is none (unset, or
 * empty: rejected_spans 0 and no message, which the spec says is full success) or the bytes are not
 * such a response (the status already said the request was taken).
 */
export function partialSuccess(bytes: Uint8Array): PartialSuccess | null {
  if (bytes.byteLength === 0) return null
  let response: { partial_success?: { rejected_spans?: number; error_message?: string } }
  try {
    response = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: Number }) as typeof response
  } catch {
    return null
  }
  const p = response.partial_success
  if (p === undefined) return null
  const rejected = Math.max(0, Math.floor(Number(p.rejected_spans ?? 0)))
  const message = p.error_message ?? ''
  return rejected === 0 && message === '' ? null : { rejected, message }
}

/**
 * A delivered request: OK; OK with the spans the endpoint rejected and why (partial success); or OK
 * with only `why`, the warning of a partial_success that rejected nothing (the sender logs it).
 */
export function deliveredResult(response: Uint8Array): SendResult {
  const partial = partialSuccess(response)
  if (partial === null) return OK
  if (partial.rejected === 0) return { status: 'ok', why: partial.message }
  return { status: 'ok', rejected: partial.rejected, why: partial.message }
}

/**
 * A gRPC answer other than OK: its code, its message, and its `grpc-status-details-bin` (a
 * google.rpc.Status, for a RetryInfo), or null.
 */
export function classifyGrpcError(code: number, details: string, statusDetails: Uint8Array | null): SendResult {
  const name = grpcCodeName(code)
  const text = `gRPC ${name}${details === '' ? '' : `: ${details.slice(0, MAX_ERROR_TEXT)}`}`
  const retryDelayMs = statusDetails === null ? undefined : decodeRpcStatus(statusDetails)?.retryDelayMs
  if (RETRYABLE_GRPC.has(name as GrpcCodeName)) return retryable(text, retryDelayMs)
  if (code === RESOURCE_EXHAUSTED && retryDelayMs !== undefined) return retryable(text, retryDelayMs)
  return failed(text, 'rejected_by_endpoint')
}

/**
 * The error text of a non-2xx OTLP/HTTP answer's body: its google.rpc.Status message (protobuf, or
 * JSON `{"message": …}`), else the body as text; at most MAX_ERROR_TEXT characters.
 */
export function httpErrorText(contentType: string | null, body: Uint8Array): string {
  const type = (contentType ?? '').toLowerCase()
  if (type.includes('protobuf')) {
    const status = decodeRpcStatus(body)
    if (status !== null) return status.message.slice(0, MAX_ERROR_TEXT)
  }
  const text = new TextDecoder().decode(body.subarray(0, 4 * MAX_ERROR_TEXT))
  if (type.includes('json')) {
    try {
      const message = (JSON.parse(text) as { message?: unknown }).message
      if (typeof message === 'string') return message.slice(0, MAX_ERROR_TEXT)
    } catch {
      // not JSON after all: the text
    }
  }
  return text.slice(0, MAX_ERROR_TEXT)
}

/** An OTLP/HTTP answer that is not 2xx: retryable for 429 and 5xx (honouring Retry-After), else final. */
export function classifyHttpError(status: number, retryAfter: string | null, errorText: string, now: number): SendResult {
  const text = `HTTP ${status}${errorText === '' ? '' : `: ${errorText}`}`
  if (retryableHttp(status)) return retryable(text, parseRetryAfter(retryAfter, now))
  return failed(text, 'rejected_by_endpoint')
}
