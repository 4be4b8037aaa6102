// One bounded FIFO of an exporter: items waiting for their batch, with the time each arrived
// (for flush-timeout), its admission order within the exporter (for drop-oldest eviction across
// queues) and the bytes they hold. Bounds are enforced by the exporter's admission.
// A slot an item left (taken or evicted) lets go of it at once: the queue never keeps alive what a
// worker sent (the arrays are compacted only now and then, so the slot is cleared instead).
import type { Sized } from './send-result.ts'

export class BatchQueue<T extends Sized> {
  private items: T[] = []
  private arrived: number[] = []
  private seqs: number[] = []
  private head = 0
  /** Bytes of waiting items. */
  bytes = 0
  /** Units (batch-size measure) of waiting items. */
  units = 0

  get length(): number {
    return this.items.length - this.head
  }

  /** `seq`: the exporter-wide admission order of the item (only eviction across queues reads it). */
  push(item: T, now: number, seq = 0): void {
    this.items.push(item)
    this.arrived.push(now)
    this.seqs.push(seq)
    this.bytes += item.bytes
    this.units += item.units
  }

  /** Arrival time of the oldest waiting item (undefined when empty). */
  oldestArrival(): number | undefined {
    return this.length === 0 ? undefined : this.arrived[this.head]
  }

  /** Admission order of the oldest waiting item (undefined when empty). */
  oldestSeq(): number | undefined {
    return this.length === 0 ? undefined : this.seqs[this.head]
  }

  /** The oldest waiting item, left in place; undefined when none waits. */
  peekOldest(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head]
  }

  /** Removes the oldest waiting item (drop-oldest overflow); undefined when none waits. */
  evictOldest(): T | undefined {
    if (this.length === 0) return undefined
    const item = this.items[this.head]!
    this.items[this.head] = undefined as unknown as T
    this.head++
    this.bytes -= item.bytes
    this.units -= item.units
    this.compact()
    return item
  }

  /** Takes items until they add up to `maxUnits` or more (at least one item when any wait). */
  take(maxUnits: number): T[] {
    let end = this.head
    let units = 0
    while (end < this.items.length && units < maxUnits) units += this.items[end++]!.units
    const batch = this.items.slice(this.head, end)
    this.items.fill(undefined as unknown as T, this.head, end)
    this.head = end
    for (const item of batch) {
      this.bytes -= item.bytes
      this.units -= item.units
    }
    this.compact()
    return batch
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.arrived = this.arrived.slice(this.head)
      this.seqs = this.seqs.slice(this.head)
      this.head = 0
    }
  }

  /** Empties the queue, returning what was waiting. */
  drain(): T[] {
    return this.take(Infinity)
  }
}
