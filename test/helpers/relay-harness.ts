// A relay built from YAML with a manual clock and a captured standard output, driven through
// app.request() (no sockets).
import { loadExportersFor } from '../../src/exporters/otlp/lazy.ts'
import { parseConfig } from '../../src/config-file/load.ts'
import { createLogger } from '../../src/observe/log.ts'
import type { MemoryDeps } from '../../src/relay/ingest-limits.ts'
import { createRelay, type Relay } from '../../src/relay/relay.ts'
import { runtimeHttpFetch } from './runtime-fetch.ts'
import { createManualClock, type ManualClock } from './manual-clock.ts'

export interface Harness {
  readonly relay: Relay
  readonly clock: ManualClock
  /** Every chunk written to standard output. */
  readonly stdout: string[]
  /** Log lines written to standard error, parsed. */
  readonly logs: Record<string, unknown>[]
  /** Replaces the stdout writer (to inject failures or stalls). */
  setWriter(write: (text: string) => Promise<void>): void
  post(ds: string, body: BodyInit, headers?: Record<string, string>): Promise<Response>
  lines(): string[]
  metric(line: string): number | undefined
}

export async function startHarness(
  yaml: string,
  opts: { files?: Record<string, string>; clock?: ManualClock; memory?: MemoryDeps } = {},
): Promise<Harness> {
  const config = parseConfig(yaml, 'test.yaml')
  const clock = opts.clock ?? createManualClock()
  const stdout: string[] = []
  const logs: Record<string, unknown>[] = []
  let writer = (text: string): Promise<void> => {
    stdout.push(text)
    return Promise.resolve()
  }
  const files = opts.files ?? {}
  await loadExportersFor(config.exporters)
  const relay = createRelay(config, {
    clock,
    log: createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: clock.now, level: 'debug' }),
    writeStdout: (data) => writer(typeof data === 'string' ? data : new TextDecoder().decode(data)),
    readTextFile: (p) => {
      const t = files[p]
      return t === undefined ? Promise.reject(new Error(`ENOENT ${p}`)) : Promise.resolve(t)
    },
    fileMtime: (p) => Promise.resolve(files[p] === undefined ? undefined : files[p]!.length),
    ...(opts.memory === undefined ? {} : { memory: opts.memory }),
    fetch: runtimeHttpFetch,
    writeTextFileAtomic: (p, text) => {
      files[p] = text
      return Promise.resolve()
    },
  })
  await relay.start()
  return {
    relay,
    clock,
    stdout,
    logs,
    setWriter(w) {
      writer = w
    },
    post: (ds, body, headers = {}) => Promise.resolve(relay.app.request(`/v1/records/${ds}`, { method: 'POST', body, headers })),
    lines: () => stdout.join('').split('\n').filter((l) => l !== ''),
    metric(line) {
      const text = relay.metrics.registry.render()
      const hit = text.split('\n').find((l) => l.startsWith(`${line} `))
      return hit === undefined ? undefined : Number(hit.slice(line.length + 1))
    },
  }
}

export const STDOUT_EXPORTER = (extra = '') =>
  `exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_metrics.network.1m, flow_log.l7_flow_log]
    export-fields: [$tag, $metrics]
${extra.split('\n').filter((l) => l.trim() !== '').map((l) => `    ${l}`).join('\n')}
`
