// The Deno runtime adapter: the only file that touches the `Deno` global (type-checked by
// `deno check`, not by tsc with bun-types).
import type { HttpFetch, TlsOptions } from './http-port.ts'
import { anonymousResidentBytes } from './proc-status.ts'
import type { Runtime } from './types.ts'

const encoder = new TextEncoder()

async function writeAll(file: { write(p: Uint8Array): Promise<number> }, data: string | Uint8Array): Promise<void> {
  let bytes = typeof data === 'string' ? encoder.encode(data) : data
  while (bytes.length > 0) bytes = bytes.subarray(await file.write(bytes))
}

const clients = new Map<string, Deno.HttpClient>()

/**
 * fetch with TLS options through Deno.createHttpClient (one client per CA). Deno has no per-client
 * switch to skip certificate verification: `tls.insecure-skip-verify` fails the request, saying so.
 */
export const denoHttpFetch: HttpFetch = (url, init, tls: TlsOptions | null) => {
  if (tls === null || (tls.ca === null && !tls.insecureSkipVerify)) return fetch(url, init)
  if (tls.insecureSkipVerify) {
    return Promise.reject(new Error('tls.insecure-skip-verify is not available under Deno (use tls.ca-file, or the Bun binary)'))
  }
  let client = clients.get(tls.ca!)
  if (client === undefined) {
    client = Deno.createHttpClient({ caCerts: [tls.ca!] })
    clients.set(tls.ca!, client)
  }
  return fetch(url, { ...init, client } as RequestInit)
}

export function createDenoRuntime(): Runtime {
  return {
    name: `deno ${Deno.version.deno}`,
    args: Deno.args,
    env: (name) => Deno.env.get(name),
    serve({ host, port, fetch, tls }) {
      // Deno.serve has no idle-connection timeout setting: relay.client-timeout applies under Bun.
      const server = Deno.serve({
        hostname: host,
        port,
        onListen: () => {},
        ...(tls === undefined ? {} : { cert: tls.cert, key: tls.key }),
      }, fetch)
      const addr = server.addr as Deno.NetAddr
      const shown = addr.hostname.includes(':') ? `[${addr.hostname}]` : addr.hostname
      return {
        url: `${tls === undefined ? 'http' : 'https'}://${shown}:${addr.port}/`,
        stop: () => server.shutdown(),
      }
    },
    readTextFile: (path) => Deno.readTextFile(path),
    async writeTextFileAtomic(path, text) {
      const tmp = `${path}.tmp-${Deno.pid}`
      await Deno.writeTextFile(tmp, text)
      await Deno.rename(tmp, path)
    },
    async fileMtime(path) {
      try {
        return (await Deno.stat(path)).mtime?.getTime()
      } catch {
        return undefined
      }
    },
    residentBytes() {
      try {
        return anonymousResidentBytes(Deno.readTextFileSync('/proc/self/status')) ?? Deno.memoryUsage().rss
      } catch {
        return Deno.memoryUsage().rss
      }
    },
    residentSetBytes: () => Deno.memoryUsage().rss,
    collectGarbage() {
      ;(globalThis as { gc?: () => void }).gc?.()
    },
    cpuCount: navigator.hardwareConcurrency ?? 1,
    uptimeMs: () => performance.now(),
    async readSystemFile(path) {
      try {
        return await Deno.readTextFile(path)
      } catch {
        return undefined
      }
    },
    readZoneFile(zone) {
      try {
        return Deno.readFileSync(`/usr/share/zoneinfo/${zone}`)
      } catch {
        return undefined
      }
    },
    httpFetch: denoHttpFetch,
    writeStdout: (text) => writeAll(Deno.stdout, text),
    writeStderr: (text) => {
      Deno.stderr.writeSync(encoder.encode(text))
    },
    onSignal(signal, handler) {
      Deno.addSignalListener(signal, handler)
    },
    onWarning() {
      // Deno prints no runtime warnings on stderr that would break the JSON log lines.
    },
    exit: (code) => Deno.exit(code),
  }
}
