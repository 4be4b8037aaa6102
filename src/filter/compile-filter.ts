// An exporter's tag-filters and tag-filters-groups, compiled for one data source into a single
// predicate over a record (exporters.go IsExportItem), with DeepFlow's two bugs fixed:
// - Q1: an `or` condition rejects the record when no filter matches (DeepFlow never rejects);
// - Q2: a group none of whose fields exist in the data source is skipped (DeepFlow lets it decide
//   the result depending on group order).
// Kept: legacy `tag-filters` that name a field of the data source take precedence over groups.
import type { DataSourceSpec, FieldSpec } from '../deepflow/schema.ts'
import type { Condition, ExporterConfig, TagFilter } from '../config/types.ts'
import type { Value } from '../record/values.ts'
import { compileTagFilter } from './tag-filter.ts'

export type RecordPredicate = (values: readonly (Value | undefined)[]) => boolean

/** The field a filter's `field-name` binds to: the json name, or for map sources also the `_0` name. */
export function bindFilterField(ds: DataSourceSpec, fieldName: string): FieldSpec | undefined {
  return ds.fields.find((f) => f.filterName === fieldName) ??
    ds.fields.find((f) => f.name === fieldName || f.clickhouseColumn === fieldName)
}

function compileList(ds: DataSourceSpec, filters: readonly TagFilter[]): RecordPredicate[] {
  const out: RecordPredicate[] = []
  for (const filter of filters) {
    const field = bindFilterField(ds, filter.fieldName)
    if (field === undefined) continue
    const test = compileTagFilter(filter, field)
    const i = field.index
    out.push((values) => test(values[i]))
  }
  return out
}

function combine(condition: Condition, tests: RecordPredicate[]): RecordPredicate {
  if (tests.length === 1) return tests[0]!
  return condition === 'and' ? (values) => tests.every((t) => t(values)) : (values) => tests.some((t) => t(values))
}

/** null when nothing filters this data source (every record is exported). */
export function compileFilter(exporter: ExporterConfig, ds: DataSourceSpec): RecordPredicate | null {
  const legacy = compileList(ds, exporter.tagFilters)
  if (legacy.length > 0) return combine(exporter.tagFilterCondition, legacy)
  const groups = exporter.tagFiltersGroups
    .map((g) => ({ condition: g.condition, tests: compileList(ds, g.filters) }))
    .filter((g) => g.tests.length > 0)
    .map((g) => combine(g.condition, g.tests))
  if (groups.length === 0) return null
  if (groups.length === 1) return groups[0]!
  return (values) => groups.some((g) => g(values))
}
