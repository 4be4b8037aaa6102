// One DeepFlow tag filter as a predicate over a record value, tested on the raw value before any
// translation (config.go TagFilter.Validate / MatchValue):
// - numbers: float comparison first, then the decimal text compared as a string;
// - `=`/`in` and `!=`/`not in` compare exactly; `:` is a wildcard (`*` -> `.*`), `~` a regex, both
//   unanchored and using the first value only; regex operators always match numeric values;
// - a value DeepFlow would see as nil (a nullable field without value) matches every filter;
// - a filter without an operator matches every value.
// Relay differences: IPv6 fields are read (Q6 fix), so filters compare their text (DeepFlow cannot
// read them and lets every filter match); an absent IPv6 field matches every filter.
// Relay extension: ip4 and mac fields also match their display text (`10.1.2.3`, `aa:bb:...`).
import type { FieldSpec } from '../deepflow/schema.ts'
import type { FilterOperator, TagFilter } from '../config/types.ts'
import { formatIp4, formatMac, type Value } from '../record/values.ts'
import { compileGoRegexp, wildcardToGoRegexp } from '../deepflow/go-regexp.ts'

export type ValuePredicate = (value: Value | undefined) => boolean

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const GO_SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i

/** strconv.ParseFloat for the spellings that matter; undefined where Go returns an error. */
function goParseFloat(s: string): number | undefined {
  if (GO_FLOAT.test(s)) return Number(s)
  if (GO_SPECIAL_FLOAT.test(s)) {
    const lower = s.toLowerCase()
    if (lower.endsWith('nan')) return Number.NaN
    return lower.startsWith('-') ? -Infinity : Infinity
  }
  return undefined
}

/** DeepFlow quirk, kept: a value that does not parse resets the float list. */
export function deepflowFloatList(values: readonly string[]): number[] {
  let floats: number[] = []
  for (const v of values) {
    const f = goParseFloat(v)
    if (f === undefined) floats = []
    else floats.push(f)
  }
  return floats
}

type Mode = 'eq' | 'ne' | 'match' | 'nomatch' | 'any'

function modeOf(op: FilterOperator): Mode {
  switch (op) {
    case '':
      return 'any'
    case '=':
    case 'in':
      return 'eq'
    case '!=':
    case 'not in':
      return 'ne'
    case ':':
    case '~':
      return 'match'
    case '!:':
    case '!~':
      return 'nomatch'
  }
}

/** First pattern of a regex/wildcard filter; null when there are none (DeepFlow then matches all). */
export function filterPattern(filter: TagFilter): RegExp | null {
  const first = filter.fieldValues[0]
  if (first === undefined) return null
  const src = filter.operator === ':' || filter.operator === '!:' ? wildcardToGoRegexp(first) : first
  const compiled = compileGoRegexp(src)
  if (!compiled.ok) throw new Error(compiled.error)
  return compiled.re
}

function isNumericType(field: FieldSpec): boolean {
  return field.type !== 'string' && field.type !== 'ip6' && field.type !== 'string[]' && field.type !== 'f64[]'
}

export function compileTagFilter(filter: TagFilter, field: FieldSpec): ValuePredicate {
  const mode = modeOf(filter.operator)
  // No operator (DeepFlow's INVALID_OPERATOR_ID): every match function answers true.
  if (mode === 'any') return () => true
  const set = new Set(filter.fieldValues)
  const re = mode === 'match' || mode === 'nomatch' ? filterPattern(filter) : null
  const floats = new Set(deepflowFloatList(filter.fieldValues))

  const stringTest = (s: string): boolean => {
    switch (mode) {
      case 'eq':
        return set.has(s)
      case 'ne':
        return !set.has(s)
      case 'match':
        return re === null || re.test(s)
      case 'nomatch':
        return re === null || !re.test(s)
    }
  }
  const displayText = field.type === 'ip4' ? (n: number) => formatIp4(n) : field.type === 'mac' ? (n: number) => formatMac(n) : null
  const numeric = isNumericType(field)
  const zero: Value | undefined = field.nullable || field.type === 'ip6'
    ? undefined
    : numeric
    ? 0
    : field.type === 'string'
    ? ''
    : undefined

  const numberTest = (n: number | bigint): boolean => {
    if (mode === 'match' || mode === 'nomatch') {
      if (displayText !== null && typeof n === 'number') return stringTest(displayText(n))
      return true
    }
    const hit = floats.has(Number(n))
    // DeepFlow: the float test first; when it fails, the decimal text as a string.
    const deepflow = mode === 'eq' ? hit || set.has(String(n)) : !hit || !set.has(String(n))
    if (displayText === null || typeof n !== 'number') return deepflow
    const text = displayText(n)
    return mode === 'eq' ? deepflow || set.has(text) : deepflow && !set.has(text)
  }

  return (value) => {
    const v = value === undefined ? zero : value
    if (v === undefined) return true
    if (typeof v === 'string') return stringTest(v)
    if (typeof v === 'number' || typeof v === 'bigint') return numberTest(v)
    return true
  }
}
