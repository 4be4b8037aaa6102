// The HTTP headers of Prometheus remote write 1.0, spoken by the exporter (it sets them) and by the
// config check (extra-headers may not override them).
/** Remote-write 1.0 headers (prometheus/docs docs/specs/prw/remote_write_spec.md). */
export const CONTENT_ENCODING = 'snappy'
export const CONTENT_TYPE = 'application/x-protobuf'
export const RW_VERSION = '0.1.0'
/** Headers extra-headers cannot set (the four the spec names, plus transport-owned ones). */
export const RESERVED_HEADERS = [
  'content-encoding',
  'content-type',
  'x-prometheus-remote-write-version',
  'user-agent',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
]
