// A Runtime for main() that reads the real files, with relative paths resolved against `cwd` (as
// the relay resolves them against its working directory), plus in-memory `files` that win.
// stdout and stderr are captured; serve() and the network are not available (only `check` runs).
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import type { Runtime } from '../../src/runtime/types.ts'

export interface FileRuntime extends Runtime {
  readonly stdout: string[]
  readonly stderr: string[]
  /** Every path main() asked to read, as it asked. */
  readonly reads: string[]
}

export function createFileRuntime(
  opts: { args: string[]; cwd: string; env?: Record<string, string>; files?: Record<string, string> },
): FileRuntime {
  const stdout: string[] = []
  const stderr: string[] = []
  const reads: string[] = []
  const files = opts.files ?? {}
  const real = (path: string) => (isAbsolute(path) ? path : resolve(opts.cwd, path))
  return {
    name: 'recipes',
    args: opts.args,
    stdout,
    stderr,
    reads,
    env: (name) => opts.env?.[name],
    serve() {
      throw new Error('the recipes runtime does not serve')
    },
    async readTextFile(path) {
      reads.push(path)
      return files[path] ?? (await readFile(real(path), 'utf8'))
    },
    writeTextFileAtomic: () => Promise.reject(new Error('the recipes runtime writes no files')),
    async fileMtime(path) {
      if (files[path] !== undefined) return 1
      try {
        return (await stat(real(path))).mtimeMs
      } catch {
        return undefined
      }
    },
    readZoneFile: () => undefined,
    httpFetch: () => Promise.reject(new Error('the recipes runtime has no network')),
    writeStdout(text) {
      stdout.push(text)
      return Promise.resolve()
    },
    writeStderr(text) {
      stderr.push(text)
    },
    onSignal() {},
    onWarning() {},
    exit(code) {
      throw new Error(`exit(${code}) called`)
    },
  }
}
