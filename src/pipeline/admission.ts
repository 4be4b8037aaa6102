// All-or-nothing admission of one request's records: every exporter that takes the data source
// stages them; only if every exporter has room is anything queued.
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { Sized } from './batch-queue.ts'
import type { Exporter, Staged } from './exporter.ts'

export type Admission =
  | { readonly status: 'accepted' }
  /** A queue lacks room now: the client should retry later (429). */
  | { readonly status: 'full'; readonly exporter: string }
  /** The request alone exceeds an exporter's queue bounds: it can never fit (413). */
  | { readonly status: 'never'; readonly exporter: string }

export function admit(ds: string, records: readonly DeepFlowRecord[], exporters: readonly Exporter<Sized>[]): Admission {
  const staged: [Exporter<Sized>, Staged<Sized>][] = []
  for (const e of exporters) if (e.wants(ds)) staged.push([e, e.stage(ds, records)])
  let full: string | undefined
  for (const [e, s] of staged) {
    const fit = e.fits(s)
    if (fit === 'never') return { status: 'never', exporter: e.config.name }
    if (fit === 'full') full ??= e.config.name
  }
  if (full !== undefined) return { status: 'full', exporter: full }
  for (const [e, s] of staged) e.commit(ds, s)
  return { status: 'accepted' }
}
