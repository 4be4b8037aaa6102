// What an opentelemetry exporter's queues hold: one record's span, encoded at admission as the bytes
// of an ExportTraceServiceRequest with that record's one ResourceSpans (field 1: tag, length, the
// message). A batch's request body is its items' payloads concatenated: protobuf merges repeated
// fields, so N payloads are one ExportTraceServiceRequest of N ResourceSpans, as DeepFlow sends.
export interface SpanItem {
  readonly payload: Uint8Array
  /** Bytes held in the queue (the payload's length). */
  readonly bytes: number
  /** What batch-size counts: 1 (one record, one span). */
  readonly units: number
}

/** The request body of a batch: its payloads, concatenated. */
export function spanRequestBody(batch: readonly SpanItem[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const item of batch) length += item.payload.byteLength
  const body = new Uint8Array(length)
  let at = 0
  for (const item of batch) {
    body.set(item.payload, at)
    at += item.payload.byteLength
  }
  return body
}
