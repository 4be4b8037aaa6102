// Value conversions shared by ingest and encoding: IPv4 and MAC text <-> integers, IPv6 text
// in Go's canonical form, and Go's strconv.FormatFloat(v, 'f', -1, 64).

/** A normalised field value: integers beyond 2^53 are bigint; ip4 and mac are integers. */
export type Value = number | bigint | string | readonly string[] | readonly number[]

const IP4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** Dotted quad -> uint32, or undefined when the text is not an IPv4 address. */
export function parseIp4(text: string): number | undefined {
  const m = IP4_RE.exec(text)
  if (m === null) return undefined
  let n = 0
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i])
    if (part > 255) return undefined
    n = n * 256 + part
  }
  return n
}

export function formatIp4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

const MAC_RE = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i

export function parseMac(text: string): number | undefined {
  const m = MAC_RE.exec(text)
  if (m === null) return undefined
  return Number.parseInt(m.slice(1).join(''), 16)
}

/** Low 48 bits as lowercase aa:bb:cc:dd:ee:ff, as DeepFlow's MacString. */
export function formatMac(n: number): string {
  const hex = (n % 2 ** 48).toString(16).padStart(12, '0')
  return hex.replace(/(..)(?!$)/g, '$1:')
}

/**
 * IPv6 text -> the form Go's net.IP.String() prints: RFC 5952 compression, lowercase, and an
 * IPv4-mapped address printed as dotted IPv4. undefined when the text is not an IPv6 address.
 * The WHATWG URL parser does the parsing and RFC 5952 serialisation.
 */
export function canonicalIp6(text: string): string | undefined {
  if (!text.includes(':') || /[[\]/?#@%\s]/.test(text)) return undefined
  let host: string
  try {
    host = new URL(`http://[${text}]/`).hostname
  } catch {
    return undefined
  }
  const inner = host.slice(1, -1)
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(inner)
  if (mapped !== null) {
    const hi = Number.parseInt(mapped[1]!, 16)
    const lo = Number.parseInt(mapped[2]!, 16)
    return formatIp4(hi * 65536 + lo)
  }
  return inner
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatGoFloat(v: number): string {
  if (Object.is(v, -0)) return '-0'
  const s = String(v)
  const e = s.indexOf('e')
  if (e < 0) return s
  const negative = s.startsWith('-')
  const mantissa = s.slice(negative ? 1 : 0, e)
  const exp = Number(s.slice(e + 1))
  const dot = mantissa.indexOf('.')
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1)
  const pointAt = (dot < 0 ? mantissa.length : dot) + exp
  let out: string
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length)
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`
  return negative ? `-${out}` : out
}
