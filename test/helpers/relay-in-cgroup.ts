// The compiled binary started inside a real memory cgroup of its own (test/helpers/cgroup.ts), with
// a config file written into its directory. Its stdout (the stdout exporter's JSON lines) is counted
// as it streams and never kept; its stderr (the JSON log) is kept up to a bound. stop() sends
// SIGTERM (the relay flushes its queues within relay.shutdown-timeout) and reports the exit, the
// lines printed, the OOM kills and the cgroup's peak memory; dispose() (for a finally block) kills
// what is still running and removes the cgroup and the directory, whatever happened before.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedBinary } from './binary.ts'
import { createMemoryCgroup, type MemoryCgroup } from './cgroup.ts'

export interface RelayInCgroupOptions {
  /** relay.yaml, as text. */
  readonly config: string
  /** The cgroup's memory limit; null: a cgroup without a limit (to measure the peak all the same). */
  readonly limitBytes: number | null
  /** How long stop() waits for the exit after SIGTERM before SIGKILL (default 60 s). */
  readonly stopTimeoutMs?: number
}

export interface RelayOutcome {
  /** The exit code; null when the process was killed by a signal (see `signal`). */
  readonly code: number | null
  readonly signal: string | null
  /** JSON lines the relay printed on stdout. */
  readonly lines: number
  /** Processes of the cgroup the kernel's OOM killer killed. */
  readonly oomKills: number
  /** The cgroup's peak memory use in bytes (memory.max_usage_in_bytes / memory.peak), if readable. */
  readonly peakBytes: number | undefined
  /** stop() had to SIGKILL the relay after stopTimeoutMs. */
  readonly killed: boolean
}

export interface RelayInCgroup {
  /** Ends with '/'. */
  readonly url: string
  readonly cgroup: MemoryCgroup
  /** JSON lines printed on stdout so far. */
  lines(): number
  /** The log so far (the first and last 256 kB when it grew larger). */
  stderr(): string
  /** Whether the process has exited. */
  exited(): boolean
  /** The cgroup's memory use now and its peak so far, in bytes. */
  memory(): { usage: number | undefined; peak: number | undefined }
  /** SIGTERM, then waits for the exit and the end of stdout. */
  stop(): Promise<RelayOutcome>
  /** SIGKILL if still running; removes the cgroup and the directory. Call in finally. */
  dispose(): Promise<void>
}

const LOG_KEEP = 256 * 1024

const readNumber = (path: string): number | undefined => {
  try {
    const n = Number(readFileSync(path, 'utf8').trim())
    return Number.isFinite(n) ? n : undefined
  } catch {
    return undefined
  }
}

export async function startRelayInCgroup(opts: RelayInCgroupOptions): Promise<RelayInCgroup> {
  const { dir, bin } = isolatedBinary()
  writeFileSync(join(dir, 'relay.yaml'), opts.config)
  let cg: MemoryCgroup | undefined
  let child: ChildProcess | undefined
  let exit: Promise<{ code: number | null; signal: string | null }> | undefined
  const dispose = async () => {
    try {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await exit
      }
      await cg?.remove()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  try {
    // A cgroup without a limit is made with one and then lifted (v1: -1, v2: max).
    cg = await createMemoryCgroup(opts.limitBytes ?? 2 ** 30)
    if (opts.limitBytes === null) writeFileSync(cg.limitFile, cg.version === 1 ? '-1' : 'max')
    const cgroup = cg
    const usageFile = join(cg.dir, cg.version === 1 ? 'memory.usage_in_bytes' : 'memory.current')
    const peakFile = join(cg.dir, cg.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak')

    const [cmd, args] = cg.wrap(bin, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
    const proc = spawn(cmd, args, { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    let lines = 0
    let head = ''
    let tail = ''
    let logBytes = 0
    proc.stdout!.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
    })
    proc.stderr!.setEncoding('utf8')
    proc.stderr!.on('data', (text: string) => {
      logBytes += text.length
      if (head.length < LOG_KEEP) head += text
      else tail = (tail + text).slice(-LOG_KEEP)
    })
    const stdoutEnded = new Promise<void>((resolve) => proc.stdout!.on('close', () => resolve()))
    exit = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
    const stderr = () => (logBytes > head.length + tail.length ? `${head}\n… (log cut) …\n${tail}` : head + tail)

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start:\n${stderr()}`)), 10_000)
      const check = () => {
        const m = /"msg":"deepflow-relay started".*?"url":"([^"]+)"/.exec(head)
        if (m !== null) {
          clearTimeout(timer)
          resolve(m[1]!)
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          clearTimeout(timer)
          reject(new Error(`relay exited (${proc.exitCode ?? proc.signalCode}):\n${stderr()}`))
        } else {
          setTimeout(check, 10)
        }
      }
      check()
    })

    const stopTimeoutMs = opts.stopTimeoutMs ?? 60_000
    let stopping: Promise<RelayOutcome> | undefined
    const stop = async (): Promise<RelayOutcome> => {
      let killed = false
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), stopTimeoutMs)))
      const first = await Promise.race([exit!, timeout])
      clearTimeout(timer)
      if (first === 'timeout') {
        killed = true
        proc.kill('SIGKILL')
      }
      let { code, signal } = await exit!
      await stdoutEnded
      // Deno's node:child_process reports (null, signal) for a child that handled the signal and
      // exited 0 (see binary.ts): the relay's last log line tells.
      if (
        code === null && signal === 'SIGTERM' && 'Deno' in globalThis && stderr().trim().split('\n').at(-1)?.includes('"msg":"stopped"')
      ) {
        code = 0
        signal = null
      }
      return { code, signal, lines, oomKills: cgroup.oomKills(), peakBytes: readNumber(peakFile), killed }
    }

    return {
      url,
      cgroup,
      lines: () => lines,
      stderr,
      exited: () => proc.exitCode !== null || proc.signalCode !== null,
      memory: () => ({ usage: readNumber(usageFile), peak: readNumber(peakFile) }),
      stop: () => (stopping ??= stop()),
      dispose,
    }
  } catch (err) {
    await dispose()
    throw err
  }
}
