// Go library behaviour the OTLP mapping depends on, ported exactly: encoding/hex decoding (which
// keeps the bytes decoded before an error), strings.TrimSpace / strings.ToUpper / strconv.Atoi, and
// the name tables DeepFlow's otlp_export.go prints (server/libs/datatype at 2026e9de3, gopacket
// v1.1.19 layers.IPProtocol). Names are DeepFlow's own String() methods, not the relay's enum files
// (those are the Kafka exporter's display names and differ: "Some/IP" vs "SOME/IP", "Geneve" vs
// "ERSPAN_TEB", ...).

const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i
  HEX_VALUE[97 + i] = 10 + i
}

function hexValue(code: number): number {
  return code < 128 ? HEX_VALUE[code]! : -1
}

/**
 * hex.DecodeString(s) succeeds (every character a hex digit, even length): its bytes; otherwise
 * null. Characters outside ASCII are never hex digits, so UTF-16 units stand for Go's bytes here.
 */
export function hexDecodeString(s: string): Uint8Array | null {
  if ((s.length & 1) !== 0) return null
  const out = new Uint8Array(s.length >> 1)
  for (let i = 0; i < out.length; i++) {
    const a = hexValue(s.charCodeAt(2 * i))
    const b = hexValue(s.charCodeAt(2 * i + 1))
    if (a < 0 || b < 0) return null
    out[i] = (a << 4) | b
  }
  return out
}

/**
 * hex.Decode(dst, src) into dst (Go 1.26 encoding/hex/hex.go Decode): pairs are written as they
 * are decoded, so after an invalid byte dst keeps the bytes before it. Returns whether it failed.
 */
export function hexDecodeInto(dst: Uint8Array, src: Uint8Array): boolean {
  let i = 0
  let j = 1
  for (; j < src.length; j += 2) {
    const a = hexValue(src[j - 1]!)
    const b = hexValue(src[j]!)
    if (a < 0 || b < 0) return false
    dst[i++] = (a << 4) | b
  }
  return (src.length & 1) === 0
}

/** UTF-8 bytes of a string, as Go holds it. */
const UTF8 = new TextEncoder()
export function utf8(s: string): Uint8Array {
  return UTF8.encode(s)
}

/** unicode.IsSpace: the characters strings.TrimSpace removes (JS's trim() differs: it removes U+FEFF, keeps U+0085). */
const GO_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g

export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '')
}

/**
 * strings.ToUpper: Go maps each code point with its simple (one to one) case mapping; JS's
 * toUpperCase uses full mappings ("ß" → "SS", "ﬆ" → "ST"). A code point whose JS mapping is not a
 * single code point is kept, as Go keeps it.
 */
export function goToUpper(s: string): string {
  let ascii = true
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 128) {
      ascii = false
      break
    }
  }
  if (ascii) return s.toUpperCase()
  let out = ''
  for (const ch of s) {
    const up = ch.toUpperCase()
    out += up === ch || [...up].length === 1 ? up : ch
  }
  return out
}

const ATOI = /^[+-]?[0-9]+$/
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range; null on error. */
export function goAtoi(s: string): bigint | null {
  if (!ATOI.test(s)) return null
  const n = BigInt(s)
  return n < INT64_MIN || n > INT64_MAX ? null : n
}

/** datatype.L7Protocol.String(isTLS) (server/libs/datatype/flow.go L623-810). */
const L7_PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [20, 'HTTP'],
  [21, 'HTTP2'],
  [40, 'Dubbo'],
  [41, 'gRPC'],
  [43, 'SofaRPC'],
  [44, 'FastCGI'],
  [45, 'bRPC'],
  [46, 'Tars'],
  [47, 'SOME/IP'],
  [48, 'ISO-8583'],
  [49, 'TRIPLE'],
  [50, 'NetSign'],
  [60, 'MySQL'],
  [61, 'PostgreSQL'],
  [62, 'Oracle'],
  [63, 'Dameng'],
  [80, 'Redis'],
  [81, 'MongoDB'],
  [82, 'Memcached'],
  [100, 'Kafka'],
  [101, 'MQTT'],
  [102, 'AMQP'],
  [103, 'OpenWire'],
  [104, 'NATS'],
  [105, 'Pulsar'],
  [106, 'ZMTP'],
  [107, 'RocketMQ'],
  [108, 'WebSphereMQ'],
  [120, 'DNS'],
  [127, 'Custom'],
])
const L7_PROTOCOL_TLS = 121

