// google.rpc.Status, the error an OTLP server may send: in gRPC's `grpc-status-details-bin` trailer,
// and as the body of an OTLP/HTTP 4xx or 5xx answer. The relay reads its message and, among its
// details, a google.rpc.RetryInfo's retry_delay (the throttling of the OTLP specification). A
// descriptor of just the four messages involved (field numbers of googleapis' google/rpc/status.proto
// and error_details.proto, and of google/protobuf/any.proto and duration.proto), read with
// protobufjs/light.
import protobuf from 'protobufjs/light.js'

const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
      },
    },
  },
})

const StatusType = root.lookupType('google.rpc.Status')
const RetryInfoType = root.lookupType('google.rpc.RetryInfo')

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo'

export interface RpcStatus {
  readonly code: number
  readonly message: string
  /** The RetryInfo detail's retry_delay in ms; undefined when the status has no RetryInfo. */
  readonly retryDelayMs: number | undefined
}

interface StatusObject {
  code?: number
  message?: string
  details?: { type_url?: string; value?: Uint8Array }[]
}

interface RetryInfoObject {
  retry_delay?: { seconds?: number; nanos?: number }
}

/** A google.rpc.Status from its bytes; null when they are not one. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus | null {
  let status: StatusObject
  try {
    status = StatusType.toObject(StatusType.decode(bytes), { longs: Number }) as StatusObject
  } catch {
    return null
  }
  let retryDelayMs: number | undefined
  for (const detail of status.details ?? []) {
    if (detail.type_url !== RETRY_INFO_TYPE_URL || retryDelayMs !== undefined) continue
    try {
      const info = RetryInfoType.toObject(RetryInfoType.decode(detail.value ?? new Uint8Array()), { longs: Number }) as RetryInfoObject
      const delay = info.retry_delay ?? {}
      retryDelayMs = Math.max(0, (delay.seconds ?? 0) * 1000 + Math.floor((delay.nanos ?? 0) / 1e6))
    } catch {
      // a RetryInfo that is not one: as if absent
    }
  }
  return { code: status.code ?? 0, message: status.message ?? '', retryDelayMs }
}
