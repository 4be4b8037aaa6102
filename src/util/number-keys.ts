// Tables keyed by text whose keys are mostly numbers (DeepFlow ids, enum values), looked up by the
// number a record holds without making its string: a key counts when it is exactly what String()
// writes for its number ("153", not "0153" or "1e3"), so a lookup by number finds what a lookup by
// String(number) would.

/** The number a key denotes when it is that number's own text; undefined otherwise. */
export function numericKey(key: string): number | undefined {
  const n = Number(key)
  return key !== '' && String(n) === key ? n : undefined
}

/** The entries of `table` whose key is a number's own text, by that number. */
export function byNumber<V>(table: Iterable<readonly [string, V]>): Map<number, V> {
  const out = new Map<number, V>()
  for (const [key, value] of table) {
    const n = numericKey(key)
    if (n !== undefined) out.set(n, value)
  }
  return out
}
