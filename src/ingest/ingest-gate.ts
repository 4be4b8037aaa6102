// The door every ingest request passes before its body is read: refusing here costs no parsing, no
// encoding and no memory. In order:
//   1. queue_full: an exporter that takes the data source has no room at all (429, as a full queue
//      answers after parsing; nothing can fit, so the body is not read);
//   2. concurrency: no slot among relay.max-concurrent-requests within the wait (503);
//   3. memory: the memory limiter refuses the body's declared size (503), a collection requested.
// A body declared larger than relay.max-body-bytes passes, so that reading it answers 413 at once.
// Every refusal is counted in deepflow_relay_requests_refused_total{reason} and logged once per burst.
import type { Logger } from '../observe/log.ts'
import type { Counter } from '../observe/metrics.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { ConcurrencyGate } from './concurrency-gate.ts'
import type { MemoryLimiter } from './memory-limiter.ts'

export const REFUSED_REASONS = ['memory', 'queue_full', 'concurrency'] as const
export type RefusedReason = (typeof REFUSED_REASONS)[number]

const RETRY_AFTER_SECONDS = '1'

export type GatePass =
  | { readonly ok: true; done(): void }
  | {
    readonly ok: false
    readonly status: 429 | 503
    readonly reason: RefusedReason
    readonly error: string
    readonly headers: Record<string, string>
  }

export interface IngestGate {
  /** `wanting`: the exporters that take the request's data source (none known yet: empty). */
  pass(request: Request, wanting: readonly Exporter<Sized>[]): Promise<GatePass>
  readonly memory: MemoryLimiter
}

export interface IngestGateDeps {
  readonly memory: MemoryLimiter
  readonly concurrency: ConcurrencyGate
  readonly maxBodyBytes: number
  readonly refused: Counter<'reason'>
  readonly log: Logger
}

const MiB = 1024 * 1024

export function createIngestGate(deps: IngestGateDeps): IngestGate {
  for (const r of REFUSED_REASONS) deps.refused.touch(r)
  const refuse = (status: 429 | 503, reason: RefusedReason, error: string, fields: Record<string, unknown> = {}): GatePass => {
    deps.refused.inc([reason])
    deps.log.warnOncePerBurst(`refused:${reason}`, `ingest refused before reading: ${reason}`, { reason, ...fields })
    return { ok: false, status, reason, error, headers: { 'Retry-After': RETRY_AFTER_SECONDS } }
  }
  return {
    memory: deps.memory,
    async pass(request, wanting) {
      const full = wanting.find((e) => e.isFull())
      if (full !== undefined) {
        return refuse(429, 'queue_full', `queues of exporter "${full.config.name}" are full; retry later`, { exporter: full.config.name })
      }
      const length = Number(request.headers.get('content-length') ?? Number.NaN)
      const declared = Number.isFinite(length) && length >= 0 ? length : deps.maxBodyBytes
      if (declared > deps.maxBodyBytes) return { ok: true, done: () => {} }
      const release = await deps.concurrency.enter()
      if (release === null) {
        return refuse(
          503,
          'concurrency',
          `${deps.concurrency.max} requests are being read already (relay.max-concurrent-requests); retry later`,
        )
      }
      const memory = deps.memory.admit(declared)
      if (!memory.ok) {
        release()
        const used = Math.round(memory.usedBytes / MiB)
        const limit = Math.round(memory.limitBytes / MiB)
        return refuse(
          503,
          'memory',
          `the relay is near its memory budget (${used} MiB used, ${memory.over} limit ${limit} MiB); retry later`,
          {
            used_bytes: memory.usedBytes,
            limit_bytes: memory.limitBytes,
          },
        )
      }
      return {
        ok: true,
        done() {
          memory.release()
          release()
        },
      }
    },
  }
}
