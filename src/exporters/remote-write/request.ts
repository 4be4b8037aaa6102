// What one remote-write request carries, built apart from sending it: the headers (extra-headers
// first, without the ones remote write 1.0 and the transport own, then the spec's four and our
// User-Agent) and the body (the batch's snappy fragments as one snappy block of a WriteRequest).
import { CONTENT_ENCODING, CONTENT_TYPE, RESERVED_HEADERS, RW_VERSION } from '../../wire/remote-write/headers.ts'
import { snappyBlockOf } from '../../wire/remote-write/series-fragment.ts'
import type { SeriesItem } from './rw-plan.ts'

export function requestHeaders(extra: Readonly<Record<string, string>>, version: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(extra)) {
    if (!RESERVED_HEADERS.includes(name.toLowerCase())) headers[name] = value
  }
  headers['Content-Encoding'] = CONTENT_ENCODING
  headers['Content-Type'] = CONTENT_TYPE
  headers['X-Prometheus-Remote-Write-Version'] = RW_VERSION
  headers['User-Agent'] = `deepflow-relay/${version}`
  return headers
}

/** The request body of a batch: its items' fragments behind one length, snappy-compressed as they are (in `into` when it is large enough). */
export function requestBody(batch: readonly SeriesItem[], into?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return snappyBlockOf(batch.map((item) => item.payload), into)
}
