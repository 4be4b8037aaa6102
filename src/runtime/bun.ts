// The Bun runtime adapter: the only file that touches the `Bun` global.
import { edenGC as jscEdenGC, fullGC as jscFullGC, heapSize as jscHeapSize } from 'bun:jsc'
import { readFileSync } from 'node:fs'
import { rename, stat, writeFile } from 'node:fs/promises'
import { bunHttpFetch } from './bun-http-fetch.ts'
import { anonymousResidentBytes } from './proc-status.ts'
import type { Runtime } from './types.ts'

function writeTo(stream: NodeJS.WriteStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => (err ? reject(err) : resolve()))
  })
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
      await writeFile(tmp, text)
      await rename(tmp, path)
    },
    async fileMtime(path) {
      try {
        return (await stat(path)).mtimeMs
      } catch {
        return undefined
      }
    },
    residentBytes() {
      try {
        return anonymousResidentBytes(readFileSync('/proc/self/status', 'utf8')) ?? process.memoryUsage.rss()
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
    readSystemFile(path) {
      try {
        return readFileSync(path, 'utf8')
      } catch {
        return undefined
      }
    },
    readZoneFile(zone) {
      try {
        return readFileSync(`/usr/share/zoneinfo/${zone}`)
      } catch {
        return undefined
      }
    },
    httpFetch: bunHttpFetch,
    writeStdout: (text) => writeTo(process.stdout, text),
    writeStderr: (text) => {
      process.stderr.write(text)
    },
    onSignal(signal, handler) {
      process.on(signal, handler)
    },
    onWarning(handler) {
      process.on('warning', handler)
    },
    exit: (code) => process.exit(code),
  }
}
