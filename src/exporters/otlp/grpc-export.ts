// One OTLP/gRPC request to one endpoint, under the relay's deadline (pipeline/deadline.ts): the
// call through the gRPC transport (loaded on first use), its status classified (classify.ts). The
// deadline cancels the call; a call cancelled by it is a 'timeout', by the caller's signal
// (shutdown) an 'error', as for OTLP/HTTP. Never throws: a transport that cannot be loaded is an
// 'error' too.
import { startDeadline } from '../../pipeline/deadline.ts'
import type { TlsOptions } from '../../runtime/http-port.ts'
import type { Clock } from '../../util/clock.ts'
import { classifyGrpcError, deliveredResult, grpcCodeName } from './classify.ts'
import type { GrpcEndpoint } from './endpoint.ts'
import type { GrpcTransport } from './grpc-transport.ts'
import type { ExportOutcome } from './outcome.ts'

export interface GrpcExportDeps {
  /** The transport: grpc-transport.ts, imported with the first call. */
  readonly transport: () => Promise<GrpcTransport>
  /** TLS towards the endpoint, or null for plaintext. */
  readonly tls: TlsOptions | null
  readonly clock: Clock
  readonly timeoutMs: number
}

export async function exportOverGrpc(
  deps: GrpcExportDeps,
  request: { readonly endpoint: GrpcEndpoint; readonly body: Uint8Array },
  signal: AbortSignal,
): Promise<ExportOutcome> {
  const deadline = startDeadline(deps.clock, deps.timeoutMs, signal)
  try {
    let transport: GrpcTransport
    try {
      transport = await deps.transport()
    } catch (err) {
      return { answered: false, status: 'error', error: `cannot load @grpc/grpc-js: ${err instanceof Error ? err.message : String(err)}` }
    }
    const answer = await transport.exportTraces({
      endpoint: request.endpoint,
      tls: deps.tls,
      body: request.body,
      timeoutMs: deps.timeoutMs,
      signal: deadline.signal,
    })
    if (answer.kind === 'ok') return { answered: true, status: 'OK', code: 0, result: deliveredResult(answer.response) }
    if (deadline.signal.aborted) {
      return {
        answered: false,
        status: deadline.timedOut() ? 'timeout' : 'error',
        error: deadline.failure(new Error('the call was cancelled')),
      }
    }
    if (answer.kind === 'error') return { answered: false, status: 'error', error: `gRPC call refused: ${answer.error}` }
    return {
      answered: true,
      status: grpcCodeName(answer.code),
      code: answer.code,
      result: classifyGrpcError(answer.code, answer.details, answer.statusDetails),
    }
  } finally {
    deadline.clear()
  }
}
