// The door every ingest request passes before its body is read: refusing here costs no parsing, no
// encoding and no memory. In order:
//   1. queue_full: an exporter that takes the data source has no room at all, or less than what the
//      body will take as far as the requests of its data source tell (queue-forecast.ts), beside
//      what the bodies being read already are expected to take (that room is promised to them until
//      they are done: two bodies read at once into the room of one would both be parsed and encoded,
//      and one refused once staged) (429, as a full queue answers after parsing; it could not fit,
//      so the body is not read);
//   2. concurrency: no slot among relay.max-concurrent-requests within the wait (503);
//   3. memory: the memory limiter refuses what the body will cost (503), a collection requested.
// A body declared larger than relay.max-body-bytes passes, so that reading it answers 413 at once.
// What a body costs while it is read, parsed and encoded: a factor of its size, JSON_COST_FACTOR for
// NDJSON, REMOTE_WRITE_COST_FACTOR of a remote-write WriteRequest's inflated size. Records are
// staged as they are parsed (json-records.ts) and series as they are decoded, so what is alive at
// once is the body, its text and the encoded items, plus the garbage of the parse: 6× leaves room
// for that (scripts/bench/stages.ts measures about 2.4× held for a stdout or Kafka exporter; the
// scenarios of test/e2e/memory-scenarios.test.ts run within their cgroup limits with it). The size is the
// declared length, times COMPRESSED_RATIO (at most max-body-bytes) when it is compressed, or
// max-body-bytes when no length is declared.
// Every refusal is counted in deepflow_relay_requests_refused_total{reason} and logged once per burst;
// its answer closes the connection, since the body was not read.
import type { Logger } from '../observe/log.ts'
import type { Counter } from '../observe/metrics.ts'
import type { StagedFor } from '../pipeline/admission.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { ConcurrencyGate } from './concurrency-gate.ts'
import type { MemoryLimiter } from './memory-limiter.ts'
import { createQueueForecast, forecastKey } from './queue-forecast.ts'

export const REFUSED_REASONS = ['memory', 'queue_full', 'concurrency'] as const
export type RefusedReason = (typeof REFUSED_REASONS)[number]

const RETRY_AFTER_SECONDS = '1'

export type GatePass =
  | {
    readonly ok: true
    /** What the request's body took in the queues, staged in full: the forecast of the next ones learns from it. */
    learn(staged: readonly StagedFor[]): void
    done(): void
  }
  | {
    readonly ok: false
    readonly status: 429 | 503
    readonly reason: RefusedReason
    readonly error: string
    readonly headers: Record<string, string>
  }

