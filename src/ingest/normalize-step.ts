// The normalize step: inputs of one data source through its normaliser → the records it accepted
// (with the input each came from, by index), the inputs it refused with their reason code and the
// sentence shown to the client, and how many unknown keys it ignored. Pure.
import type { DeepFlowRecord, Normalizer, NormalizeReason } from '../record/normalize.ts'

export interface Refused<T> {
  readonly input: T
  readonly reason: NormalizeReason
  readonly field?: string
  readonly error: string
}

export interface Normalized<T> {
  readonly records: DeepFlowRecord[]
  /** inputs[i] is the input records[i] came from. */
  readonly inputs: T[]
  readonly refused: Refused<T>[]
  readonly unknownFields: number
}

/** Normalizes `value(input)` for each input, in order. */
export function normalizeAll<T>(normalize: Normalizer, inputs: Iterable<T>, value: (input: T) => unknown): Normalized<T> {
  const records: DeepFlowRecord[] = []
  const accepted: T[] = []
  const refused: Refused<T>[] = []
  let unknownFields = 0
  for (const input of inputs) {
    const r = normalize(value(input))
    if (r.ok) {
      records.push(r.record)
      accepted.push(input)
      unknownFields += r.unknownKeys
    } else {
      refused.push(
        r.field === undefined ? { input, reason: r.reason, error: r.error } : { input, reason: r.reason, field: r.field, error: r.error },
      )
    }
  }
  return { records, inputs: accepted, refused, unknownFields }
}
