// The labels a record's series share, written straight as TimeSeries bytes (field 1 = Label, whose
// field 1 = name and field 2 = value) into a reused buffer: the bytes protobufjs writes for
// TimeSeries{labels}, without a Label object per label, a string per numeric value or a protobufjs
// Writer (about 5 objects per label) per record. series-fragment.ts then copies them into the
// record's snappy fragment, so nothing written here outlives the record.
//
// A label's name is known when the exporter is compiled: labelKey() makes its bytes once. Lengths
// are varints written in front of what they measure; a length is first given one byte (what fits
// under 128 bytes, nearly every label), and the bytes behind it are moved in the rare longer case.

import { GrowableBytes } from '../../util/growable-bytes.ts'
import { putBytes } from '../../util/put-bytes.ts'
import { putVarint, varintSize } from '../../util/varint.ts'

const encoder = new TextEncoder()

const LABELS_TAG = 0x0a // TimeSeries.labels: field 1, length-delimited
const NAME_TAG = 0x0a // Label.name: field 1, length-delimited
const VALUE_TAG = 0x12 // Label.value: field 2, length-delimited

/** A label name's part of its Label bytes: the name field, then the value's tag. */
export type LabelKey = Uint8Array

export function labelKey(name: string): LabelKey {
  const bytes = encoder.encode(name)
  const out = new Uint8Array(varintSize(bytes.length) + bytes.length + 2)
  out[0] = NAME_TAG
  let at = putVarint(out, 1, bytes.length)
  out.set(bytes, at)
  at += bytes.length
  out[at] = VALUE_TAG
  return out
}

/** A record's labels are buf[0, length); reset() starts the next record's. */
export class LabelsWriter extends GrowableBytes {
  /** The labels written since reset(): a view of the reused buffer, valid until the next reset(). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }

  /** A label with a text value (the caller leaves out empty ones, as remote write wants). */
  text(key: LabelKey, value: string): void {
    const n = value.length
    const valueAt = this.open(key, n * 3)
    const buf = this.buf
    let i = 0
    for (; i < n; i++) {
      const c = value.charCodeAt(i)
      if (c >= 0x80) break
      buf[valueAt + i] = c
    }
    const written = i === n ? n : i + encoder.encodeInto(value.slice(i), buf.subarray(valueAt + i)).written
    this.close(valueAt, written)
  }

  /** A label with a numeric value, as String(value) writes it: integers digit by digit. */
  number(key: LabelKey, value: number): void {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) return this.text(key, String(value))
    const valueAt = this.open(key, 17)
    const buf = this.buf
    let n = value
    let at = valueAt
    if (n < 0) {
      buf[at++] = 45 // -
      n = -n
    }
    let digits = 1
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++
    at += digits
    const end = at
    do {
      const q = Math.floor(n / 10)
      buf[--at] = 48 + (n - q * 10)
      n = q
    } while (n > 0)
    this.close(valueAt, end - valueAt)
  }

  /** Writes the label's tag and name with one byte for each length; returns where its value goes. */
  private open(key: LabelKey, maxValueBytes: number): number {
    this.room(2 + 4 + key.length + 4 + maxValueBytes)
    const buf = this.buf
    const start = this.length
    buf[start] = LABELS_TAG
    putBytes(buf, start + 2, key)
    this.start = start
    return start + 2 + key.length + 1
  }

  private start = 0

  /** Writes the value's and the label's lengths (moving the bytes behind a length that takes more than one byte). */
  private close(valueAt: number, written: number): void {
    const buf = this.buf
    let end = valueAt + written
    const valueLengthSize = varintSize(written)
    if (valueLengthSize > 1) {
      buf.copyWithin(valueAt + valueLengthSize - 1, valueAt, end)
      end += valueLengthSize - 1
    }
    putVarint(buf, valueAt - 1, written)
    const message = this.start + 2
    const messageLength = end - message
    const messageLengthSize = varintSize(messageLength)
    if (messageLengthSize > 1) {
      buf.copyWithin(message + messageLengthSize - 1, message, end)
      end += messageLengthSize - 1
    }
    putVarint(buf, this.start + 1, messageLength)
    this.length = end
  }
}
