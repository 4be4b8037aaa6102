// How long the ClickHouse source leaves a data source's rows before it reads them (`settle`, per
// kind of table): DeepFlow writes a minute's rows (`*.1m`) after the minute closed, the others
// within seconds; a row written behind the cursor is never read.
import type { ClickHouseSourceConfig, SettleKind } from '../../config/types.ts'

/** The kind of table a data source reads from: flow_log.*, event.*, flow_metrics *.1m, other flow_metrics (*.1s). */
export function settleKind(dataSource: string): SettleKind {
  if (dataSource.startsWith('flow_log.')) return 'flow_log'
  if (dataSource.startsWith('event.')) return 'event'
  return dataSource.endsWith('.1m') ? '1m' : '1s'
}

/** Rows of `dataSource` younger than this are read by a later poll. */
export function settleSeconds(settle: ClickHouseSourceConfig['settle'], dataSource: string): number {
  return settle[settleKind(dataSource)]
}
