// One OTLP/HTTP request (binary protobuf) to one endpoint, under its deadline
// (pipeline/deadline.ts): POST through the runtime's fetch with its TLS options, read the answer
// (an ExportTraceServiceResponse when 2xx, else a google.rpc.Status or text) and classify it
// (classify.ts). Never throws: a timeout or a connection error comes back as a value too.
import { startDeadline } from '../../pipeline/deadline.ts'
import type { HttpFetch, TlsOptions } from '../../runtime/http-port.ts'
import type { Clock } from '../../util/clock.ts'
import { statusClass } from '../remote-write/classify.ts'
import { classifyHttpError, deliveredResult, httpErrorText } from './classify.ts'
import type { ExportOutcome } from './outcome.ts'

export interface HttpExportDeps {
  readonly fetch: HttpFetch
  readonly tls: TlsOptions | null
  readonly clock: Clock
  readonly timeoutMs: number
}

export interface HttpExportRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array<ArrayBuffer>
}

export async function exportOverHttp(deps: HttpExportDeps, request: HttpExportRequest, signal: AbortSignal): Promise<ExportOutcome> {
  const deadline = startDeadline(deps.clock, deps.timeoutMs, signal)
  try {
    const res = await deps.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: deadline.signal,
      keepalive: true,
    }, deps.tls)
    const body = new Uint8Array(await res.arrayBuffer())
    const status = statusClass(res.status)
    if (res.status >= 200 && res.status < 300) return { answered: true, status, code: res.status, result: deliveredResult(body) }
    const text = httpErrorText(res.headers.get('content-type'), body)
    return {
      answered: true,
      status,
      code: res.status,
      result: classifyHttpError(res.status, res.headers.get('retry-after'), text, deps.clock.now()),
    }
  } catch (err) {
    return { answered: false, status: deadline.timedOut() ? 'timeout' : 'error', error: deadline.failure(err) }
  } finally {
    deadline.clear()
  }
}
