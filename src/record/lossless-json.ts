// JSON.parse rounds integers above 2^53. DeepFlow's _id, flow_id, request_id ... are uint64, so
// before parsing, integer literals long enough to lose precision are turned into JSON strings
// (the record normaliser accepts numeric strings). Only text that has such a literal pays for the scan.

const LONG_DIGIT_RUN = /\d{16}/
const MIN_UNSAFE_DIGITS = 16

/** JSON.parse that keeps integers of 16 or more digits exact, as decimal strings. */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(LONG_DIGIT_RUN.test(text) ? quoteLongIntegers(text) : text)
}

function beforeColon(text: string, i: number): boolean {
  let j = i
  for (;;) {
    const c = text.charCodeAt(j)
    if (c === 32 || c === 9 || c === 10 || c === 13) j++
    else return c === 58 /* : */
  }
}

/** Wrap every integer literal of 16+ digits that stands outside a string in double quotes. */
export function quoteLongIntegers(text: string): string {
  let out = ''
  let copied = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      i++
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 92 /* \ */) i += 2
        else if (d === 34) break
        else i++
      }
      i++
      continue
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i
      i++
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d >= 48 && d <= 57) i++
        else break
      }
      const next = i < n ? text.charCodeAt(i) : 0
      const isFraction = next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */
      const first = c === 45 ? start + 1 : start
      const digits = i - first
      // Quoting must not make invalid JSON valid: a leading zero (`0123…`) or a bare key (`{123…: 1}`)
      // stays as written, for JSON.parse to refuse.
      if (!isFraction && digits >= MIN_UNSAFE_DIGITS && text.charCodeAt(first) !== 48 /* 0 */ && !beforeColon(text, i)) {
        out += `${text.slice(copied, start)}"${text.slice(start, i)}"`
        copied = i
      }
      continue
    }
    i++
  }
  return copied === 0 ? text : out + text.slice(copied)
}