export function l7ProtocolName(p: number, isTLS: boolean): string {
  if (p === L7_PROTOCOL_TLS) return 'TLS' // flow.go L799-800: no _TLS suffix
  const name = L7_PROTOCOL_NAMES.get(p)
  if (name === undefined) return 'N/A' // flow.go L807-808 (L7_PROTOCOL_UNKNOWN and unlisted values)
  return isTLS ? `${name}_TLS` : name
}

/** datatype.LogMessageType.String() (protocol_logs.go L29-45), lower-cased by otlp_export.go L180. */
export function logMessageTypeLower(t: number): string {
  switch (t) {
    case 0:
      return 'request'
    case 1:
      return 'response'
    case 2:
      return 'session'
    case 3:
      return 'other'
    default:
      return 'unknown'
  }
}

/** datatype.LogMessageStatus.String() (protocol_logs.go L59-76). */
export function logMessageStatusName(s: number): string {
  switch (s) {
    case 0:
      return 'Success'
    case 1:
      return 'Error'
    case 2:
      return 'Timeout'
    case 3:
      return 'Server Error'
    case 4:
      return 'Client Error'
    case 6:
      return 'Parse Failed'
    default:
      return 'Unknown'
  }
}

/** datatype.SignalSource(uint8).String() (flow.go L335-348); the caller truncates to 8 bits. */
export function signalSourceName(s: number): string {
  switch (s) {
    case 0:
      return 'Packet'
    case 1:
      return 'xFlow'
    case 3:
      return 'eBPF'
    case 4:
      return 'OTel'
    default:
      return 'unknown'
  }
}

/** datatype.NATSource.String() (tap_port.go L60-73). */
export function natSourceName(n: number): string {
  switch (n) {
    case 0:
      return 'NONE'
    case 2:
      return 'VIP'
    case 4:
      return 'RTOA'
    case 6:
      return 'TOA'
    default:
      return 'NATSource unknown'
  }
}

/**
 * datatype.TunnelType.String() (decapsulate.go L49-64): tunnelTypeTips[t], an array of 5 (the
 * trident.proto DecapType numbering: TENCENT_GRE = 3, ERSPAN_OR_TEB = 4). Beyond it Go panics:
 * undefined here.
 */
const TUNNEL_TYPE_NAMES = ['none', 'VXLAN', 'IPIP', 'GRE', 'ERSPAN_TEB']
export function tunnelTypeName(t: number): string | undefined {
  return TUNNEL_TYPE_NAMES[t]
}

/**
 * `fmt.Sprintf("%s", tunnelType)` where String() panics: fmt recovers and prints this
 * (fmt/print.go catchPanic; the runtime's boundsError text).
 */
