// Where an encoder writes one output line as UTF-8 bytes: a reusable scratch buffer (grown when a
// line needs more, never shrunk), then `finish()` cuts the finished line from a slab shared by the
// lines that follow it in its lane (util/slabs.ts: a lane per queue; sinks give sent lines back). A queue entry is then one small view of a slab instead of a
// string built by concatenation (which JavaScriptCore keeps as a rope of every piece until it is
// read, about 200 objects per record) or one buffer per line.
//
// Numbers are written as digits without making a string; strings that are printable ASCII
// without `"` or `\` are copied as they are; anything else goes through JSON.stringify and
// TextEncoder (the rare case, exact by construction).

import { GrowableBytes } from '../util/growable-bytes.ts'
import { putBytes } from '../util/put-bytes.ts'
import { SLAB_BYTES, type SlabLane, Slabs } from '../util/slabs.ts'

const encoder = new TextEncoder()

/**
 * Where finished lines are cut from, every writer's: slabs whose lines were all sent are kept for
 * reuse, 16 of them (1 MiB), as remote write's fragments are (series-fragment.ts).
 */
const lineSlabs = new Slabs(SLAB_BYTES, 16)

/** A lane of the lines' slabs: one per queue, so that a slab holds one queue's lines (Slabs). */
export function lineLane(): SlabLane {
  return lineSlabs.lane()
}

/** Gives a queued line's bytes back for reuse (Slabs.release): once, when nothing will read it again. */
export function releaseLine(line: Uint8Array): void {
  lineSlabs.release(line)
}

/** The line being written is buf[0, length); reset() starts the next one. */
export class LineWriter extends GrowableBytes {
  private readonly lane = lineLane()

  byte(b: number): void {
    this.room(1)
    this.buf[this.length++] = b
  }

  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.length = putBytes(this.buf, this.length, b)
  }

  /** Text known to be ASCII (numbers, formatted times). */
  ascii(s: string): void {
    const n = s.length
    this.room(n)
    const buf = this.buf
    let at = this.length
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i)
    this.length = at
  }

  /** Any text, as UTF-8. */
  utf8(s: string): void {
    this.room(s.length * 3)
    this.length += encoder.encodeInto(s, this.buf.subarray(this.length)).written
  }

  /** A JSON string literal, as JSON.stringify writes it. */
  jsonString(s: string): void {
    const n = s.length
    this.room(n + 2)
    const buf = this.buf
    let at = this.length
    buf[at++] = 34 // "
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
        this.utf8(JSON.stringify(s)) // the rare case: escapes or non-ASCII, whole string again
        return
      }
      buf[at++] = c
    }
    buf[at++] = 34
    this.length = at
  }

  /** A number as JavaScript's String() writes it: integers digit by digit, others through String(). */
  number(v: number): void {
    // Most values are counters below 2^32: integer division, no float floor. (-0 lands here as
    // 0, which is what String(-0) writes too.)
    if (v >>> 0 === v) {
      this.room(10)
      this.uint32(v)
      return
    }
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) {
      this.ascii(String(v))
      return
    }
    this.room(17)
    const buf = this.buf
    let n = v
    if (n < 0) {
      buf[this.length++] = 45 // -
      n = -n
    }
    let digits = 1
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++
    let at = this.length + digits
    this.length = at
    do {
      const q = Math.floor(n / 10)
      buf[--at] = 48 + (n - q * 10)
      n = q
    } while (n > 0)
  }

  /** An integer in [0, 2^32) in decimal; room for 10 digits was made. */
  private uint32(n: number): void {
    const buf = this.buf
    const digits = n < 10
      ? 1
      : n < 100
      ? 2
      : n < 1000
      ? 3
      : n < 10000
      ? 4
      : n < 100000
      ? 5
      : n < 1000000
      ? 6
      : n < 10000000
      ? 7
      : n < 100000000
      ? 8
      : n < 1000000000
      ? 9
      : 10
    let at = this.length + digits
    this.length = at
    do {
      const q = (n / 10) >>> 0
      buf[--at] = 48 + n - q * 10
      n = q
    } while (n > 0)
  }

  /** The finished line, copied into the current slab of `lane` (the writer's own by default; util/slabs.ts). */
  finish(lane: SlabLane = this.lane): Uint8Array {
    return lane.cut(this.buf.subarray(0, this.length))
  }
}

/** UTF-8 bytes of a constant piece of output (keys, heads), made once at compile time. */
export const utf8Bytes = (s: string): Uint8Array => encoder.encode(s)
