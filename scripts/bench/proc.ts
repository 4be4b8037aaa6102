// Process plumbing for the benchmarks: CPU pinning (taskset), CPU seconds and memory from /proc,
// waiting for an HTTP 200, stopping a child by its process id.
import { type ChildProcess, execFileSync, spawn, type SpawnOptions } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
import { now } from './clock.ts'
export { now }
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Cores for the contender and for everything else (load generator, receiver, broker, runner). */
export const CORES = availableParallelism() >= 2 ? { contender: '0', rest: '1' } : { contender: '0', rest: '0' }

/** Moves this process (every thread) to the `rest` core; children inherit it. */
export function pinSelf(): void {
  execFileSync('taskset', ['-a', '-cp', CORES.rest, String(process.pid)], { stdio: 'ignore' })
}

/** Spawns `cmd` through taskset on `core`: the child's pid is the command's (taskset execs it). */
export function spawnOn(core: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn('taskset', ['-c', core, cmd, ...args], opts)
}

/** utime + stime of a process (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

/** The kernel's kB (KiB) in MB (10^6 bytes), the unit of the issues' bounds (queue-max-bytes + 100 MB). */
export const kibToMb = (kib: number): number => (kib * 1024) / 1e6

/** VmRSS / VmHWM of a process in MB (10^6 bytes; /proc says KiB). */
export function memory(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN)
  return { rssMb: kibToMb(kb('VmRSS')), hwmMb: kibToMb(kb('VmHWM')) }
}

/** Collects a child's output (last 64 KiB) for error messages. */
export function capture(child: ChildProcess): () => string {
  let out = ''
  const add = (d: Buffer) => {
    out += d.toString()
    if (out.length > 65536) out = out.slice(-65536)
  }
  child.stdout?.on('data', add)
  child.stderr?.on('data', add)
  return () => out
}

/** Polls `url` until it answers 200; returns ms from `since`. Fails if the child exits first. */
export async function waitReady(
  url: string,
  child: ChildProcess,
  since: number,
  output: () => string,
  timeoutMs = 30_000,
): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${child.spawnargs.join(' ')} exited with ${child.exitCode}:\n${output().slice(-3000)}`)
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.status === 200) return now() - since
    } catch {
      // not listening yet
    }
    if (now() - since > timeoutMs) throw new Error(`${url} not ready within ${timeoutMs} ms:\n${output().slice(-3000)}`)
    await sleep(2)
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(killer)
}

/** Resolves with the child's stdout once it exits 0; rejects otherwise. */
export function collect(child: ChildProcess, output: () => string): Promise<string> {
  let stdout = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  return new Promise((resolve, reject) => {
    child.once(
      'exit',
      (
        code,
      ) => (code === 0
        ? resolve(stdout)
        : reject(new Error(`${child.spawnargs.join(' ')} exited with ${code}:\n${output().slice(-3000)}`))),
    )
  })
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
}

/** Share (0..1) of all cores' time spent busy over `ms`: what else runs while we sleep. */
export async function systemBusy(ms: number): Promise<number> {
  const read = () => {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number)
    const idle = cpu[3]! + (cpu[4] ?? 0)
    return { idle, total: cpu.reduce((a, b) => a + b, 0) }
  }
  const a = read()
  await sleep(ms)
  const b = read()
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total)
}

export type CoreTimes = Map<string, { idle: number; total: number }>

/** Per-core jiffies from /proc/stat ("0", "1", …). */
export function coreTimes(): CoreTimes {
  const out: CoreTimes = new Map()
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line)
    if (m === null) continue
    const v = m[2]!.split(/\s+/).map(Number)
    out.set(m[1]!, { idle: v[3]! + (v[4] ?? 0), total: v.reduce((a, b) => a + b, 0) })
  }
  return out
}

/** Busy share (0..1) of `core` between two readings. */
export function coreBusy(a: CoreTimes, b: CoreTimes, core: string): number {
  const x = a.get(core)
  const y = b.get(core)
  if (x === undefined || y === undefined || y.total === x.total) return Number.NaN
  return 1 - (y.idle - x.idle) / (y.total - x.total)
}

/**
 * CPU seconds of a process tree: every live descendant of `root` (and root) with the time of the
 * children they already reaped, so a process that exits and is waited for keeps counting.
 */
export function treeCpuSeconds(root: number): number {
  const kids = new Map<number, number[]>()
  const cpu = new Map<number, number>()
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8')
    } catch {
      continue
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const pid = Number(e)
    const ppid = Number(f[1])
    cpu.set(pid, Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]))
    kids.set(ppid, [...(kids.get(ppid) ?? []), pid])
  }
  let sum = 0
  const todo = [root]
  while (todo.length > 0) {
    const pid = todo.pop()!
    sum += cpu.get(pid) ?? 0
    todo.push(...(kids.get(pid) ?? []))
  }
  return sum / CLK_TCK
}

/** Busy CPU seconds of the whole machine (all cores) since boot. */
export function machineBusySeconds(): number {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number)
  return (v.reduce((a, b) => a + b, 0) - v[3]! - (v[4] ?? 0)) / CLK_TCK
}

export interface LoadSnapshot {
  readonly at: number
  readonly machine: number
  readonly ours: number
  readonly cores: CoreTimes
}

export function loadSnapshot(): LoadSnapshot {
  return { at: now(), machine: machineBusySeconds(), ours: treeCpuSeconds(process.pid), cores: coreTimes() }
}
