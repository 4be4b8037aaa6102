// A Runtime for main() that reads the real files, with relative paths resolved against `cwd` (as
// the relay resolves them against its working directory), plus in-memory `files` that win. The
// fake runtime with real file reads: stdout and stderr are captured; serve(), writes and the
// network are not available (only `check` runs).
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { createFakeRuntime, type FakeRuntime } from '../helpers/fake-runtime.ts'

export interface FileRuntime extends FakeRuntime {
  /** Every path main() asked to read, as it asked. */
  readonly reads: string[]
}

export function createFileRuntime(
  opts: { args: string[]; cwd: string; env?: Record<string, string>; files?: Record<string, string> },
): FileRuntime {
  const reads: string[] = []
  const files = opts.files ?? {}
  const real = (path: string) => (isAbsolute(path) ? path : resolve(opts.cwd, path))
  return {
    ...createFakeRuntime(opts),
    name: 'recipes',
    reads,
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
  }
}
