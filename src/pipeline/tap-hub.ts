// The tap of one exporter: what it is about to send, shown to live subscribers (GET /v1/tap, served
// by http/tap-route.ts). Items are offered at admission (Exporter.commit in exporter.ts), after
// filters, export-fields and translation, and rendered as NDJSON lines: a Kafka/stdout item is its
// JSON line (the exact message value); a remote-write item is one line per series (see
// seriesTapLines in exporters/remote-write/rw-plan.ts).
//
// Free when nobody listens: commit() reads `tap.listening` (one boolean) and does nothing else;
// nothing is rendered, decoded or allocated for the tap. Rendering happens only for the items a
// subscriber's sampler takes, once per item whatever the number of subscribers taking it.
//
// Sampling (per subscriber, over the records of its data source only), in lines, with unit = one
// line per JSON record or one line per series of a remote-write record:
//   rate = max(lines offered in the previous second, lines offered so far in this second)
//   rate <= 1000: every record;
//   above: 1 record in k, k = ceil(rate / 1000), counted across requests (systematic, so every
//   record has the same chance), and never more than 1000 lines in one second (a sudden burst is
//   cut after its first 1000 lines until the next second measures it). Whole records are taken: a
//   remote-write record's series stay together.
//
// Bounded: a subscriber holds at most `bufferLines` lines / `bufferBytes` characters its reader has
// not taken. A line that does not fit cuts the subscriber off: it leaves the exporter at once and
// its reader gets what was buffered, then a final line saying why. Offering never waits.
import type { Sized } from './send-result.ts'

export const TAP_MAX_LINES_PER_SECOND = 1000
export const TAP_BUFFER_LINES = 1000
export const TAP_BUFFER_BYTES = 1 << 20
export const TAP_MAX_SUBSCRIBERS = 8

export const TAP_SAMPLING = `every record while at most ${TAP_MAX_LINES_PER_SECOND} lines/s come for this tap; above, 1 record in k, ` +
  `k = ceil(lines per second / ${TAP_MAX_LINES_PER_SECOND}) (the larger of the previous second and the current one), ` +
  `and at most ${TAP_MAX_LINES_PER_SECOND} lines in any second`

/** Decides, record by record, what a subscriber sees (the rule above). Time comes from the caller. */
export class TapSampler {
  private window = Number.NEGATIVE_INFINITY
  private seen = 0
  private previous = 0
  private emitted = 0
  private skip = 0

  constructor(private readonly maxPerSecond = TAP_MAX_LINES_PER_SECOND) {}

  /** A record of `lines` lines arrives at `nowMs`: true when it is to be shown. */
  take(lines: number, nowMs: number): boolean {
    const w = Math.floor(nowMs / 1000)
    if (w !== this.window) {
      this.previous = w === this.window + 1 ? this.seen : 0
      this.window = w
      this.seen = 0
      this.emitted = 0
    }
    this.seen += lines
    const rate = Math.max(this.previous, this.seen)
    const k = rate <= this.maxPerSecond ? 1 : Math.ceil(rate / this.maxPerSecond)
    if (this.skip > k - 1) this.skip = k - 1
    if (this.skip > 0) {
      this.skip--
      return false
    }
    if (this.emitted + lines > this.maxPerSecond && this.emitted > 0) return false
    this.skip = k - 1
    this.emitted += lines
    return true
  }
}

export type TapEndReason = 'limit' | 'slow_reader' | 'exporter_stopped' | 'reader_gone'

export interface TapOptions {
  /** Only records of this data source; null: all the exporter takes. */
  readonly dataSource: string | null
  /** Ends the subscription after this many lines; null: no end. */
  readonly limit: number | null
  readonly bufferLines?: number
  readonly bufferBytes?: number
}

/** One reader of a tap. */
export interface TapSubscription {
  /** The lines waiting (possibly the final line last), removed from the buffer. */
  take(): string[]
  /** True once ended and everything (final line included) was taken: the stream is over. */
  readonly finished: boolean
  /** Why it ended, or null while it runs. */
  readonly ended: TapEndReason | null
  /** Resolves when lines arrive or the subscription ends (at once if either already holds). */
  wait(): Promise<void>
  /** The reader went away: leave the exporter, drop what waits. */
  cancel(): void
  readonly stats: { readonly lines: number; readonly sampledOut: number }
}

/** The tap as the HTTP handler sees it. */
export interface ExporterTap {
  /** The hot-path check: true while at least one subscriber is attached. */
  readonly listening: boolean
  subscribe(opts: TapOptions): TapSubscription
  subscribers(): number
  /** offered: items looked at for a subscriber; rendered: items turned into lines. Both stay 0 while nobody listens. */
  stats(): { readonly offered: number; readonly rendered: number }
}

/** The tap as the exporter drives it. */
export interface TapHub<T> extends ExporterTap {
  /** Items just admitted for data source `ds`. Call only when `listening`. */
  offer(ds: string, items: readonly T[]): void
  /** Ends every subscription (the exporter stopped); later subscriptions end at once. */
  close(): void
}

