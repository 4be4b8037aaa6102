// A stand-in exporter for ingest-core tests: takes the listed data sources, answers `fits` as told,
// and records what it committed.
import type { Exporter, Fit } from '../../src/pipeline/exporter.ts'
import type { Sized } from '../../src/pipeline/send-result.ts'
import type { DeepFlowRecord } from '../../src/record/normalize.ts'

export interface FakeExporter extends Exporter<Sized> {
  fit: Fit
  /** What isFull() answers (the ingest gate's queue check). */
  full: boolean
  readonly committed: { ds: string; records: number }[]
}

export function fakeExporter(name: string, dataSources: readonly string[], fit: Fit = 'ok'): FakeExporter {
  const committed: { ds: string; records: number }[] = []
  const fake = {
    config: { name },
    fit,
    full: false,
    isFull: () => fake.full,
    committed,
    wants: (ds: string) => dataSources.includes(ds),
    stage: (_ds: string, records: readonly DeepFlowRecord[]) => ({
      perQueue: [records.map(() => ({ bytes: 1 }))],
      filtered: 0,
      tooLarge: 0,
    }),
    fits: () => fake.fit,
    commit: (ds: string, staged: { perQueue: Sized[][] }) => committed.push({ ds, records: staged.perQueue[0]!.length }),
  }
  return fake as unknown as FakeExporter
}

/** `n` distinct (empty) records. */
export function records(n: number): DeepFlowRecord[] {
  return Array.from({ length: n }, (_, i) => ({ values: [], timeUs: i }))
}
