// The HTTP client port: fetch with TLS options, provided by each runtime adapter and used by the
// remote-write exporter and the ClickHouse client.
export interface TlsOptions {
  /** PEM text of the CA(s) to trust. */
  readonly ca: string | null
  readonly insecureSkipVerify: boolean
}

/** fetch with the runtime's TLS options (provided by the runtime adapter). */
export type HttpFetch = (url: string, init: RequestInit, tls: TlsOptions | null) => Promise<Response>
