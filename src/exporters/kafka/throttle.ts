// What a broker's throttle (throttle_time_ms of a Produce response: the client is over its quota)
// does to the deadlines of the relay's produce requests. The time a broker makes a request wait
// for its quota is not time the broker failed to answer in: a request must not time out (and be
// sent again, a duplicate, since the broker appends it when it finally reads it) because of it.
// - Produce v6+ (KIP-219): the broker answers at once, then reads nothing more from the connection
//   for the throttle time. Requests already in flight behind the throttled one (the relay's queues
//   pipeline their produce calls on one connection) are read when the throttle ends: their request
//   timeout starts again then. (kafkajs holds the requests not yet sent: those are not timed.)
// - Produce v3–v5: the broker holds the throttled response itself for the throttle time, reading
//   nothing more meanwhile. A request's timeout allows for the throttle it may meet (the quota
//   window, or twice the longest throttle the broker reported), and when a response says it was
//   held, the requests in flight behind it start their timeout again from then.

/** Kafka's default quota window, quota.window.num (11) × quota.window.size.seconds (1). */
export const QUOTA_WINDOW_MS = 11_000

/** What kafkajs's request queue keeps of a request in flight (SocketRequest). */
export interface InflightRequest {
  /** When the request was written to the socket (ms since the epoch). */
  readonly sentAt: number
  /** How long after sentAt kafkajs times it out (kafkajs reads it at every check). */
  requestTimeout: number
}

/** Each request's own timeout, before any throttle moved its deadline. */
const ownTimeout = new WeakMap<InflightRequest, number>()

/**
 * The broker reads the requests in flight at `readAt` (ms since the epoch): each gets its own
 * whole timeout from then, unless its deadline was already later.
 */
export function holdInflight(requests: Iterable<InflightRequest>, readAt: number): void {
  for (const request of requests) {
    const own = ownTimeout.get(request) ?? request.requestTimeout
    ownTimeout.set(request, own)
    request.requestTimeout = Math.max(request.requestTimeout, readAt + own - request.sentAt)
  }
}

/**
 * Produce v3–v5: the extra time a request is given for the broker holding its response, after the
 * broker reported holding one for `longestMs` at most (0: never).
 */
export function heldResponseAllowanceMs(longestMs: number): number {
  return Math.max(QUOTA_WINDOW_MS, 2 * longestMs)
}
