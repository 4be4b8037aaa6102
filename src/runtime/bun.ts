// The Bun runtime adapter: the only file that touches the `Bun` global.
import { edenGC as jscEdenGC, fullGC as jscFullGC, heapSize as jscHeapSize } from 'bun:jsc'
import { bunHttpFetch } from './bun-http-fetch.ts'
import { anonymousResidentBytes } from './proc-status.ts'
import type { Runtime } from './types.ts'

// node:fs is loaded on the first synchronous read (the resident-memory probe, a time zone other
// than UTC), not at start: its module costs about 1.5 MB of resident memory. Everything else uses
// Bun's own file API.
let nodeFs: typeof import('node:fs') | undefined
const fs = (): typeof import('node:fs') => (nodeFs ??= require('node:fs') as typeof import('node:fs'))

const START_GARBAGE_AFTER_MS = 200

/** Bun.file's lastModified for a file that is not there (2^52 - 1). */
const NO_FILE_MTIME = 2 ** 52 - 1

// Standard output and error through Bun's own file sinks, not process.stdout/stderr: those load
// Node's stream machinery at first use (about 6 MB of resident memory and 15 ms of start-up).
// Neither sink holds the process open; the relay exits by itself.
type Sink = ReturnType<typeof Bun.stdout.writer>

let stdoutSink: Sink | undefined
let stderrSink: Sink | undefined

function sinkOf(file: typeof Bun.stdout, highWaterMark: number): Sink {
  const sink = file.writer({ highWaterMark })
  sink.unref()
  return sink
}

/** Resolves once `data` is written (or rejects with the write's error, EPIPE included). */
async function writeStdout(data: string | Uint8Array): Promise<void> {
  stdoutSink ??= sinkOf(Bun.stdout, 1 << 20)
  await stdoutSink.write(data)
  await stdoutSink.flush()
}

/** A log line; nowhere to report a failure to write one, so it is dropped. */
function writeStderr(text: string): void {
  stderrSink ??= sinkOf(Bun.stderr, 1 << 16)
  try {
    const wrote = stderrSink.write(text)
    const flushed = stderrSink.flush()
    if (typeof wrote === 'object') wrote.catch(() => {})
    if (typeof flushed === 'object') flushed.catch(() => {})
  } catch {
    // stderr closed
  }
}

export function createBunRuntime(): Runtime {
  return {
    name: `bun ${Bun.version}`,
    args: Bun.argv.slice(2),
    env: (name) => Bun.env[name],
    serve({ host, port, fetch, tls, idleTimeoutSeconds }) {
      // Bun caps idleTimeout at 255 s.
      const idleTimeout = Math.min(255, Math.max(1, Math.round(idleTimeoutSeconds ?? 30)))
      const server = Bun.serve({ hostname: host, port, fetch, idleTimeout, ...(tls === undefined ? {} : { tls }) })
      return {
        url: server.url.href,
        stop: () => server.stop(),
      }
    },
    readTextFile: (path) => Bun.file(path).text(),
    async writeTextFileAtomic(path, text) {
      const tmp = `${path}.tmp-${process.pid}`
      await Bun.write(tmp, text)
      fs().renameSync(tmp, path)
    },
    async fileMtime(path) {
      const file = Bun.file(path)
      if (!(await file.exists())) return undefined
      const mtime = file.lastModified
      return mtime >= NO_FILE_MTIME ? undefined : mtime
    },
    residentBytes() {
      try {
        return anonymousResidentBytes(fs().readFileSync('/proc/self/status', 'utf8')) ?? process.memoryUsage.rss()
      } catch {
        return process.memoryUsage.rss()
      }
    },
    residentSetBytes: () => process.memoryUsage.rss(),
    heapBytes: jscHeapSize,
    collectYoung: () => {
      jscEdenGC()
    },
    collectGarbage(returnMemory) {
      // Bun.gc(true) also scavenges the allocator's free pages; bun:jsc's fullGC leaves them for reuse.
      if (returnMemory) Bun.gc(true)
      else jscFullGC()
    },
    cpuCount: navigator.hardwareConcurrency ?? 1,
    uptimeMs: () => performance.now(),
    async readSystemFile(path) {
      try {
        return await Bun.file(path).text()
      } catch {
        return undefined
      }
    },
    readZoneFile(zone) {
      try {
        return fs().readFileSync(`/usr/share/zoneinfo/${zone}`)
      } catch {
        return undefined
      }
    },
    httpFetch: bunHttpFetch,
    writeStdout,
    writeStderr,
    onSignal(signal, handler) {
      process.on(signal, handler)
    },
    onWarning(handler) {
      process.on('warning', handler)
    },
    started() {
      // The binary starts with JavaScriptCore's tier-up thresholds scaled up (`--compile-jit-policy`
      // in package.json's build): run-once start-up code stays in the interpreter instead of
      // touching the optimising compilers (about 4 MB resident, 20 ms). The hot path is compiled as usual.
      Bun.unsafe.setJITPolicy(1)
      // What start-up left (the config's YAML tree, the dictionary's JSON, validation copies) is
      // collected and its pages given back a moment later, not in the way of the first requests.
      setTimeout(() => Bun.gc(true), START_GARBAGE_AFTER_MS).unref()
    },
    exit: (code) => process.exit(code),
  }
}
