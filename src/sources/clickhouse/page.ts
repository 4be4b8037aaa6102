// ClickHouse's JSONEachRow answers, read: the columns DESCRIBE TABLE lists, and a page of rows read
// one row at a time into records (through the normaliser, the tie column taken out first): a row
// is let go as soon as its record is made, only the record and the cursor after its row are kept;
// and where the next row is, across empty time. Pure.
import type { DeepFlowRecord, Normalizer, NormalizeReason } from '../../record/normalize.ts'
import type { WallClockParser } from '../../time/parse-wall-clock.ts'
import { type Cursor, TIE_COLUMN } from './query.ts'

export type Row = Readonly<Record<string, unknown>>

function jsonLines(text: string): unknown[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)
}

/** The column names of a DESCRIBE TABLE … FORMAT JSONEachRow answer. */
export function describedColumns(text: string): string[] {
  return jsonLines(text).map((c) => (c as { name: string }).name)
}

export interface PageRefusal {
  readonly reason: NormalizeReason
  readonly field?: string
  readonly error: string
}

export interface Page {
  /** Rows in the answer. */
  readonly rows: number
  readonly records: DeepFlowRecord[]
  /** cursors[i]: the cursor just after the row records[i] came from. */
  readonly cursors: Cursor[]
  /** The cursor just after the page's last row (undefined for an empty page). */
  readonly last: Cursor | undefined
  readonly refused: PageRefusal[]
  readonly unknownFields: number
}

/** A page's rows, one line at a time, into records. */
export function readPage(text: string, normalize: Normalizer, wallClock: WallClockParser): Page {
  const records: DeepFlowRecord[] = []
  const cursors: Cursor[] = []
  const refused: PageRefusal[] = []
  let unknownFields = 0
  let rows = 0
  let last: Cursor | undefined
  let from = 0
  while (from < text.length) {
    let to = text.indexOf('\n', from)
    if (to < 0) to = text.length
    const line = text.slice(from, to)
    from = to + 1
    if (line === '') continue
    const row = JSON.parse(line) as Row
    rows++
    last = cursorAfter(row, wallClock)
    const { [TIE_COLUMN]: _tie, ...fields } = row
    const r = normalize(fields)
    if (r.ok) {
      records.push(r.record)
      cursors.push(last)
      unknownFields += r.unknownKeys
    } else {
      refused.push(r.field === undefined ? { reason: r.reason, error: r.error } : { reason: r.reason, field: r.field, error: r.error })
    }
  }
  return { rows, records, cursors, last, refused, unknownFields }
}

/** The row's `time` in Unix seconds (ClickHouse writes DateTime as wall-clock text of its zone). */
export function rowTime(row: Row, wallClock: WallClockParser): number {
  const t = row.time
  if (typeof t === 'number') return t
  const us = typeof t === 'string' ? (wallClock(t) ?? Number(t) * 1e6) : Number.NaN
  return Math.floor(us / 1e6)
}

/** The cursor just after this row. */
export function cursorAfter(row: Row, wallClock: WallClockParser): Cursor {
  return { time: rowTime(row, wallClock), tie: String(row[TIE_COLUMN]) }
}

/**
 * Where the cursor jumps over empty time: to the second of the next row (tie null: none of that
 * second read yet) that a nextRowQuery answer names, or to its `until` when it names none.
 */
export function cursorAtNextRow(text: string, until: number): Cursor {
  const [first] = jsonLines(text)
  if (first === undefined) return { time: until, tie: null }
  const next = (first as { next_time?: unknown }).next_time
  if (typeof next !== 'number' || !Number.isInteger(next)) throw new Error(`not the time of a row: ${JSON.stringify(first)}`)
  return { time: next, tie: null }
}

/** The cursor after a page read up to `until`: its last row when the page is full (more may follow), else `until`. */
export function cursorAfterPage(page: Page, limit: number, until: number): Cursor {
  return page.rows === limit && page.last !== undefined ? page.last : { time: until, tie: null }
}
