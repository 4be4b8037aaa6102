// Reads a request body within a byte limit, before and after decoding: the Content-Encoding picks a
// decoder (identity, gzip for POST /v1/records, snappy block for remote write) from the entrance's
// table, and every decoder stops as soon as its output passes the limit, so a compression bomb is
// never inflated whole. (Hono's bodyLimit bounds only the bytes on the wire; the decoded size needs
// the same check, so both live here.)

export type Decoded =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly status: 400 | 413; readonly error: string }

/** The body's bytes from the bytes on the wire (zero bytes when the request has no body). */
export type Decoder = (wire: Uint8Array, limit: number) => Decoded | Promise<Decoded>

/** What an entrance accepts as Content-Encoding. */
export interface BodyEncodings {
  /** The encoding of a request without Content-Encoding. */
  readonly absent: string
  /** A decoder per Content-Encoding (trimmed, lower case). */
  readonly decoders: Readonly<Record<string, Decoder>>
  /** The 415 error for any other Content-Encoding. */
  readonly unsupported: (encoding: string) => string
}

export type BodyBytes = Decoded | { readonly ok: false; readonly status: 415; readonly error: string }

export const identity: Decoder = (wire) => ({ ok: true, bytes: wire })

/** The 413 error of a body (`what`: "body", "gzip-inflated body", …) over relay.max-body-bytes. */
export function tooLarge(what: string, limit: number): { readonly ok: false; readonly status: 413; readonly error: string } {
  return { ok: false, status: 413, error: `${what} is larger than the limit of ${limit} bytes (relay.max-body-bytes)` }
}

/** The stream's bytes, or 'too_large' as soon as they pass `limit` (the rest is not read). */
export async function readLimited(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | 'too_large'> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      return 'too_large'
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** The decoded body: 415 for an encoding the entrance does not take, 413 past `limit` (declared, on the wire or decoded). */
export async function readBody(request: Request, limit: number, encodings: BodyEncodings): Promise<BodyBytes> {
  const encoding = (request.headers.get('content-encoding') ?? encodings.absent).trim().toLowerCase()
  const decode = Object.hasOwn(encodings.decoders, encoding) ? encodings.decoders[encoding] : undefined
  if (decode === undefined) return { ok: false, status: 415, error: encodings.unsupported(encoding) }
  if (Number(request.headers.get('content-length') ?? Number.NaN) > limit) return tooLarge('body', limit)
  // With a declared length (checked above; the server holds the body to it) the runtime hands over
  // the bytes it buffered in one piece; without one, the stream is read up to the limit.
  const wire = request.body === null
    ? new Uint8Array(0)
    : request.headers.has('content-length')
    ? new Uint8Array(await request.arrayBuffer())
    : await readLimited(request.body, limit)
  if (wire === 'too_large') return tooLarge('body', limit)
  return await decode(wire, limit)
}
