// @platformatic/kafka for scripts/bench/kafka-clients.ts, kept out of the project's dependencies:
// installed with npm into .cache/kafka-clients/ when missing (not under .cache/bench, which data.ts
// sweeps), and a check of where it runs. It reads its WebAssembly (snappy, lz4, CRC-32C) from disk
// (@platformatic/wasm-utils: readFileSync(new URL('../dist/native.wasm', import.meta.url))); the
// package's `bundled` export carries it inline. A tiny producer entry (1024 messages, snappy,
// acks=all) is run (a) by bun, (b) as a `bun build --compile` binary, (b') as one built with
// Bun.build and a plugin resolving @platformatic/wasm-utils to its `bundled` export, (c) by
// `deno run -A`; each verdict is the broker's end offsets or the first lines of the error.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTopic, topicMessages } from './contenders.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const PLATFORMATIC_DIR = join(ROOT, '.cache', 'kafka-clients')
/** The registry's latest when this was written (npm view @platformatic/kafka version). */
export const PLATFORMATIC_VERSION = '2.12.1'
const BUN = join(ROOT, 'node_modules', '.bin', 'bun')
const DENO = join(ROOT, 'node_modules', '.bin', 'deno')
const PROBE_MESSAGES = 1024

/**
 * The path of @platformatic/kafka's entry (dist/index.js), installed first when missing; with
 * `omitOptional`, a second install without optional dependencies (no native @node-rs/crc32: its
 * CRC-32C is then the WebAssembly one, as in a compiled binary).
 */
export function ensurePlatformatic(version: string, log: (m: string) => void, omitOptional = false): string {
  const prefix = omitOptional ? join(PLATFORMATIC_DIR, 'no-optional') : PLATFORMATIC_DIR
  const pkg = join(prefix, 'node_modules', '@platformatic', 'kafka')
  const installed = existsSync(join(pkg, 'package.json'))
    ? (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version
    : undefined
  if (installed !== version) {
    const args = ['install', '--prefix', prefix, '--no-audit', '--no-fund', ...(omitOptional ? ['--omit=optional'] : [])]
    log(`npm ${args.join(' ')} @platformatic/kafka@${version} …`)
    execFileSync('npm', [...args, `@platformatic/kafka@${version}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
  }
  if (omitOptional && existsSync(join(prefix, 'node_modules', '@node-rs'))) throw new Error(`${prefix}: @node-rs installed`)
  return join(pkg, 'dist', 'index.js')
}

const ENTRY = `import { Producer } from '@platformatic/kafka'
const [broker, topic] = process.argv.slice(-2)
const producer = new Producer({ clientId: 'probe', bootstrapBrokers: [broker], acks: -1, compression: 'snappy', idempotent: false })
const messages = Array.from({ length: ${PROBE_MESSAGES} }, (_, i) => ({ topic, value: Buffer.from(JSON.stringify({ i })), partition: i % 3 }))
await producer.send({ messages })
await producer.close()
console.log('sent')
`

const BUILD_BUNDLED = `import { createRequire } from 'node:module'
const bundled = createRequire(import.meta.url).resolve('@platformatic/wasm-utils/bundled')
const out = await Bun.build({
  entrypoints: ['./entry.ts'],
  compile: { outfile: './probe-bundled' },
  plugins: [{ name: 'wasm-utils-bundled', setup(b) { b.onResolve({ filter: /^@platformatic\\/wasm-utils$/ }, () => ({ path: bundled })) } }],
})
if (!out.success) { console.error(out.logs.join('\\n')); process.exit(1) }
`

export interface RuntimeVerdict {
  readonly runtime: string
  readonly works: boolean
  readonly detail: string
}

/** The first lines of a failed command's output that say what failed. */
function firstError(out: string): string {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l !== '')
  const at = lines.findIndex((l) => /error|cannot|not found|ENOENT|failed/i.test(l))
  return lines.slice(Math.max(0, at), Math.max(0, at) + 2).join(' | ').slice(0, 300)
}

export function checkPlatformaticRuntimes(broker: string, log: (m: string) => void): RuntimeVerdict[] {
  // Inside PLATFORMATIC_DIR, so that the entry's bare specifier resolves to the installed package.
  const dir = mkdtempSync(join(PLATFORMATIC_DIR, 'probe-'))
  const verdicts: RuntimeVerdict[] = []
  try {
    writeFileSync(join(dir, 'entry.ts'), ENTRY)
    writeFileSync(join(dir, 'build-bundled.ts'), BUILD_BUNDLED)
    writeFileSync(join(dir, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }))
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 })
      return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}` }
    }
    const build = (args: string[]) => run(BUN, args)
    const cases: { runtime: string; prepare?: () => { ok: boolean; out: string }; cmd: string; args: string[] }[] = [
      { runtime: 'bun (plain)', cmd: BUN, args: ['entry.ts'] },
      {
        runtime: 'bun build --compile',
        prepare: () => build(['build', '--compile', 'entry.ts', '--outfile', 'probe-bin']),
        cmd: join(dir, 'probe-bin'),
        args: [],
      },
      {
        runtime: 'bun build --compile, wasm-utils → its bundled export',
        prepare: () => build(['build-bundled.ts']),
        cmd: join(dir, 'probe-bundled'),
        args: [],
      },
      { runtime: 'deno run -A', cmd: DENO, args: ['run', '-A', 'entry.ts'] },
    ]
    for (const c of cases) {
      const topic = `probe-${verdicts.length}-${Date.now()}`
      createTopic(broker, topic)
      const prepared = c.prepare?.()
      if (prepared !== undefined && !prepared.ok) {
        verdicts.push({ runtime: c.runtime, works: false, detail: `build fails: ${firstError(prepared.out)}` })
        continue
      }
      const r = run(c.cmd, [...c.args, broker, topic])
      const held = topicMessages(broker, topic, 3) - 1
      const works = r.ok && held === PROBE_MESSAGES
      verdicts.push({
        runtime: c.runtime,
        works,
        detail: works ? `${held} messages landed (end offsets)` : `fails (${held} landed): ${firstError(r.out)}`,
      })
      log(`${c.runtime}: ${verdicts.at(-1)!.detail}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return verdicts
}
