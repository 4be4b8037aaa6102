// The part of kafkajs's (untyped) request queue that kafkajs-idle-fix.ts replaces.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  interface RequestQueue {
    throttledUntil: number
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
    pending: unknown[]
    checkPendingRequests(): void
    scheduleCheckPendingRequests(): void
  }
  const RequestQueue: { prototype: RequestQueue }
  export default RequestQueue
}
