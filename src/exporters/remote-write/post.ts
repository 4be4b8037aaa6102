// One remote-write request to one endpoint, under its deadline (pipeline/deadline.ts): POST, read
// the answer (the body only when it is an error, the first 1 KiB of it) and classify it
// (classify.ts). Never throws: a timeout or a connection error comes back as a value too. Knows
// nothing of endpoint health, failover or metrics.
import { startDeadline } from '../../pipeline/deadline.ts'
import type { SendResult } from '../../pipeline/send-result.ts'
import type { HttpFetch, TlsOptions } from '../../runtime/http-port.ts'
import type { Clock } from '../../util/clock.ts'
import { classifyStatus } from './classify.ts'

export const MAX_ERROR_BODY = 1024

export interface PostDeps {
  readonly fetch: HttpFetch
  readonly tls: TlsOptions | null
  readonly clock: Clock
  readonly timeoutMs: number
}

export interface PostRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array<ArrayBuffer>
}

export type PostOutcome =
  /** The endpoint answered: its status code, the start of an error body, and what it means for the batch. */
  | { readonly answered: true; readonly code: number; readonly body: string; readonly result: SendResult }
  /** No answer: the deadline ran out ('timeout') or the connection failed ('error'); always retryable. */
  | { readonly answered: false; readonly status: 'timeout' | 'error'; readonly error: string }

export async function postRequest(deps: PostDeps, request: PostRequest, signal: AbortSignal): Promise<PostOutcome> {
  const deadline = startDeadline(deps.clock, deps.timeoutMs, signal)
  try {
    const res = await deps.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: deadline.signal,
      keepalive: true,
    }, deps.tls)
    const body = res.ok ? (await res.arrayBuffer(), '') : (await res.text()).slice(0, MAX_ERROR_BODY)
    return {
      answered: true,
      code: res.status,
      body,
      result: classifyStatus(res.status, res.headers.get('retry-after'), body, deps.clock.now()),
    }
  } catch (err) {
    return { answered: false, status: deadline.timedOut() ? 'timeout' : 'error', error: deadline.failure(err) }
  } finally {
    deadline.clear()
  }
}
