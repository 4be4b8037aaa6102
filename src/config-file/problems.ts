// A config problem names where it is (a YAML path like `ingester.exporters[1].batch-size`, and the
// line when known) and what is wrong with the value found there.
import type * as v from 'valibot'
import { describeValue, UNKNOWN_KEY } from './go-values.ts'

export type ConfigPath = readonly (string | number)[]

/** A problem refuses the config; a warning (same shape) is reported and the config runs. */
export interface ConfigProblem {
  readonly path: ConfigPath
  readonly message: string
  line?: number
}

export function formatPath(path: ConfigPath): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out === '' ? p : `.${p}`
  }
  return out === '' ? '(top level)' : out
}

export function formatProblem(p: ConfigProblem): string {
  return `${formatPath(p.path)}: ${p.message}${p.line === undefined ? '' : ` (line ${p.line})`}`
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'))
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]!
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const c of candidates) {
    const d = editDistance(word, c)
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  return best
}

/** valibot issues -> problems under `base`; `keysAt(path)` lists the valid keys of a mapping. */
export function issuesToProblems(
  base: ConfigPath,
  issues: readonly v.BaseIssue<unknown>[],
  keysAt: (path: ConfigPath) => readonly string[],
): ConfigProblem[] {
  return issues.map((issue) => {
    const rel = (issue.path ?? []).map((p) => (typeof p.key === 'number' ? p.key : String(p.key)))
    const path = [...base, ...rel]
    if (issue.message === UNKNOWN_KEY) {
      const key = String(rel[rel.length - 1])
      const valid = keysAt(rel.slice(0, -1))
      const guess = closest(key, valid)
      return { path, message: `unknown key${guess === undefined ? '' : `; did you mean "${guess}"?`} (valid keys: ${valid.join(', ')})` }
    }
    if (issue.input === undefined && issue.kind === 'schema') return { path, message: 'required key is missing' }
    const got = describeValue(issue.input)
    const message = issue.message.includes(got) ? issue.message : `${issue.message}, got ${got}`
    return { path, message }
  })
}
