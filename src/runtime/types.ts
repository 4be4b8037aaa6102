// What the relay needs from its runtime. One adapter per runtime implements it (runtime/bun.ts;
// runtime/deno.ts with the Deno issue); no other file touches `Bun` or `Deno`.
import type { ZoneFileReader } from '../time/zone.ts'
import type { ReadSystemFile } from './cgroup-memory.ts'
import type { HttpFetch } from './http-port.ts'

export interface Listener {
  readonly url: string
  stop(): Promise<void>
}

export interface ServeOptions {
  readonly host: string
  readonly port: number
  /** PEM certificate and key: serve https. */
  readonly tls?: { readonly cert: string; readonly key: string }
  /** Seconds a connection may stay idle (a slow or silent client) before it is closed. */
  readonly idleTimeoutSeconds?: number
  readonly fetch: (request: Request) => Response | Promise<Response>
}

export interface Runtime {
  readonly name: string
  readonly args: readonly string[]
  env(name: string): string | undefined
  /** Throws when the address cannot be bound. */
  serve(options: ServeOptions): Listener
  readTextFile(path: string): Promise<string>
  /** Writes a file so that a crash leaves the old or the new content, never a mix (temp + rename). */
  writeTextFileAtomic(path: string, text: string): Promise<void>
  fileMtime(path: string): Promise<number | undefined>
  readZoneFile: ZoneFileReader
  /** A small system file (/proc, /sys) as text, undefined when it cannot be read: the cgroup's memory limit. */
  readSystemFile: ReadSystemFile
  /** The process's anonymous resident memory in bytes (runtime/proc-status.ts; the whole resident set where /proc is absent). */
  residentBytes(): number
  /** The whole resident set in bytes (file pages too: the mapped executable). */
  residentSetBytes(): number
  /**
   * The engine's heap in bytes (reading it walks the heap: ~10 µs; callers throttle): what the last
   * collection left plus the buffers allocated since (objects and strings allocated since do not
   * show in it: collectYoung covers those). Bun only (bun:jsc heapSize): the memory limiter paces
   * collections on it (ingest/memory-limiter.ts). V8 (Deno) weighs external memory in its own
   * collection triggers, so Deno leaves it out.
   */
  readonly heapBytes?: () => number
  /**
   * A young-generation collection (Bun: bun:jsc edenGC), cheap beside a full one: the objects and
   * strings a parse left behind. Absent where the engine collects its young generation often enough
   * by itself (V8's scavenger, Deno).
   */
  readonly collectYoung?: () => void
  /**
   * A full garbage collection where the runtime offers one (Bun; Deno only with --v8-flags=--expose-gc).
   * `returnMemory`: also give the freed pages back to the system at once, so the resident set falls
   * now (costlier: they are faulted in again as memory is reused); else the allocator keeps and reuses them.
   */
  collectGarbage(returnMemory: boolean): void
  /** CPU cores this process may use. */
  readonly cpuCount: number
  /** Milliseconds since the process started (performance.now(): its time origin is the process start), for start-up markers. */
  uptimeMs(): number
  /** fetch with TLS options (CA, skip-verify) for https endpoints. */
  httpFetch: HttpFetch
  /** Resolves once the text or bytes have been handed to standard output (backpressure). */
  writeStdout(data: string | Uint8Array): Promise<void>
  writeStderr(text: string): void
  onSignal(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', handler: () => void): void
  /** Runtime warnings (deprecations, kafkajs's negative timeouts): handled, so stderr stays JSON lines. */
  onWarning(handler: (warning: Error) => void): void
  /** The relay is up and serving: the runtime may drop settings meant for start-up only. */
  readonly started?: () => void
  exit(code: number): never
}
