// Reads a request body within a byte limit, before and after gzip inflation, and decodes it as
// strict UTF-8. A body over the limit is cut off as soon as the limit is crossed: a gzip bomb is
// never inflated whole. (Hono's bodyLimit bounds only the bytes on the wire; the inflated size
// needs the same check, so both live here.)

export type BodyResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly error: string }

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

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Offset of the first byte that is not valid UTF-8 (only called once decoding failed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0
    if (len === 0 || i + len > bytes.length) return i
    try {
      decoder.decode(bytes.subarray(i, i + len))
    } catch {
      return i
    }
    i += len
  }
  return i
}

export async function readBody(request: Request, limit: number): Promise<BodyResult> {
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase()
  const gzip = encoding === 'gzip' || encoding === 'x-gzip'
  if (!gzip && encoding !== 'identity' && encoding !== '') {
    return { ok: false, status: 415, error: `unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or none` }
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  const tooLarge = (what: string) => ({ ok: false as const, status: 413 as const, error: `${what} is larger than the limit of ${limit} bytes (relay.max-body-bytes)` })
  if (declared > limit) return tooLarge('body')
  if (request.body === null) return { ok: true, text: '' }
  const raw = await readLimited(request.body, limit)
  if (raw === 'too_large') return tooLarge('body')
  let bytes = raw
  if (gzip) {
    try {
      const inflated = new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'))
      const out = await readLimited(inflated, limit)
      if (out === 'too_large') return tooLarge('gzip-inflated body')
      bytes = out
    } catch (err) {
      return { ok: false, status: 400, error: `body is not valid gzip: ${err instanceof Error ? err.message : String(err)}` }
    }
  }
  try {
    return { ok: true, text: decoder.decode(bytes) }
  } catch {
    return { ok: false, status: 400, error: `body is not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8(bytes)})` }
  }
}
