// export-fields: which fields of a data source an exporter emits, and which k8s labels.
// DeepFlow v7.0.3+ rules (categories.json `is_export_field`) with two fixes: `$k8s.label` selects
// k8s labels only (Q3: DeepFlow makes it select every field), and `$tag` includes the event_info
// sub-category (Q5: DeepFlow leaves `event_type`, `file_name`, ... out of `$tag`).
import categoriesJson from '../deepflow/facts/categories.json' with { type: 'json' }
import type { DataSourceSpec, FieldSpec } from '../deepflow/schema.ts'
import { compileGoRegexp } from '../deepflow/go-regexp.ts'

interface Categories {
  sub_categories: Record<string, { kind: string; bit: number }>
  bits: Record<string, number>
}
const CATEGORIES = categoriesJson as unknown as Categories

export const SUB_BITS: ReadonlyMap<string, number> = new Map(
  Object.entries(CATEGORIES.sub_categories).map(([name, c]) => [name, c.bit]),
)
/** DeepFlow's TAG mask plus EVENT_INFO (fix Q5). */
export const TAG_BITS = CATEGORIES.bits.TAG! | CATEGORIES.bits.EVENT_INFO!
export const METRICS_BITS = CATEGORIES.bits.METRICS!

export interface FieldSelection {
  readonly bits: number
  readonly names: ReadonlySet<string>
  readonly k8sAll: boolean
  readonly k8sNames: ReadonlySet<string>
  readonly k8sPatterns: readonly RegExp[]
}

export interface ExportFieldProblem {
  readonly index: number
  /** unknown: DeepFlow ignores the entry; invalid: a k8s-label pattern that does not compile. */
  readonly kind: 'unknown' | 'invalid'
  readonly message: string
}

const K8S = '$k8s.label'

/** Parses the export-fields list. Bare names are checked against the data sources by the caller. */
export function parseExportFields(list: readonly string[]): { selection: FieldSelection; problems: ExportFieldProblem[] } {
  let bits = 0
  const names = new Set<string>()
  const k8sNames = new Set<string>()
  const k8sPatterns: RegExp[] = []
  let k8sAll = false
  const problems: ExportFieldProblem[] = []
  list.forEach((entry, index) => {
    if (entry.startsWith(`~${K8S}.`)) {
      const compiled = compileGoRegexp(entry.slice(K8S.length + 2))
      if (compiled.ok) k8sPatterns.push(compiled.re)
      else problems.push({ index, kind: 'invalid', message: compiled.error })
    } else if (entry === K8S) {
      k8sAll = true
    } else if (entry.startsWith(`${K8S}.`)) {
      k8sNames.add(entry.slice(K8S.length + 1))
    } else if (entry === '$tag') {
      bits |= TAG_BITS
    } else if (entry === '$metrics') {
      bits |= METRICS_BITS
    } else if (entry.startsWith('$')) {
      const parts = entry.split('.')
      const sub = parts.length > 1 && parts[1] !== '' ? parts[1]! : entry
      const bit = SUB_BITS.get(sub)
      if (bit === undefined) {
        const bare = entry.slice(1)
        const hint = SUB_BITS.has(bare)
          ? `; did you mean "$${SUB_BITS.get(bare)! >= METRICS_LOWEST ? 'metrics' : 'tag'}.${bare}"?`
          : `; valid: $tag, $metrics, $tag.<sub>, $metrics.<sub> with <sub> one of ${
            [...SUB_BITS.keys()].join(', ')
          }, ${K8S}, ${K8S}.<name>, ~${K8S}.<regex>`
        problems.push({ index, kind: 'unknown', message: `unknown export-fields category ${JSON.stringify(entry)}${hint}` })
      } else {
        bits |= bit
      }
    } else if (entry.trim() === '') {
      problems.push({ index, kind: 'unknown', message: 'empty export-fields entry' })
    } else {
      names.add(entry)
    }
  })
  return { selection: { bits, names, k8sAll, k8sNames, k8sPatterns }, problems }
}

const METRICS_LOWEST = Math.min(
  ...Object.values(CATEGORIES.sub_categories).filter((c) => c.kind === 'metric').map((c) => c.bit),
)

/** Names a bare export-fields entry may use for a field: output name, json name, ClickHouse column. */
export function fieldSpellings(field: FieldSpec): string[] {
  const out = [field.name, field.filterName]
  if (field.clickhouseColumn !== null) out.push(field.clickhouseColumn)
  return out
}

export function isFieldSelected(field: FieldSpec, sel: FieldSelection): boolean {
  if (fieldSpellings(field).some((n) => sel.names.has(n))) return true
  if (field.uncategorised) return false
  const categoryBit = field.kind === 'tag' ? TAG_BITS : METRICS_BITS
  if ((categoryBit & sel.bits) === 0) return false
  const subBit = field.sub === null ? 0 : (SUB_BITS.get(field.sub) ?? 0)
  return subBit === 0 || (subBit & sel.bits) !== 0
}

/** Per field index of the data source: is it exported? */
export function selectFields(ds: DataSourceSpec, sel: FieldSelection): boolean[] {
  return ds.fields.map((f) => isFieldSelected(f, sel))
}

/** Which k8s label names are exported, or null when export-fields selects none. */
export function k8sLabelPredicate(sel: FieldSelection): ((name: string) => boolean) | null {
  if (sel.k8sAll) return () => true
  if (sel.k8sNames.size === 0 && sel.k8sPatterns.length === 0) return null
  return (name) => sel.k8sNames.has(name) || sel.k8sPatterns.some((re) => re.test(name))
}
