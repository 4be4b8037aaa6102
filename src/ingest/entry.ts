// The one door into the pipeline. Every record, whatever entrance it came by (POST /v1/records,
// POST /api/v1/write, the ClickHouse source), is counted here (received, rejected by reason,
// unknown fields, refused) and admitted here, all or nothing, through admitGroups. An entrance that
// answers HTTP offers a request's groups once; the ClickHouse source tries and waits (see
// admit-waiting.ts). The limits that refuse a request before its body is read (memory,
// concurrency, full queues) are ingest-gate.ts's, one step earlier.
import type { Counter } from '../observe/metrics.ts'
import { type Admission, admitGroups, admitStagings, type RecordGroup, type Staging } from '../pipeline/admission.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { NormalizeReason } from '../record/normalize.ts'
import type { ParseReason } from '../record/parse-body.ts'

/** The labels of deepflow_relay_records_rejected_total: the body parser's and the normaliser's. */
export type RejectReason = ParseReason | NormalizeReason

export type Admit = (groups: readonly RecordGroup[]) => Admission

export interface EntryMetrics {
  readonly received: Counter<'data_source'>
  readonly rejected: Counter<'data_source' | 'reason'>
  readonly unknownFields: Counter<'data_source'>
  /** Needed by `offer` only (the ClickHouse source never refuses: it waits). */
  readonly refused?: Counter<'data_source'>
}

export interface Entry {
  /** Counts what the parse and normalize steps refused and ignored of one data source's records. */
  count(ds: string, outcome: { readonly reasons: Iterable<RejectReason>; readonly unknownFields: number }): void
  /**
   * Offers one request's groups once to these exporters: every record counts as received; when not
   * accepted, those of the groups some exporter takes count as refused (the client is told to retry).
   */
  offer(groups: readonly RecordGroup[], exporters: readonly Exporter<Sized>[]): Admission
  /** offer() of records staged as they were parsed (pipeline/admission.ts startStaging), one staging per data source. */
  offerStaged(stagings: readonly Staging[], exporters: readonly Exporter<Sized>[]): Admission
  /** Tries the groups through `admit`, for an entrance that tries again: received counts only once accepted. */
  tryAdmit(groups: readonly RecordGroup[], admit: Admit): Admission
}

export function createEntry(metrics: EntryMetrics): Entry {
  /** Where every record enters. */
  const enter = (groups: readonly RecordGroup[], admit: Admit): Admission => admit(groups)
  const received = (groups: readonly RecordGroup[]) => {
    for (const { ds, records } of groups) metrics.received.inc([ds], records.length)
  }
  const refused = (ds: string, n: number, exporters: readonly Exporter<Sized>[]) => {
    if (exporters.some((e) => e.wants(ds))) metrics.refused?.inc([ds], n)
  }
  return {
    count(ds, { reasons, unknownFields }) {
      const byReason = new Map<RejectReason, number>()
      for (const r of reasons) byReason.set(r, (byReason.get(r) ?? 0) + 1)
      for (const [reason, n] of byReason) metrics.rejected.inc([ds, reason], n)
      if (unknownFields > 0) metrics.unknownFields.inc([ds], unknownFields)
    },
    offer(groups, exporters) {
      received(groups)
      const admission = enter(groups, (gs) => admitGroups(gs, exporters))
      if (admission.status !== 'accepted') { for (const { ds, records } of groups) refused(ds, records.length, exporters) }
      return admission
    },
    offerStaged(stagings, exporters) {
      for (const { ds, count } of stagings) metrics.received.inc([ds], count)
      const admission = admitStagings(stagings)
      if (admission.status !== 'accepted') { for (const { ds, count } of stagings) refused(ds, count, exporters) }
      return admission
    },
    tryAdmit(groups, admit) {
      const admission = enter(groups, admit)
      if (admission.status === 'accepted') received(groups)
      return admission
    },
  }
}
