// Copies the DeepFlow facts from ../shared/deepflow, byte for byte: the facts the relay compiles
// into the binary (schema, enums, device types, export-field categories → src/deepflow/facts) and
// the exporter blocks of DeepFlow's documentation the drop-in tests run (docs-examples →
// test/fixtures/deepflow-docs), so that a clone outside the workspace has them too.
// Usage: bun scripts/sync-deepflow-facts.ts [--check]
//   --check: exit 1 when a copy differs from its source (used by the drift test).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const SHARED_DIR = join(root, '..', 'shared', 'deepflow')
export const COPY_DIR = join(root, 'src', 'deepflow', 'facts')
export const DOCS_COPY_DIR = join(root, 'test', 'fixtures', 'deepflow-docs')

/** Each copied file: its path under ../shared/deepflow and where its copy lives. */
export const COPIES: readonly { readonly from: string; readonly to: string }[] = [
  ...['schema.json', 'enums.json', 'device-types.json', 'categories.json'].map((f) => ({ from: f, to: join(COPY_DIR, f) })),
  ...['README.md', 'kafka-exporter.yaml', 'prometheus-remote-write.yaml', 'prometheus-remote-write-quick-demo.yaml']
    .map((f) => ({ from: join('docs-examples', f), to: join(DOCS_COPY_DIR, f) })),
]

/** Files whose copy differs from ../shared/deepflow, or null when that folder is absent. */
export function driftedFacts(): string[] | null {
  if (!existsSync(SHARED_DIR)) return null
  return COPIES.filter(({ from, to }) => !existsSync(to) || !readFileSync(join(SHARED_DIR, from)).equals(readFileSync(to))).map((c) =>
    c.from
  )
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
    for (const { from, to } of COPIES) {
      mkdirSync(dirname(to), { recursive: true })
      writeFileSync(to, readFileSync(join(SHARED_DIR, from)))
    }
    console.error(`copied ${COPIES.map((c) => c.from).join(', ')}`)
  }
}
