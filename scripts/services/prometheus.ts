// Starts Debian's Prometheus as a remote-write receiver on a free loopback port with a temporary
// TSDB: `bun scripts/services/prometheus.ts` runs one until Ctrl-C (for the README demo); tests
// import startPrometheus().
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, type Service, startService } from './process.ts'

export const PROMETHEUS_BIN = '/usr/bin/prometheus'

export interface Prometheus extends Service {
  readonly url: string
  /** The remote-write receiver URL. */
  readonly writeUrl: string
  /** Instant query at `time` (seconds): the result vector. */
  query(promql: string, time: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>
}

export async function startPrometheus(port?: number): Promise<Prometheus> {
  const p = port ?? (await freePort())
  const url = `http://127.0.0.1:${p}`
  const service = await startService('prometheus', PROMETHEUS_BIN, (dir) => {
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n')
    return [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${p}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ]
  }, `${url}/-/ready`)
  return {
    ...service,
    url,
    writeUrl: `${url}/api/v1/write`,
    async query(promql, time) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql, time: String(time) })}`)
      const json = (await res.json()) as {
        status: string
        error?: string
        data: { result: { metric: Record<string, string>; value: [number, string] }[] }
      }
      if (json.status !== 'success') throw new Error(`prometheus query ${promql}: ${json.error}`)
      return json.data.result
    },
  }
}

if (import.meta.main) {
  const port = Number(process.argv[2] ?? 9090)
  const prom = await startPrometheus(port)
  console.error(`prometheus ready: ${prom.url} (remote write: ${prom.writeUrl}); Ctrl-C stops it`)
  process.on('SIGINT', () => void prom.stop().then(() => process.exit(0)))
}
