// kafkajs 2.2.4 honours a broker's client-side throttle (KIP-219, Produce v6+) only for the requests
// of the connection not sent yet: it holds them for the throttle time. The requests already in
// flight wait unread at the broker for that time while kafkajs's request timeout runs: a throttle
// longer than request-timeout timed them out, the relay sent them again though the broker appended
// them (duplicates), and reset the connection (forgetting the throttle). Here the throttle a
// response announces also moves the deadlines of the requests in flight on its connection to the
// end of the throttle plus their own timeout (throttle.ts).
/// <reference path="./kafkajs-request-queue.d.ts" />
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js'
import { holdInflight } from './throttle.ts'

const maybeThrottle = RequestQueue.prototype.maybeThrottle

RequestQueue.prototype.maybeThrottle = function maybeThrottleInflightToo(clientSideThrottleTime) {
  maybeThrottle.call(this, clientSideThrottleTime)
  if (clientSideThrottleTime !== null && clientSideThrottleTime !== undefined && clientSideThrottleTime > 0) {
    holdInflight(this.inflight.values(), Date.now() + clientSideThrottleTime)
  }
}

export { RequestQueue }
