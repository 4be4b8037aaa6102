// The durable side of one exporter queue (buffer: {type: disk}): every item committed to the queue
// is appended to the queue's segment log (buffer/segment-log.ts) as an entry (buffer/entry.ts) of
// the item's own bytes (the exporter's item codec). The queue in memory holds what fits in its
// bounds; the rest waits on disk and is read back, in order, as sends make room. An item is
// acknowledged once its batch left the worker (delivered, or dropped with a reason); a batch still
// unsent at shutdown is not, so it is sent again at the next start. Entries read at start were
// written by an earlier process: they are counted as replayed.
import { decodeEntry, ENTRY_HEAD_BYTES, writeEntryHead } from '../buffer/entry.ts'
import { type LogResult, openSegmentLog, type Position, type SegmentLog, type Skipped } from '../buffer/segment-log.ts'
import type { LogFiles } from '../runtime/log-files.ts'
import type { Clock } from '../util/clock.ts'
import type { Sized } from './send-result.ts'

/** How a kind of queue item is written into a durable buffer and read back. */
export interface ItemCodec<T> {
  /** Bytes write() puts down for `item`. */
  size(item: T): number
  /** Writes `item` at `at` of `out` (size(item) bytes). */
  write(item: T, out: Uint8Array, at: number): void
  /** The item of an entry's bytes; undefined when they are not one (counted as corrupt). */
  decode(bytes: Uint8Array): T | undefined
}

export interface DiskQueueOptions<T> {
  /** The queue's directory: `<buffer path>/<exporter name>/q<index>`. */
  readonly dir: string
  readonly files: LogFiles
  readonly segmentBytes: number
  readonly codec: ItemCodec<T>
  readonly clock: Clock
  /** A damaged entry, missing segment or stray ledger: counted and logged by the exporter. */
  readonly onSkipped: (s: Skipped) => void
}

export type AppendResult = { readonly ok: true } | (LogResult & { readonly ok: false })

export class DiskQueue<T extends Sized> {
  private readonly log: SegmentLog
  private readonly positions = new WeakMap<T, Position>()
  /** Segments numbered below this were written by an earlier process. */
  private readonly firstOwnSegment: number
  /** Entries appended to disk only (not loaded) and not read back yet, since the start. */
  private spilledEntries = 0
  private spilledItemBytes = 0

  constructor(private readonly opts: DiskQueueOptions<T>) {
    this.log = openSegmentLog({ dir: opts.dir, files: opts.files, segmentBytes: opts.segmentBytes, onSkipped: opts.onSkipped })
    this.firstOwnSegment = this.log.positions().write.segment
  }

  /**
   * Appends an item. `load`: the caller will hold it in memory (possible only while nothing waits
   * on disk before it, see waiting()).
   */
  append(item: T, load: boolean): AppendResult {
    const { codec, clock } = this.opts
    const size = codec.size(item)
    const r = this.log.appendWith(ENTRY_HEAD_BYTES + size, (buf, at) => {
      writeEntryHead(buf, at, clock.now())
      codec.write(item, buf, at + ENTRY_HEAD_BYTES)
    }, load)
    if (!r.ok) return r
    if (load) this.positions.set(item, r.pos)
    else {
      this.spilledEntries++
      this.spilledItemBytes += item.bytes
    }
    return { ok: true }
  }

  /** Writes what was appended since the last flush (one write per request): the caller's 202 follows it. */
  flush(): AppendResult {
    return this.log.flush()
  }

  /** True when entries wait on disk that memory does not hold: new items must wait behind them. */
  waiting(): boolean {
    return this.log.unread()
  }

  /** Entries known to wait on disk (spilled since the start; not those an earlier process left, until read). */
  waitingOnDisk(): { readonly records: number; readonly bytes: number } {
    return { records: this.spilledEntries, bytes: this.spilledItemBytes }
  }

  /**
   * Reads waiting entries back into items, in order, until `records` items or `bytes` item bytes;
   * `replayed` counts those an earlier process wrote (an entry whose item cannot be read goes to onSkipped).
   */
  readBack(records: number, bytes: number): { readonly items: T[]; readonly replayed: number } {
    const items: T[] = []
    let taken = 0
    let replayed = 0
    while (items.length < records && taken < bytes) {
      const e = this.log.read()
      if (e === undefined) break
      const entry = decodeEntry(e.payload)
      const item = entry === undefined ? undefined : this.opts.codec.decode(entry.item)
      if (item === undefined) {
        this.opts.onSkipped({ segment: e.pos.segment, offset: e.pos.offset, why: 'an entry that is not an item of this exporter' })
        this.log.ack(e.pos)
        continue
      }
      this.positions.set(item, e.pos)
      items.push(item)
      taken += item.bytes
      if (e.pos.segment < this.firstOwnSegment) replayed++
      else {
        this.spilledEntries = Math.max(0, this.spilledEntries - 1)
        this.spilledItemBytes = Math.max(0, this.spilledItemBytes - item.bytes)
      }
    }
    return { items, replayed }
  }

  /** A batch of this queue left the worker for good (delivered or dropped): its entries are acknowledged. */
  settled(batch: readonly T[]): void {
    for (let i = batch.length - 1; i >= 0; i--) {
      const pos = this.positions.get(batch[i]!)
      if (pos !== undefined) {
        this.log.ack(pos)
        return
      }
    }
  }

  /**
   * max-bytes under drop-oldest: drops the oldest segment not being written; the number of its
   * entries not acknowledged before and the segment, or undefined when there is none to drop.
   */
  dropOldest(): { readonly entries: number; readonly segment: number } | undefined {
    return this.log.dropOldest()
  }

  /** Whether an item held in memory came from a segment at or before `segment` (dropped with it). */
  inSegmentUpTo(item: T, segment: number): boolean {
    const pos = this.positions.get(item)
    return pos !== undefined && pos.segment <= segment
  }

  sync(): Promise<LogResult> {
    return this.log.sync()
  }

  checkpoint(): Promise<LogResult> {
    return this.log.checkpoint()
  }

  bytes(): number {
    return this.log.bytes()
  }

  close(): Promise<void> {
    return this.log.close()
  }
}
