// The one per-request timeout of the relay (remote-write sends, ClickHouse queries): a timer on the
// injected clock that aborts the request when it runs out, and the caller's own signal (shutdown)
// aborts it too. Afterwards it tells whether the abort was the deadline's, for the error text:
// "timeout after N s" or "connection error: <message>". The caller clears it once the request
// settled, so no timer outlives its request.
import { type Clock, NOT_NEEDED } from '../util/clock.ts'

export interface Deadline {
  /** The request's signal: aborts when the time runs out or the caller's signal aborts. */
  readonly signal: AbortSignal
  /** True once the time ran out (the abort was the deadline's, not the caller's). */
  timedOut(): boolean
  /** Why a request that threw failed: "timeout after N s" when the deadline ran out, else "connection error: <message>". */
  failure(err: unknown): string
  /** Stops the timer and lets go of the caller's signal; call when the request settled. */
  clear(): void
}

/** Starts the timer of one request of at most `ms`, bound to the caller's `signal`. */
export function startDeadline(clock: Clock, ms: number, signal?: AbortSignal): Deadline {
  const request = new AbortController()
  const timer = new AbortController()
  let timedOut = false
  const onAbort = () => request.abort()
  if (signal?.aborted === true) request.abort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  void clock.sleep(ms, timer.signal).then(() => {
    if (!timer.signal.aborted) {
      timedOut = true
      request.abort()
    }
  })
  return {
    signal: request.signal,
    timedOut: () => timedOut,
    failure: (err) =>
      timedOut ? `timeout after ${Math.round(ms) / 1000} s` : `connection error: ${err instanceof Error ? err.message : String(err)}`,
    clear() {
      timer.abort(NOT_NEEDED)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}
