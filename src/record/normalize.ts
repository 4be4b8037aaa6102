// Validates one inbound JSON object against its data source and turns it into a DeepFlow record:
// values indexed by the schema's field order. Compiled once per data source.
import type { DataSourceSpec, FieldSpec } from '../deepflow/schema.ts'
import { describe, type FieldParser, fieldParser, type FieldParserOptions, Invalid } from './field-parsers.ts'
import { createWallClockParser } from '../time/parse-wall-clock.ts'
import type { Value } from './values.ts'

export interface DeepFlowRecord {
  /** Field values in schema order; undefined where the input had no value. */
  readonly values: (Value | undefined)[]
  /** The data source's timestamp (end time for logs and events, `time` for metrics), in µs. */
  readonly timeUs: number
}

/** Why a record was refused: the normaliser's labels of deepflow_relay_records_rejected_total. */
export type NormalizeReason = 'not_an_object' | 'invalid_value' | 'missing_field'

export type NormalizeResult =
  | { readonly ok: true; readonly record: DeepFlowRecord; readonly unknownKeys: number }
  /** `error` is the sentence shown to the client; `field` is absent only for 'not_an_object'. */
  | { readonly ok: false; readonly reason: NormalizeReason; readonly field?: string; readonly error: string }

export type Normalizer = (input: unknown) => NormalizeResult

interface Binding {
  readonly field: FieldSpec
  readonly parse: FieldParser
}

/** Every spelling a record key may use for a field: output name, json name, ClickHouse column. */
function spellings(field: FieldSpec): string[] {
  const names = [field.name, field.filterName]
  if (field.clickhouseColumn !== null) names.push(field.clickhouseColumn)
  return [...new Set(names)]
}

const UTC_WALL_CLOCK = createWallClockParser('UTC')

/**
 * DateTime text (`time`, `start_time`, `end_time` as ClickHouse writes them) is read in UTC unless
 * `opts.wallClock` says otherwise (the ClickHouse source passes the server's zone).
 */
export function compileNormalizer(ds: DataSourceSpec, opts: FieldParserOptions = { wallClock: UTC_WALL_CLOCK }): Normalizer {
  const bindings = new Map<string, Binding>()
  for (const field of ds.fields) {
    const binding = { field, parse: fieldParser(field, opts) }
    for (const key of spellings(field)) if (!bindings.has(key)) bindings.set(key, binding)
  }
  const width = ds.fields.length
  const timeIndex = ds.byName.get('time')!.index
  const stampField = ds.byName.get(ds.timestamp.field)!
  const stampIndex = stampField.index
  const stampInSeconds = ds.timestamp.unit === 's'

  return (input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return {
        ok: false,
        reason: 'not_an_object',
        error: `expected a JSON object, got ${Array.isArray(input) ? 'an array' : describe(input)}`,
      }
    }
    const values: (Value | undefined)[] = new Array(width)
    const seenAs: (string | undefined)[] = new Array(width)
    let unknownKeys = 0
    const obj = input as Record<string, unknown>
    for (const key in obj) {
      const binding = bindings.get(key)
      if (binding === undefined) {
        unknownKeys++
        continue
      }
      const raw = obj[key]
      if (raw === null) continue
      const i = binding.field.index
      if (seenAs[i] !== undefined) {
        return { ok: false, reason: 'invalid_value', field: key, error: `the same field is given twice, as "${seenAs[i]}" and "${key}"` }
      }
      const v = binding.parse(raw)
      if (v instanceof Invalid) return { ok: false, reason: 'invalid_value', field: key, error: v.error }
      values[i] = v
      seenAs[i] = key
    }
    const time = values[timeIndex]
    if (time === undefined) return { ok: false, reason: 'missing_field', field: 'time', error: 'required field is missing' }
    if (typeof time !== 'number') {
      return { ok: false, reason: 'invalid_value', field: 'time', error: `expected Unix seconds, got ${describe(time)}` }
    }
    const stamp = values[stampIndex]
    let timeUs: number
    if (stampInSeconds || typeof stamp !== 'number') timeUs = time * 1e6
    else timeUs = stamp
    return { ok: true, record: { values, timeUs }, unknownKeys }
  }
}
