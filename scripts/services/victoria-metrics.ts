// Starts Debian's VictoriaMetrics single-node on a free loopback port with a temporary data dir;
// tests import startVictoriaMetrics(), the benchmark's VictoriaMetrics leg passes extra flags.
import { join } from 'node:path'
import { freePort, type Service, startService } from './process.ts'

export const VICTORIA_METRICS_BIN = '/usr/bin/victoria-metrics'

export interface ExportedSeries {
  metric: Record<string, string>
  values: number[]
  timestamps: number[]
}

export interface VictoriaMetrics extends Service {
  readonly url: string
  readonly writeUrl: string
  /** Raw samples of the series matching `selector` (flushes first, so they are visible). */
  exportSeries(selector: string): Promise<ExportedSeries[]>
}

/** `extraArgs` follow the defaults (a repeated flag: the last one counts). */
export async function startVictoriaMetrics(extraArgs: readonly string[] = []): Promise<VictoriaMetrics> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const service = await startService('victoria-metrics', VICTORIA_METRICS_BIN, (dir) => [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=100y',
    '-search.latencyOffset=0s',
    '-loggerLevel=WARN',
    ...extraArgs,
  ], `${url}/health`)
  return {
    ...service,
    url,
    writeUrl: `${url}/api/v1/write`,
    async exportSeries(selector) {
      await fetch(`${url}/internal/force_flush`)
      const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': selector })}`)
      const text = await res.text()
      if (!res.ok) throw new Error(`victoria-metrics export ${selector}: ${res.status} ${text}`)
      return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ExportedSeries)
    },
  }
}
