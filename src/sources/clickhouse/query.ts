// The SQL of the ClickHouse source (pure, so it is tested as text). A data source reads from the
// database and table its name splits into at the first dot (`flow_metrics.network.1m` →
// `flow_metrics`.`network.1m`). Pages are ordered by (time, tie) where tie is `_id` when the table
// has one (flow logs, events) and a hash of every column otherwise (flow metrics), so a cursor of
// (time, tie) says exactly where a page stopped. Across empty time the source asks for the time of
// the next row instead (nextRowQuery), so a backfill from years ago does not read an hour at a time.

export const TIE_COLUMN = '__relay_tie'

/** Where the source stands in a table: every row before (time, tie) was queued. tie null: none of `time` yet. */
export interface Cursor {
  readonly time: number
  readonly tie: string | null
}

export function tableOf(dataSource: string): { database: string; table: string } {
  const dot = dataSource.indexOf('.')
  return { database: dataSource.slice(0, dot), table: dataSource.slice(dot + 1) }
}

const quoteIdentifier = (name: string) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``

export function describeQuery(dataSource: string): string {
  const { database, table } = tableOf(dataSource)
  return `DESCRIBE TABLE ${quoteIdentifier(database)}.${quoteIdentifier(table)} FORMAT JSONEachRow`
}

/** The tie-break expression for a table with these columns. */
export function tieExpression(columns: readonly string[]): string {
  return columns.includes('_id') ? '_id' : `cityHash64(${columns.map(quoteIdentifier).join(', ')})`
}

export interface PageQuery {
  readonly dataSource: string
  readonly tie: string
  readonly cursor: Cursor
  /** Exclusive upper bound of `time` for this page (Unix seconds). */
  readonly until: number
  readonly limit: number
}

/** The rows after the cursor: later seconds, or its second with a larger tie. */
function afterCursor(cursor: Cursor, tie: string): string {
  const from = `toDateTime(${cursor.time})`
  return cursor.tie === null
    ? `time >= ${from}`
    : `(time > ${from} OR (time = ${from} AND ${tie} > ${/^\d+$/.test(cursor.tie) ? cursor.tie : '0'}))`
}

export function pageQuery(q: PageQuery): string {
  const { database, table } = tableOf(q.dataSource)
  return `SELECT *, ${q.tie} AS ${TIE_COLUMN} FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)}` +
    ` WHERE ${afterCursor(q.cursor, q.tie)} AND time < toDateTime(${q.until})` +
    ` ORDER BY time, ${TIE_COLUMN} LIMIT ${q.limit} FORMAT JSONEachRow`
}

export type NextRowQuery = Omit<PageQuery, 'limit'>

/**
 * The time (Unix seconds, `next_time`) of the first row after the cursor and before `until`: one
 * line, or none when there is no such row. Not min(time): over no rows ClickHouse (18.16) answers
 * the type's zero value (0000-00-00 00:00:00, epoch 0) instead of nothing; and where a table is
 * sorted by time, a ClickHouse with optimize_read_in_order stops at its first row instead of
 * reading every later one.
 */
export function nextRowQuery(q: NextRowQuery): string {
  const { database, table } = tableOf(q.dataSource)
  return `SELECT toUInt32(time) AS next_time FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)}` +
    ` WHERE ${afterCursor(q.cursor, q.tie)} AND time < toDateTime(${q.until})` +
    ` ORDER BY time LIMIT 1 FORMAT JSONEachRow`
}
