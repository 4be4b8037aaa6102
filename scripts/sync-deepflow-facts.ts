// Copies the DeepFlow facts (schema, enums, device types, export-field categories) from
// ../shared/deepflow into src/deepflow/facts, byte for byte. They are compiled into the binary.
// Usage: bun scripts/sync-deepflow-facts.ts [--check]
//   --check: exit 1 when a copy differs from its source (used by the drift test).
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FACT_FILES = ['schema.json', 'enums.json', 'device-types.json', 'categories.json'] as const

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const SHARED_DIR = join(root, '..', 'shared', 'deepflow')
export const COPY_DIR = join(root, 'src', 'deepflow', 'facts')

/** Files whose copy differs from ../shared/deepflow, or null when that folder is absent. */
export function driftedFacts(): string[] | null {
  if (!existsSync(SHARED_DIR)) return null
  return FACT_FILES.filter((f) => {
    const copy = join(COPY_DIR, f)
    return !existsSync(copy) || !readFileSync(join(SHARED_DIR, f)).equals(readFileSync(copy))
  })
}

if (import.meta.main) {
  const drift = driftedFacts()
  if (drift === null) {
    console.error(`no ${SHARED_DIR}: nothing to sync`)
    process.exit(process.argv.includes('--check') ? 0 : 1)
  }
  if (process.argv.includes('--check')) {
    if (drift.length > 0) {
      console.error(`drifted from ${SHARED_DIR}: ${drift.join(', ')} (run: npm run sync:facts)`)
      process.exit(1)
    }
    console.error('DeepFlow facts are in sync')
  } else {
    for (const f of FACT_FILES) writeFileSync(join(COPY_DIR, f), readFileSync(join(SHARED_DIR, f)))
    console.error(`copied ${FACT_FILES.join(', ')} into ${COPY_DIR}`)
  }
}