export interface IngestGate {
  /**
   * `wanting`: the exporters that take the request's data source `ds` (none known yet: empty);
   * `body`: what the entrance's bodies cost while they are handled.
   */
  pass(request: Request, wanting: readonly Exporter<Sized>[], body: BodyKind, ds?: string): Promise<GatePass>
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
export const JSON_COST_FACTOR = 6
/**
 * Larger declared bodies are read even when the forecast says they will not fit (and refused once
 * staged): refusing before the read closes a connection whose upload is still arriving, and a
 * client may then see a reset instead of the 429 (seen under Deno with 14 MB bodies).
 */
export const FORECAST_MAX_BODY = 4 * MiB
export const REMOTE_WRITE_COST_FACTOR = 6

/** What an entrance's bodies are: how much a byte costs, and whether they are compressed without saying so. */
export interface BodyKind {
  readonly costFactor: number
  /** Remote write is snappy whatever Content-Encoding says. */
  readonly alwaysCompressed: boolean
}
export const JSON_BODY: BodyKind = { costFactor: JSON_COST_FACTOR, alwaysCompressed: false }
export const REMOTE_WRITE_BODY: BodyKind = { costFactor: REMOTE_WRITE_COST_FACTOR, alwaysCompressed: true }
/** What a compressed body may inflate to, per byte on the wire (bounded by max-body-bytes). */
export const COMPRESSED_RATIO = 10

/** The memory a body will cost while it is handled (see the header). */
export function bodyCost(declared: number | undefined, compressed: boolean, maxBodyBytes: number, factor = JSON_COST_FACTOR): number {
  const size = declared === undefined ? maxBodyBytes : compressed ? Math.min(declared * COMPRESSED_RATIO, maxBodyBytes) : declared
  return size * factor
}

export function createIngestGate(deps: IngestGateDeps): IngestGate {
  for (const r of REFUSED_REASONS) deps.refused.touch(r)
  const refuse = (status: 429 | 503, reason: RefusedReason, error: string, fields: Record<string, unknown> = {}): GatePass => {
    deps.refused.inc([reason])
    deps.log.warnOncePerBurst(`refused:${reason}`, `ingest refused before reading: ${reason}`, { reason, ...fields })
    return { ok: false, status, reason, error, headers: { 'Retry-After': RETRY_AFTER_SECONDS, Connection: 'close' } }
  }
  const forecast = createQueueForecast()
  /** Per exporter: what the bodies passed and not yet done are expected to take in its queues. */
  const promised = new Map<Exporter<Sized>, number>()
  const promisedTo = (e: Exporter<Sized>) => promised.get(e) ?? 0
  /**
   * The first exporter whose queues lack room for what the body will likely take, beside what the
   * bodies being read already will (else two bodies read at once into the room of one: both parsed
   * and encoded, and one refused once staged), with that guess; or the guesses to promise.
   */
  const short = (wanting: readonly Exporter<Sized>[], ds: string, compressed: boolean, declared: number) => {
    const promises: [Exporter<Sized>, number][] = []
    for (const e of wanting) {
      const expected = forecast.expect(forecastKey(e.config.name, ds, compressed), declared)
      if (expected <= 0 || expected > e.config.queueMaxBytes) continue
      if (expected > e.roomBytes() - promisedTo(e)) return { lacking: { exporter: e, expected }, promises }
      promises.push([e, expected])
    }
    return { lacking: undefined, promises }
  }
  /** Promises room to a body until it is done (or refused): returns the undoing. */
  const promise = (promises: readonly [Exporter<Sized>, number][]) => {
    for (const [e, bytes] of promises) promised.set(e, promisedTo(e) + bytes)
    let kept = false
    return () => {
      if (kept) return
      kept = true
      for (const [e, bytes] of promises) promised.set(e, promisedTo(e) - bytes)
    }
  }
  const learnFrom = (ds: string | undefined, compressed: boolean, declared: number | undefined) => (staged: readonly StagedFor[]) => {
    if (ds === undefined || declared === undefined) return
    for (const [e, sds, s] of staged) {
      if (sds === ds && s.settled === undefined) forecast.learn(forecastKey(e.config.name, ds, compressed), declared, s.bytes)
    }
  }
  return {
    memory: deps.memory,
    async pass(request, wanting, body, ds) {
      const full = wanting.find((e) => e.isFull())
      if (full !== undefined) {
        return refuse(429, 'queue_full', `queues of exporter "${full.config.name}" are full; retry later`, { exporter: full.config.name })
      }
      const length = Number(request.headers.get('content-length') ?? Number.NaN)
      const declared = Number.isFinite(length) && length >= 0 ? length : undefined
      if (declared !== undefined && declared > deps.maxBodyBytes) return { ok: true, learn: () => {}, done: () => {} }
      const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase()
      const compressed = body.alwaysCompressed || (encoding !== '' && encoding !== 'identity')
      const { lacking, promises } = ds === undefined || declared === undefined || declared > FORECAST_MAX_BODY
        ? { lacking: undefined, promises: [] }
        : short(wanting, ds, compressed, declared)
      if (lacking !== undefined) {
        const { exporter, expected } = lacking
        const room = Math.max(0, exporter.roomBytes())
        const held = promisedTo(exporter)
        return refuse(
          429,
          'queue_full',
          `queues of exporter "${exporter.config.name}" have ${room} bytes of room${
            held > 0 ? ` (${held} of them promised to bodies being read)` : ''
          }; a body like this one takes about ${expected}; retry later`,
          { exporter: exporter.config.name, room_bytes: room, promised_bytes: held, expected_bytes: expected },
        )
      }
      const unpromise = promise(promises)
      const cost = bodyCost(declared, compressed, deps.maxBodyBytes, body.costFactor)
      const release = await deps.concurrency.enter()
      if (release === null) {
        unpromise()
        return refuse(
          503,
          'concurrency',
          `${deps.concurrency.max} requests are being read already (relay.max-concurrent-requests); retry later`,
        )
      }
      const memory = deps.memory.admit(cost)
      if (!memory.ok) {
        release()
        unpromise()
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
        learn: learnFrom(ds, compressed, declared),
        done() {
          memory.release()
          release()
          unpromise()
        },
      }
    },
  }
}
