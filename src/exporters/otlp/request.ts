// What an OTLP request carries besides its body, built apart from sending it: the HTTP headers of
// OTLP/HTTP (extra-headers first, without the ones the protocol and the transport own, then the
// content type and our User-Agent), and the gRPC metadata of OTLP/gRPC (extra-headers with their
// keys lower-cased, as gRPC metadata keys are; keys gRPC reserves or cannot carry are left out and
// said why). Pure: the config check can tell the same.

/** OTLP/HTTP binary protobuf (the spec: the client MUST set it). */
export const OTLP_HTTP_CONTENT_TYPE = 'application/x-protobuf'

/** Headers extra-headers cannot set over OTLP/HTTP: the protocol's and the transport's own. */
export const OTLP_HTTP_RESERVED_HEADERS: readonly string[] = [
  'content-type',
  'content-encoding',
  'content-length',
  'user-agent',
  'host',
  'connection',
  'transfer-encoding',
]

/** The User-Agent of the relay's requests (gRPC adds its own library's name after it). */
export function userAgent(version: string): string {
  return `deepflow-relay/${version}`
}

export function otlpHttpHeaders(extra: Readonly<Record<string, string>>, version: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(extra)) {
    if (!OTLP_HTTP_RESERVED_HEADERS.includes(name.toLowerCase())) headers[name] = value
  }
  headers['Content-Type'] = OTLP_HTTP_CONTENT_TYPE
  headers['User-Agent'] = userAgent(version)
  return headers
}

/**
 * Metadata keys gRPC owns (grpc/doc/PROTOCOL-HTTP2.md): its own `grpc-` headers, the HTTP/2 request
 * headers it sets (content-type, te, user-agent — the relay's is `deepflow-relay/<version>` — and
 * :authority, which host would contradict), and the connection headers HTTP/2 forbids.
 */
export const GRPC_RESERVED_KEYS: readonly string[] = [
  'content-type',
  'te',
  'user-agent',
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]

export type MetadataValue = string | Uint8Array

export interface GrpcMetadataPlan {
  /** Lower-cased keys and their values (bytes for `-bin` keys: the text's UTF-8). */
  readonly entries: readonly (readonly [string, MetadataValue])[]
  /** extra-headers left out, and why. */
  readonly skipped: readonly { readonly key: string; readonly why: string }[]
}

const GRPC_KEY = /^[0-9a-z_.-]+$/
/** A non-binary metadata value: printable ASCII (what grpc-js accepts and HTTP/2 carries as is). */
const GRPC_TEXT_VALUE = /^[\x20-\x7e]*$/

export function grpcMetadata(extra: Readonly<Record<string, string>>): GrpcMetadataPlan {
  const entries: (readonly [string, MetadataValue])[] = []
  const skipped: { key: string; why: string }[] = []
  for (const [name, value] of Object.entries(extra)) {
    const key = name.toLowerCase()
    if (key.startsWith('grpc-')) skipped.push({ key: name, why: 'gRPC reserves the grpc- prefix' })
    else if (key.startsWith(':')) skipped.push({ key: name, why: 'an HTTP/2 pseudo-header, set by gRPC' })
    else if (GRPC_RESERVED_KEYS.includes(key)) skipped.push({ key: name, why: 'set by gRPC itself' })
    else if (!GRPC_KEY.test(key)) skipped.push({ key: name, why: 'a gRPC metadata key has only letters, digits, "-", "_" and "."' })
    else if (key.endsWith('-bin')) entries.push([key, new TextEncoder().encode(value)])
    else if (!GRPC_TEXT_VALUE.test(value)) skipped.push({ key: name, why: 'its value is not printable ASCII (use a -bin key for bytes)' })
    else entries.push([key, value])
  }
  return { entries, skipped }
}
