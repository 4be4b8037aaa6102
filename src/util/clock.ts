// Time and randomness, injected everywhere so that tests need no sleeps: the only place that
// reads Date.now, Math.random or setTimeout.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = setTimeout(done, Math.max(0, ms))
      function done() {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done, { once: true })
    }),
}

/**
 * Lets the event loop run what waits (other requests, /healthz) before going on: a pause in the
 * middle of long synchronous work, not a wait for time (a manual clock does not hold it).
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * The reason to give when cancelling a sleep that is no longer needed: with a reason, abort()
 * does not build an AbortError (and its stack) on every request and every wake-up.
 */
export const NOT_NEEDED = 'not needed'
