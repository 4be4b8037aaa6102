// All-or-nothing admission of one request's records: every exporter that takes a data source stages
// its records; only if every exporter has room for all of them is anything queued. With
// relay.overflow drop-oldest an exporter never answers 'full' (its commit evicts its oldest waiting
// records instead), so only 'never' (413) refuses; nothing is evicted for a refused request.
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { Sized } from './send-result.ts'
import type { Exporter, Staged } from './exporter.ts'

export type Admission =
  | { readonly status: 'accepted' }
  /** A queue lacks room now: the client should retry later (429). */
  | { readonly status: 'full'; readonly exporter: string }
  /** The request alone exceeds an exporter's queue bounds: it can never fit (413). */
  | { readonly status: 'never'; readonly exporter: string }

/** Records of one data source. */
export interface RecordGroup {
  readonly ds: string
  readonly records: readonly DeepFlowRecord[]
}

export function admit(ds: string, records: readonly DeepFlowRecord[], exporters: readonly Exporter<Sized>[]): Admission {
  return admitGroups([{ ds, records }], exporters)
}

/** Several data sources at once (a remote-write request, a ClickHouse page): still all or nothing. */
export function admitGroups(groups: readonly RecordGroup[], exporters: readonly Exporter<Sized>[]): Admission {
  const staged: [Exporter<Sized>, string, Staged<Sized>][] = []
  for (const { ds, records } of groups) {
    for (const e of exporters) if (e.wants(ds)) staged.push([e, ds, e.stage(ds, records)])
  }
  // An exporter may take several groups: check its room for all of them together.
  const byExporter = new Map<Exporter<Sized>, Staged<Sized>>()
  for (const [e, , s] of staged) {
    const prior = byExporter.get(e)
    byExporter.set(
      e,
      prior === undefined ? s : {
        perQueue: prior.perQueue.map((items, i) => [...items, ...s.perQueue[i]!]),
        filtered: prior.filtered + s.filtered,
        tooLarge: prior.tooLarge + s.tooLarge,
      },
    )
  }
  let full: string | undefined
  for (const [e, s] of byExporter) {
    const fit = e.fits(s)
    if (fit === 'never') return { status: 'never', exporter: e.config.name }
    if (fit === 'full') full ??= e.config.name
  }
  if (full !== undefined) return { status: 'full', exporter: full }
  for (const [e, ds, s] of staged) e.commit(ds, s)
  return { status: 'accepted' }
}
