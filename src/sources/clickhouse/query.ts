// The SQL of the ClickHouse source (pure, so it is tested as text). A data source reads from the
// database and table its name splits into at the first dot (`flow_metrics.network.1m` →
// `flow_metrics`.`network.1m`). Pages are ordered by (time, tie) where tie is `_id` when the table
// has one (flow logs, events) and a hash of every column otherwise (flow metrics), so a cursor of
// (time, tie) says exactly where a page stopped.

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

export function pageQuery(q: PageQuery): string {
  const { database, table } = tableOf(q.dataSource)
  const from = `toDateTime(${q.cursor.time})`
  const after = q.cursor.tie === null
    ? `time >= ${from}`
    : `(time > ${from} OR (time = ${from} AND ${q.tie} > ${/^\d+$/.test(q.cursor.tie) ? q.cursor.tie : '0'}))`
  return `SELECT *, ${q.tie} AS ${TIE_COLUMN} FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)}` +
    ` WHERE ${after} AND time < toDateTime(${q.until})` +
    ` ORDER BY time, ${TIE_COLUMN} LIMIT ${q.limit} FORMAT JSONEachRow`
}
