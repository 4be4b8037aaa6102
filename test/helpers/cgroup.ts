// A memory cgroup for one test, made under the test process's own cgroup (cgroup v2 where the
// unified hierarchy has the memory controller, else v1's memory hierarchy), with a limit. A
// command runs inside it through `sh -c 'echo $$ > cgroup.procs; exec …'`, so the relay is born in
// the cgroup and is not told the limit: it must find it. `oomKills()` reads what the kernel killed
// (memory.events or memory.oom_control); `remove()` deletes the cgroup once its processes exited.
// Needs root, as CI runs the tests; anything else fails loudly, never skips.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ownCgroupDirs } from '../../src/runtime/cgroup-memory.ts'

export interface MemoryCgroup {
  readonly dir: string
  readonly version: 1 | 2
  /** The file the relay should name as the source of its budget. */
  readonly limitFile: string
  /** [command, args] that run `bin args…` inside the cgroup. */
  wrap(bin: string, args: readonly string[]): [string, string[]]
  /** Processes the kernel's OOM killer killed in this cgroup. */
  oomKills(): number
  /** Waits (up to 5 s) until no process is left in the cgroup, then deletes it. */
  remove(): Promise<void>
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

let serial = 0

export async function createMemoryCgroup(limitBytes: number): Promise<MemoryCgroup> {
  const name = `deepflow-relay-test-${process.pid}-${++serial}`
  const problems: string[] = []
  for (const { version, dir: parent } of await ownCgroupDirs((path) => Promise.resolve(read(path)))) {
    const dir = join(parent, name)
    try {
      mkdirSync(dir)
    } catch (err) {
      problems.push(`cgroup v${version}: cannot create ${dir}: ${err instanceof Error ? err.message : String(err)}`)
      continue
    }
    const limitFile = join(dir, version === 2 ? 'memory.max' : 'memory.limit_in_bytes')
    try {
      writeFileSync(limitFile, String(limitBytes))
    } catch (err) {
      rmdirSync(dir)
      problems.push(`cgroup v${version}: cannot set ${limitFile}: ${err instanceof Error ? err.message : String(err)}`)
      continue
    }
    const procs = join(dir, 'cgroup.procs')
    return {
      dir,
      version,
      limitFile,
      wrap: (bin, args) => ['/bin/sh', ['-c', `echo $$ > '${procs}' && exec "$0" "$@"`, bin, ...args]],
      oomKills() {
        const text = read(join(dir, version === 2 ? 'memory.events' : 'memory.oom_control')) ?? ''
        return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0)
      },
      async remove() {
        // rmdir(2) itself: Deno's rmdirSync answers EBUSY for a cgroup directory even when it is
        // empty. A process that exited may stay in the cgroup a moment while it is reaped (EBUSY).
        for (let i = 0;; i++) {
          const r = spawnSync('rmdir', [dir], { encoding: 'utf8' })
          if (r.status === 0) return
          if (!r.stderr.includes('busy') || i >= 500) throw new Error(`cannot remove the test cgroup ${dir}: ${r.stderr.trim()}`)
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      },
    }
  }
  throw new Error(
    `no memory cgroup could be made for the test (run as root on Linux): ${problems.join('; ') || 'no memory cgroup hierarchy is mounted'}`,
  )
}
