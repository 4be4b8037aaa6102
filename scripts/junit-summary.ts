// Prints the closing line CI reads, `N passed, N failed`, counted from the JUnit XML reports the
// test runners wrote (bun test --reporter=junit, deno test --junit-path). A skipped test counts as
// failed (nothing may skip silently); a missing report counts as one failure.
// Usage: bun scripts/junit-summary.ts REPORT... [--extra-failures N]
import { existsSync, readFileSync } from 'node:fs'

const args = process.argv.slice(2)
const extraAt = args.indexOf('--extra-failures')
const extra = extraAt < 0 ? 0 : Number(args[extraAt + 1] ?? 0)
const files = extraAt < 0 ? args : args.slice(0, extraAt)
let passed = 0
let failed = extra
for (const file of files) {
  if (!existsSync(file)) {
    console.log(`${file}: no test report: that run did not get to the tests (counted as one failure)`)
    failed++
    continue
  }
  const cases = readFileSync(file, 'utf8').match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? []
  let f = 0
  let s = 0
  for (const c of cases) {
    if (/<(failure|error)\b/.test(c)) f++
    else if (/<skipped\b/.test(c)) s++
  }
  console.log(`${file}: ${cases.length - f - s} passed, ${f} failed${s > 0 ? `, ${s} skipped (counted as failed)` : ''}`)
  if (cases.length === 0) failed++
  passed += cases.length - f - s
  failed += f + s
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
