// ClickHouse's JSONEachRow answers, read: the columns DESCRIBE TABLE lists, the rows of a page and
// their records (through the ingest core's normalize step, the tie column taken out first), and
// where a row or a page leaves the cursor. Pure.
import { normalizeAll, type Normalized } from '../../ingest/normalize-step.ts'
import type { Normalizer } from '../../record/normalize.ts'
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

export function pageRows(text: string): Row[] {
  return jsonLines(text) as Row[]
}

/** The rows' records; `inputs` are the rows they came from. */
export function normalizeRows(normalize: Normalizer, rows: readonly Row[]): Normalized<Row> {
  return normalizeAll(normalize, rows, ({ [TIE_COLUMN]: _tie, ...fields }) => fields)
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

/** The cursor after a page read up to `until`: its last row when the page is full (more may follow), else `until`. */
export function cursorAfterPage(rows: readonly Row[], limit: number, until: number, wallClock: WallClockParser): Cursor {
  const last = rows[rows.length - 1]
  return rows.length === limit && last !== undefined ? cursorAfter(last, wallClock) : { time: until, tie: null }
}
