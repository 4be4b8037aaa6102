// Prints the closing line CI reads, `N passed, N failed`, counted from the JUnit XML reports the
// test runners wrote (bun test --reporter=junit, deno test --junit-path). A skipped test counts as
// failed (nothing may skip silently); a missing report counts as one failure, and so does a report
// whose runner failed (`--runner-failed REPORT`) while no test in it did: an error outside any test
// (a test module's top level, a dangling promise) fails the run without a failed test case.
// Usage: bun scripts/junit-summary.ts REPORT... [--extra-failures N] [--runner-failed REPORT]...
import { existsSync, readFileSync } from 'node:fs'

const args = process.argv.slice(2)
const files: string[] = []
const runnerFailed = new Set<string>()
let extra = 0
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--extra-failures') extra = Number(args[++i] ?? 0)
  else if (args[i] === '--runner-failed') runnerFailed.add(args[++i] ?? '')
  else files.push(args[i]!)
}
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
  else if (f === 0 && runnerFailed.has(file)) {
    console.log(`${file}: the runner failed outside any test (see its output above): counted as one failure`)
    failed++
  }
  passed += cases.length - f - s
  failed += f + s
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
