// The gzip decoder of POST /v1/records (Content-Encoding gzip or x-gzip): inflates with the
// runtime's DecompressionStream, stopping as soon as the output passes the limit.
import { type Decoder, readLimited, tooLarge } from './read-body.ts'

export const gunzip: Decoder = async (wire, limit) => {
  // No bytes are no body, whatever the header says (the entrance then answers "empty body").
  if (wire.byteLength === 0) return { ok: true, bytes: wire }
  try {
    const inflated = new Blob([wire as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'))
    const out = await readLimited(inflated, limit)
    return out === 'too_large' ? tooLarge('gzip-inflated body', limit) : { ok: true, bytes: out }
  } catch (err) {
    return { ok: false, status: 400, error: `body is not valid gzip: ${err instanceof Error ? err.message : String(err)}` }
  }
}
