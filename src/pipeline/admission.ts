// All-or-nothing admission of one request's records: every exporter that takes a data source stages
// its records; only if every exporter has room for all of them is anything queued. With
// relay.overflow drop-oldest an exporter never answers 'full' (its commit evicts its oldest waiting
// records instead), so only 'never' (413) refuses; nothing is evicted for a refused request.
// startStaging stages a request's records one at a time as they are parsed (POST /v1/records): each
// is encoded for every exporter and let go before the next is parsed; admit() then decides as above.
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { Sized } from './send-result.ts'
import type { Committed, Exporter, Staged, Stager } from './exporter.ts'
import type { LogResult } from '../buffer/segment-log.ts'

export type Admission =
  /**
   * Queued. `durable`: a durable buffer with sync-interval 0 took some of the records; the entrance
   * answers (or moves its cursor) once it resolves, and answers 503 if it says the sync failed.
   */
  | { readonly status: 'accepted'; readonly durable?: Promise<LogResult> }
  /** An exporter's durable buffer cannot be written now (a disk error): 503. */
  | { readonly status: 'unavailable'; readonly exporter: string; readonly error: string }
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
  const staged: StagedFor[] = []
  for (const { ds, records } of groups) {
    for (const e of exporters) if (e.wants(ds)) staged.push([e, ds, e.stage(ds, records)])
  }
  return admitStaged(staged)
}

/** One data source's records staged as they come (each encoded for every exporter, then let go). */
export interface Staging {
  readonly ds: string
  add(record: DeepFlowRecord): void
  /** Records added. */
  readonly count: number
  /** What each exporter staged (admitStagings reads it). */
  staged(): readonly StagedFor[]
}

export function startStaging(ds: string, exporters: readonly Exporter<Sized>[]): Staging {
  const stagers: [Exporter<Sized>, Stager<Sized>][] = exporters.filter((e) => e.wants(ds)).map((e) => [e, e.stager(ds)])
  let count = 0
  let settled = false
  return {
    ds,
    add(record) {
      count++
      // Once one exporter's verdict refuses the request, nothing more is encoded for any of them.
      if (settled) return
      for (let i = 0; i < stagers.length; i++) {
        const stager = stagers[i]![1]
        stager.add(record)
        if (stager.settled) settled = true
      }
    },
    get count() {
      return count
    },
    staged: () => stagers.map(([e, s]) => [e, ds, s.done()]),
  }
}

/** The stagings of one request (one per data source), all or nothing, as admitGroups. */
export function admitStagings(stagings: readonly Staging[]): Admission {
  return admitStaged(stagings.flatMap((s) => s.staged()))
}

export type StagedFor = readonly [Exporter<Sized>, string, Staged<Sized>]

function admitStaged(staged: readonly StagedFor[]): Admission {
  // An exporter may take several groups: check its room for all of them together.
  const byExporter = new Map<Exporter<Sized>, Staged<Sized>>()
  for (const [e, , s] of staged) {
    const prior = byExporter.get(e)
    byExporter.set(
      e,
      prior === undefined ? s : merged(prior, s),
    )
  }
  let full: string | undefined
  let unavailable: Exporter<Sized> | undefined
  for (const [e, s] of byExporter) {
    const fit = e.fits(s)
    if (fit === 'never') return { status: 'never', exporter: e.config.name }
    if (fit === 'full') full ??= e.config.name
    if (fit === 'unavailable') unavailable ??= e
  }
  if (unavailable !== undefined) {
    return { status: 'unavailable', exporter: unavailable.config.name, error: 'its durable buffer cannot be written now' }
  }
  if (full !== undefined) return { status: 'full', exporter: full }
  const durable: Promise<LogResult>[] = []
  let failed: { exporter: string; error: string } | undefined
  for (const [e, ds, s] of staged) {
    const c: Committed = e.commit(ds, s)
    if (typeof c !== 'object') continue
    if ('failed' in c) failed ??= { exporter: e.config.name, error: `${c.failed.code}: ${c.failed.error}` }
    else durable.push(c.durable)
  }
  // Part of the request may be in the buffers of other exporters (or of this one): the client's
  // retry sends it again (at least once).
  if (failed !== undefined) return { status: 'unavailable', ...failed }
  if (durable.length === 0) return { status: 'accepted' }
  return { status: 'accepted', durable: Promise.all(durable).then((rs) => rs.find((r) => !r.ok) ?? { ok: true }) }
}

/** Two stagings of one exporter as one; settled early if either was ('never' over 'full'). */
function merged(a: Staged<Sized>, b: Staged<Sized>): Staged<Sized> {
  const settled = a.settled === 'never' || b.settled === 'never' ? 'never' : a.settled ?? b.settled
  const both = {
    perQueue: a.perQueue.map((items, i) => [...items, ...b.perQueue[i]!]),
    bytes: a.bytes + b.bytes,
    filtered: a.filtered + b.filtered,
    tooLarge: a.tooLarge + b.tooLarge,
  }
  return settled === undefined ? both : { ...both, settled }
}