export interface TapHubDeps<T> {
  readonly now: () => number
  /** The NDJSON lines of one item (without newlines). */
  readonly render: (ds: string, item: T) => readonly string[]
  readonly maxLinesPerSecond?: number
}

const END_TEXT: Record<TapEndReason, string> = {
  limit: 'limit reached',
  slow_reader:
    'slow reader: the tap buffer filled up unread; the tap never slows the exporter, so this reader was cut off (read faster, narrow with data-source, or use limit)',
  exporter_stopped: 'the exporter stopped (reload or shutdown); tap it again',
  reader_gone: 'the reader went away',
}

class Subscriber implements TapSubscription {
  readonly sampler: TapSampler
  private buffer: string[] = []
  private bytes = 0
  private wake: (() => void) | null = null
  private finalTaken = false
  ended: TapEndReason | null = null
  lines = 0
  sampledOut = 0

  constructor(
    readonly dataSource: string | null,
    private readonly limit: number | null,
    private readonly maxLines: number,
    private readonly maxBytes: number,
    maxPerSecond: number,
    private readonly leave: (s: Subscriber) => void,
  ) {
    this.sampler = new TapSampler(maxPerSecond)
  }

  get stats() {
    return { lines: this.lines, sampledOut: this.sampledOut }
  }

  get finished(): boolean {
    return this.ended !== null && this.finalTaken && this.buffer.length === 0
  }

  /** Adds a record's lines; may end the subscriber (limit reached, or buffer full: cut off). */
  push(lines: readonly string[]): void {
    for (const line of lines) {
      if (this.ended !== null) return
      if (this.buffer.length >= this.maxLines || this.bytes + line.length > this.maxBytes) return this.end('slow_reader')
      this.buffer.push(line)
      this.bytes += line.length
      this.lines++
      if (this.limit !== null && this.lines >= this.limit) this.end('limit')
    }
    this.notify()
  }

  end(reason: TapEndReason): void {
    if (this.ended !== null) return
    this.ended = reason
    this.leave(this)
    if (reason === 'reader_gone') {
      this.buffer = []
      this.bytes = 0
    }
    this.notify()
  }

  take(): string[] {
    const out = this.buffer
    this.buffer = []
    this.bytes = 0
    if (this.ended !== null && !this.finalTaken) {
      this.finalTaken = true
      // limit=N means exactly N lines; every other end says why in a last line.
      if (this.ended !== 'limit' && this.ended !== 'reader_gone') {
        out.push(
          JSON.stringify({
            tap: 'closed',
            reason: this.ended,
            detail: END_TEXT[this.ended],
            lines: this.lines,
            sampled_out: this.sampledOut,
          }),
        )
      }
    }
    return out
  }

  wait(): Promise<void> {
    if (this.buffer.length > 0 || this.ended !== null) return Promise.resolve()
    return new Promise((resolve) => {
      this.wake = resolve
    })
  }

  cancel(): void {
    this.end('reader_gone')
  }

  private notify(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}

export function createTapHub<T extends Sized>(deps: TapHubDeps<T>): TapHub<T> {
  const maxPerSecond = deps.maxLinesPerSecond ?? TAP_MAX_LINES_PER_SECOND
  // Copy-on-write: offer() iterates a snapshot while subscribers may leave.
  let subs: readonly Subscriber[] = []
  let closed = false
  let offered = 0
  let rendered = 0
  const leave = (s: Subscriber) => {
    subs = subs.filter((x) => x !== s)
    hub.listening = subs.length > 0
  }
  const hub = {
    listening: false,
    subscribers: () => subs.length,
    stats: () => ({ offered, rendered }),
    subscribe(opts: TapOptions): TapSubscription {
      const s = new Subscriber(
        opts.dataSource,
        opts.limit,
        opts.bufferLines ?? TAP_BUFFER_LINES,
        opts.bufferBytes ?? TAP_BUFFER_BYTES,
        maxPerSecond,
        leave,
      )
      subs = [...subs, s]
      hub.listening = true
      if (closed) s.end('exporter_stopped')
      return s
    },
    offer(ds: string, items: readonly T[]): void {
      if (items.length === 0) return
      const now = deps.now()
      const current = subs
      for (const item of items) {
        if (!hub.listening) return
        offered++
        let lines: readonly string[] | undefined
        for (const s of current) {
          if (s.ended !== null || (s.dataSource !== null && s.dataSource !== ds)) continue
          if (!s.sampler.take(item.units, now)) {
            s.sampledOut++
            continue
          }
          if (lines === undefined) {
            lines = deps.render(ds, item)
            rendered++
          }
          s.push(lines)
        }
      }
    },
    close(): void {
      closed = true
      for (const s of subs) s.end('exporter_stopped')
    },
  }
  return hub
}
