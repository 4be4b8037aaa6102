// The compiled binary (npm run build → dist/deepflow-relay), copied into an empty directory and
// started there with no node_modules and a bare environment; its URL is read from its start log.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BUILT = fileURLToPath(new URL('../../dist/deepflow-relay', import.meta.url))

/** The directories made for copies of the binary (114 MB each): removed when the test process exits. */
const made: string[] = []
const removeMade = () => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}
process.on('exit', removeMade)
// Deno's test runner does not emit process 'exit'; it dispatches 'unload'.
if ('Deno' in globalThis) globalThis.addEventListener('unload', removeMade)

export function isolatedBinary(): { dir: string; bin: string } {
  assert.ok(existsSync(BUILT), `${BUILT} is missing: run npm run build (npm test does)`)
  const dir = mkdtempSync(join(tmpdir(), 'deepflow-relay-e2e-'))
  made.push(dir)
  const bin = join(dir, 'deepflow-relay')
  copyFileSync(BUILT, bin)
  return { dir, bin }
}

export interface Running {
  url: string
  stdout: () => string
  stderr: () => string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export async function start(bin: string, dir: string, args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(bin, args, { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  // Deno's node:child_process reports (null, signal) for a child that was sent a signal, even when
  // it handled the signal and exited 0 (Bun and Node report the real code). Under Deno the code is
  // then taken as 0 only if the relay's last log line says it stopped cleanly.
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      const lastLine = err.trim().split('\n').at(-1) ?? ''
      resolve(code ?? ('Deno' in globalThis && signal !== null && lastLine.includes('"msg":"stopped"') ? 0 : null))
    })
  )
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${err}`)), 10_000)
    const check = () => {
      const m = /"msg":"deepflow-relay started".*?"url":"([^"]+)"/.exec(err)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1]!)
      } else if (child.exitCode !== null) {
        clearTimeout(timer)
        reject(new Error(`relay exited ${child.exitCode}:\n${err}`))
      } else {
        setTimeout(check, 10)
      }
    }
    check()
  })
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop(signal = 'SIGTERM') {
      child.kill(signal)
      return exited
    },
  }
}
