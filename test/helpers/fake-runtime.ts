// An in-memory Runtime for main(): arguments, environment and files from the test, stdout and
// stderr captured; serve() is not available (tests of the listener run the real binary).
import type { Runtime } from '../../src/runtime/types.ts'

export interface FakeRuntime extends Runtime {
  readonly stdout: string[]
  readonly stderr: string[]
}

export function createFakeRuntime(opts: { args: string[]; env?: Record<string, string>; files?: Record<string, string> }): FakeRuntime {
  const stdout: string[] = []
  const stderr: string[] = []
  const files = opts.files ?? {}
  return {
    name: 'fake',
    args: opts.args,
    stdout,
    stderr,
    env: (name) => opts.env?.[name],
    serve() {
      throw new Error('the fake runtime does not serve')
    },
    readTextFile(path) {
      const text = files[path]
      return text === undefined ? Promise.reject(new Error(`ENOENT: no such file or directory, open '${path}'`)) : Promise.resolve(text)
    },
    writeTextFileAtomic(path, text) {
      files[path] = text
      return Promise.resolve()
    },
    fileMtime: (path) => Promise.resolve(files[path] === undefined ? undefined : 1),
    readZoneFile: () => undefined,
    readSystemFile: (path) => Promise.resolve(files[path]),
    residentBytes: () => 0,
    residentSetBytes: () => 0,
    collectGarbage() {},
    cpuCount: 2,
    uptimeMs: () => 0,
    httpFetch: () => Promise.reject(new Error('the fake runtime has no network')),
    writeStdout(data) {
      stdout.push(typeof data === 'string' ? data : new TextDecoder().decode(data))
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