function tunnelTypeVerb(t: number): string {
  return TUNNEL_TYPE_NAMES[t] ??
    `%!s(PANIC=String method: runtime error: index out of range [${t}] with length ${TUNNEL_TYPE_NAMES.length})`
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0')

/** The TAPPORT_FROM_* types TapPortValueToString names; any other prints the Invalid text. */
export const TAP_PORT_TYPES_NAMED = 7

/** datatype.TapPortValueToString (tap_port.go L127-148). tapPort is a uint32, tapPortType a uint8. */
export function tapPortValueToString(tapPort: number, tapPortType: number, tunnelType: number): string {
  switch (tapPortType) {
    case 0:
      return `LMAC@${tunnelTypeVerb(tunnelType)}@${hex2(tapPort >>> 24)}:${hex2(tapPort >>> 16)}:${hex2(tapPort >>> 8)}:${hex2(tapPort)}`
    case 1:
      return `GMAC@${tunnelTypeVerb(tunnelType)}@${hex2(tapPort >>> 24)}:${hex2(tapPort >>> 16)}:${hex2(tapPort >>> 8)}:${hex2(tapPort)}`
    case 2:
      return `IPv4@${ip4Text(tapPort)}`
    case 3:
      return `IPv6@0x${(tapPort >>> 0).toString(16).padStart(8, '0')}`
    case 4:
      return `ID@${tunnelTypeVerb(tunnelType)}@${tapPort >>> 0}`
    case 5:
      return `NetFlow@${tapPort >>> 0}`
    case 6:
      return `SFlow@${tapPort >>> 0}`
    default:
      return `Invalid TapPort type is ${tapPortType}.`
  }
}

/** tapPortTypeToString (otlp_export.go L646-668). */
const TAP_PORT_TYPE_NAMES = [
  'Local NIC',
  'NFV Gateway NIC',
  'ERSPAN',
  'ERSPAN (IPv6)',
  'Traffic Mirror',
  'NetFlow',
  'sFlow',
  'eBPF',
  'OTel',
]
export function tapPortTypeName(t: number): string {
  return TAP_PORT_TYPE_NAMES[t] ?? String(t)
}

/** tapSideToName (otlp_export.go L670-709): anything else is printed as it is. */
export const TAP_SIDE_NAMES: ReadonlyMap<string, string> = new Map([
  ['c', 'Client NIC'],
  ['c-nd', 'Client K8s Node'],
  ['c-hv', 'Client VM Hypervisor'],
  ['c-gw-hv', 'Client-side Gateway Hypervisor'],
  ['c-gw', 'Client-side Gateway'],
  ['local', 'Local NIC'],
  ['rest', 'Other NIC'],
  ['s-gw', 'Server-side Gateway'],
  ['s-gw-hv', 'Server-side Gateway Hypervisor'],
  ['s-hv', 'Server VM Hypervisor'],
  ['s-nd', 'Server K8s Node'],
  ['s', 'Server NIC'],
  ['c-p', 'Client Process'],
  ['s-p', 'Server Process'],
  ['c-app', 'Client Application'],
  ['s-app', 'Server Application'],
  ['app', 'Application'],
])

/**
 * gopacket v1.1.19 layers.IPProtocol(n).String() = IPProtocolMetadata[n].Name (enums.go L323-345;
 * every other value keeps initUnknownTypesForIPProtocol's "UnknownIPProtocol",
 * enums_generated.go L167-175). 0 is IPv6HopByHop, and IPIP (94) prints "IPv4".
 */
const IP_PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'IPv6HopByHop'],
  [1, 'ICMPv4'],
  [2, 'IGMP'],
  [4, 'IPv4'],
  [6, 'TCP'],
  [17, 'UDP'],
  [27, 'RUDP'],
  [41, 'IPv6'],
  [43, 'IPv6Routing'],
  [44, 'IPv6Fragment'],
  [47, 'GRE'],
  [50, 'IPSecESP'],
  [51, 'IPSecAH'],
  [58, 'ICMPv6'],
  [59, 'NoNextHeader'],
  [60, 'IPv6Destination'],
  [89, 'OSPF'],
  [94, 'IPv4'],
  [97, 'EtherIP'],
  [112, 'VRRP'],
  [132, 'SCTP'],
  [136, 'UDPLite'],
  [137, 'MPLS'],
])
export function ipProtocolName(n: number): string {
  return IP_PROTOCOL_NAMES.get(n) ?? 'UnknownIPProtocol'
}

/** utils.IpFromUint32(n).String(). */
export function ip4Text(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}
