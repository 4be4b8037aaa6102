// An opentelemetry exporter's endpoint, read from its text: the form picks the transport. `host:port`
// (a name, an IPv4 address, or `[v6]:port`) is OTLP/gRPC, as DeepFlow's own otlp exporter takes it;
// an `http://` or `https://` URL is OTLP/HTTP with binary protobuf, POSTed to that URL as it is
// (normally ending in /v1/traces; like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, nothing is appended).
// Pure: the config check validates endpoints with it, and the sender picks each one's transport.

export interface GrpcEndpoint {
  readonly kind: 'grpc'
  /** The host name or address, IPv6 without its brackets. */
  readonly host: string
  readonly port: number
  /** `host:port` as gRPC dials it and names it in :authority (IPv6 in brackets). */
  readonly authority: string
}

export interface HttpEndpoint {
  readonly kind: 'http'
  readonly url: string
}

export type OtlpEndpoint = GrpcEndpoint | HttpEndpoint

/** A host name: dot-separated labels of letters, digits, '-' and '_' (IPv4 addresses are such names too). */
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/
const IPV4_LIKE = /^[0-9.]+$/
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

const EXPECTED = 'expected host:port (OTLP/gRPC) or an http:// or https:// URL such as http://collector:4318/v1/traces (OTLP/HTTP)'

/** The endpoint `text` names, or why it names none (the message quotes the value). */
export function otlpEndpoint(text: string): OtlpEndpoint | { readonly error: string } {
  const bad = (why: string) => ({ error: `opentelemetry endpoint "${text}": ${why}` })
  const value = text.trim()
  if (value === '') return bad(`empty; ${EXPECTED}`)
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase()
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') return bad(`unknown scheme "${scheme}://"; ${EXPECTED}`)
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return bad(`not a valid URL; ${EXPECTED}`)
    }
    if (url.hostname === '') return bad('the URL has no host')
    if (url.hash !== '') return bad('the URL has a #fragment')
    return { kind: 'http', url: url.href }
  }
  let host: string
  let portText: string
  if (value.startsWith('[')) {
    const close = value.indexOf(']')
    if (close < 0) return bad(`unclosed "[" of an IPv6 address; ${EXPECTED}`)
    host = value.slice(1, close)
    const rest = value.slice(close + 1)
    if (!rest.startsWith(':')) return bad(`no port after the IPv6 address; ${EXPECTED}`)
    portText = rest.slice(1)
    if (!validIpv6(host)) return bad(`"${host}" is not an IPv6 address`)
  } else {
    const colon = value.lastIndexOf(':')
    if (colon < 0) return bad(`no port; ${EXPECTED}`)
    host = value.slice(0, colon)
    portText = value.slice(colon + 1)
    if (host.includes(':')) return bad(`an IPv6 address needs brackets, as in [::1]:4317; ${EXPECTED}`)
    if (host.includes('/')) return bad(`not host:port (it has a path; an OTLP/HTTP endpoint starts with http:// or https://)`)
    if (host === '') return bad(`no host; ${EXPECTED}`)
    if (!HOST_NAME.test(host) || (IPV4_LIKE.test(host) && !IPV4.test(host))) return bad(`"${host}" is not a host name or an IP address`)
  }
  if (!/^\d{1,5}$/.test(portText)) return bad(`the port "${portText}" is not a number`)
  const port = Number(portText)
  if (port < 1 || port > 65535) return bad(`the port ${port} is not in 1–65535`)
  const shown = host.includes(':') ? `[${host}]` : host
  return { kind: 'grpc', host, port, authority: `${shown}:${port}` }
}

function validIpv6(host: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(host) || !host.includes(':')) return false
  try {
    return new URL(`http://[${host}]/`).hostname !== ''
  } catch {
    return false
  }
}
