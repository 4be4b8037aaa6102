// Trace and span ids as DeepFlow derives them (otlp_export.go getTraceID/getSpanID/uint64ToSpanID/
// genTraceID L302-327, L634-644; otlp_utils.go swTraceIDToTraceID/swStringToUUID L31-103, itself
// from the collector's SkyWalking receiver). Results are the raw 16 / 8 bytes; an all-zero id is
// pdata's empty id (its Size() is 0), which the caller writes as an empty bytes field.
import { goAtoi, hexDecodeInto, hexDecodeString, utf8 } from './go-text.ts'

export const EMPTY_ID = new Uint8Array(0)

/** The id unless all its bytes are zero (pdata TraceID/SpanID IsEmpty), else EMPTY_ID. */
export function orEmpty(id: Uint8Array): Uint8Array {
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return id
  return EMPTY_ID
}

/** binary.BigEndian.PutUint64(b[0:8], uint64(id)) into a zeroed array of `size` bytes. */
export function uint64BigEndian(id: number | bigint, size: 8 | 16): Uint8Array {
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
    view.setUint32(0, Math.floor(id / 2 ** 32))
    view.setUint32(4, id >>> 0)
  } else {
    view.setBigUint64(0, BigInt.asUintN(64, typeof id === 'bigint' ? id : BigInt(Math.trunc(Number.isFinite(id) ? id : 0))))
  }
  return out
}

/** getTraceID(traceID, id) (otlp_export.go L302-314). */
export function traceIdOf(traceId: string, id: number | bigint): Uint8Array {
  // L303-305: genTraceID(int(id)): _id big-endian in bytes 0-7, zeros after (L640-644).
  if (traceId === '') return uint64BigEndian(id, 16)
  // L307-311: hex decoded, copied into 16 bytes: a short id is zero-padded, a long one truncated.
  const decoded = hexDecodeString(traceId)
  if (decoded !== null) {
    const out = new Uint8Array(16)
    out.set(decoded.subarray(0, 16))
    return out
  }
  return swTraceIdToTraceId(traceId) // L313
}

/** swTraceIDToTraceID (otlp_utils.go L31-44); len() is Go's, in bytes. */
function swTraceIdToTraceId(traceId: string): Uint8Array {
  const bytes = utf8(traceId)
  if (bytes.length <= 36) return uuidParse(bytes) ?? new Uint8Array(16) // L36-42: not a UUID: empty
  return swStringToUuid(bytes)
}

/** xvalues of github.com/google/uuid v1.6.0 util.go: a hex digit's value, else 255. */
function xvalue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48
  if (b >= 65 && b <= 70) return b - 55
  if (b >= 97 && b <= 102) return b - 87
  return 255
}

const UUID_PAIRS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]

/** uuid.Parse (google/uuid v1.6.0 uuid.go) for the lengths reachable here (36 and 32 bytes). */
function uuidParse(s: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(16)
  if (s.length === 32) {
    for (let i = 0; i < 16; i++) {
      const a = xvalue(s[2 * i]!)
      const b = xvalue(s[2 * i + 1]!)
      if (a === 255 || b === 255) return null
      out[i] = (a << 4) | b
    }
    return out
  }
  if (s.length !== 36) return null // invalidLengthError
  if (s[8] !== 45 || s[13] !== 45 || s[18] !== 45 || s[23] !== 45) return null
  for (let i = 0; i < 16; i++) {
    const x = UUID_PAIRS[i]!
    const a = xvalue(s[x]!)
    const b = xvalue(s[x + 1]!)
    if (a === 255 || b === 255) return null
    out[i] = (a << 4) | b
  }
  return out
}

const DOT = 46

/**
 * swStringToUUID(s, 0) (otlp_utils.go L46-103) for s longer than 36 bytes:
 * `<32 hex>.<mid>.<last>` → the 16 bytes XOR (0,0,0,0, mid as 4 bytes little-endian, last as 8
 * bytes little-endian). A bare `return` there returns the named result, still all zero.
 */
function swStringToUuid(t: Uint8Array): Uint8Array {
  const zero = new Uint8Array(16)
  if (t.length < 32) return zero // L56-58 (unreachable: only called above 36 bytes)
  const uid = new Uint8Array(16)
  // L62-65: on a hex error uid is returned with the bytes decoded before it.
  if (!hexDecodeInto(uid, t.subarray(0, 32))) return uid
  // L67-70: extra is 0, nothing to XOR; L72-74: len(s) == 32 is unreachable.
  const index1 = t.indexOf(DOT)
  const index2 = t.lastIndexOf(DOT)
  if (index1 !== 32 || index2 < 0) return zero // L76-80
  // L82: s[index1+1:index2] panics in Go when the only dot is at 32 (index1+1 > index2): the relay
  // cannot reproduce a panic and counts the id as empty.
  if (index1 + 1 > index2) return zero
  const mid = goAtoi(latin1(t.subarray(index1 + 1, index2)))
  if (mid === null) return zero // L83-85
  const last = goAtoi(latin1(t.subarray(index2 + 1)))
  if (last === null) return zero // L88-90
  // L92-100: byte(mid) then mid >>= 8 (an arithmetic shift of Go's int).
  let m = mid
  for (let i = 4; i < 8; i++) {
    uid[i]! ^= Number(BigInt.asUintN(8, m))
    m >>= 8n
  }
  let l = last
  for (let i = 8; i < 16; i++) {
    uid[i]! ^= Number(BigInt.asUintN(8, l))
    l >>= 8n
  }
  return uid
}

/** Bytes as one character each: a non-ASCII byte is never a digit, as in strconv. */
function latin1(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!)
  return s
}

/** getSpanID(spanID, id) (otlp_export.go L316-327). */
export function spanIdOf(spanId: string, id: number | bigint): Uint8Array {
  if (spanId === '') return uint64BigEndian(id, 8) // L317-319
  const decoded = hexDecodeString(spanId)
  if (decoded !== null) {
    const out = new Uint8Array(8)
    out.set(decoded.subarray(0, 8)) // L321-325: zero-padded / truncated to 8 bytes
    return out
  }
  return EMPTY_ID // L326
}
