// kafkajs 2.2.4's request queue re-arms a timer every millisecond for as long as a connection is
// open, even with nothing pending (tulios/kafkajs#1556, #1704; the delay it computes is hugely
// negative, which Bun and Node also report as a TimeoutNegativeWarning on stderr, #1751). On an
// otherwise idle relay that is a thousand wake-ups a second per broker connection; under load, a
// tenth of the Kafka path's CPU. This is the fix proposed upstream (#1768, as amended in review):
// schedule a check only while requests are pending or the broker asked us to wait.
/// <reference path="./kafkajs-request-queue.d.ts" />
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js'

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_MS = 10

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests() {
  if (this.throttleCheckTimeoutId) return
  let scheduleAt = this.throttledUntil - Date.now()
  if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_MS
  else if (scheduleAt <= 0) return
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null
    this.checkPendingRequests()
  }, scheduleAt)
}

export { RequestQueue }
