// The part of kafkajs's (untyped) request queue that kafkajs-idle-fix.ts replaces and
// kafkajs-throttle-fix.ts extends.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  interface RequestQueue {
    throttledUntil: number
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
    pending: unknown[]
    /** The requests written to the socket, by correlation id (kafkajs's SocketRequest). */
    inflight: Map<number, { readonly sentAt: number; requestTimeout: number }>
    checkPendingRequests(): void
    scheduleCheckPendingRequests(): void
    maybeThrottle(clientSideThrottleTime: number | null | undefined): void
    destroy(): void
  }
  const RequestQueue: { prototype: RequestQueue }
  export default RequestQueue
}
