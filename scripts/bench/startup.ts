// Startup time (exec to the first 200 on /readyz) and idle memory (VmRSS 1 s after ready) of the
// compiled binary, `bun run` and `deno run`, on the embedded default. Medians of 5 runs each.
// Usage: bun scripts/bench/startup.ts
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../services/process.ts'
import { kibToMb } from './proc.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'deepflow-relay-startup-'))
copyFileSync(join(ROOT, 'dist', 'deepflow-relay'), join(dir, 'deepflow-relay'))

const runtimes: [string, string, string[]][] = [
  ['binary (bun build --compile)', join(dir, 'deepflow-relay'), []],
  ['bun run', join(ROOT, 'node_modules', '.bin', 'bun'), [join(ROOT, 'src', 'entry', 'bun.ts')]],
  ['deno run', join(ROOT, 'node_modules', 'deno', 'deno'), ['run', '-A', join(ROOT, 'src', 'entry', 'deno.ts')]],
]

async function once(cmd: string, args: string[]): Promise<{ ms: number; rssMb: number }> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(cmd, [...args, '--listen', `127.0.0.1:${port}`], { cwd: dir, stdio: 'ignore' })
  let ms = Number.NaN
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) {
        ms = performance.now() - t0
        break
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  await new Promise((r) => setTimeout(r, 1000))
  const rssMb = kibToMb(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]))
  child.kill('SIGTERM')
  await new Promise((r) => child.on('exit', r))
  return { ms, rssMb }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log('| runtime | exec → /readyz 200 (ms, median of 5) | idle RSS (MB) |')
console.log('|---|---|---|')
for (const [name, cmd, args] of runtimes) {
  const runs = []
  for (let i = 0; i < 5; i++) runs.push(await once(cmd, args))
  console.log(`| ${name} | ${median(runs.map((r) => r.ms)).toFixed(0)} | ${median(runs.map((r) => r.rssMb)).toFixed(1)} |`)
}
