// Shared by the service scripts: free loopback ports, starting a server process with a temporary
// directory, waiting until it answers, and stopping it by process id.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** `n` distinct free ports: every one is bound before any is released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer())
  const ports = await Promise.all(servers.map((server) =>
    new Promise<number>((resolve, reject) => {
      server.on('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    })
  ))
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  return ports
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface Service {
  readonly name: string
  readonly dir: string
  readonly pid: number
  readonly log: () => string
  stop(): Promise<void>
}

/** Starts `command`, then polls `readyUrl` until it answers 200; fails loudly with the log. */
export async function startService(
  name: string,
  command: string,
  args: (dir: string) => string[],
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<Service> {
  if (!existsSync(command)) {
    throw new Error(`${name}: ${command} is not installed (npm test installs it: scripts/install-test-deps.sh)`)
  }
  const dir = mkdtempSync(join(tmpdir(), `deepflow-relay-${name}-`))
  let output = ''
  const child: ChildProcess = spawn(command, args(dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${output.slice(-4000)}`)
    try {
      const res = await fetch(readyUrl)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${name} was not ready at ${readyUrl} within ${timeoutMs} ms:\n${output.slice(-4000)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    name,
    dir,
    pid: child.pid!,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(killer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
