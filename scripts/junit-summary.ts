// Prints the closing line CI reads, `N passed, N failed`, counted from the JUnit XML that
// `bun test --reporter=junit` wrote. A skipped test counts as failed (nothing may skip silently);
// a missing report (the run died before tests, e.g. a type error) counts as one failure.
// Usage: bun scripts/junit-summary.ts FILE [extra-failures]
import { existsSync, readFileSync } from 'node:fs'

const file = process.argv[2] ?? 'test-output/junit.xml'
const extra = Number(process.argv[3] ?? 0)
if (!existsSync(file)) {
  console.log(`no test report at ${file}: the test run did not get to the tests`)
  console.log(`0 passed, ${Math.max(1, extra)} failed`)
  process.exit(1)
}
const xml = readFileSync(file, 'utf8')
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? []
let failed = 0
let skipped = 0
for (const c of cases) {
  if (/<(failure|error)\b/.test(c)) failed++
  else if (/<skipped\b/.test(c)) skipped++
}
const passed = cases.length - failed - skipped
if (skipped > 0) console.log(`${skipped} test(s) skipped: counted as failed`)
console.log(`${passed} passed, ${failed + skipped + extra} failed`)
process.exit(failed + skipped + extra > 0 || cases.length === 0 ? 1 : 0)
