// An exporter with a durable buffer, in process: a stdout exporter whose sink delivers only while
// open, on a given buffer directory (test/pipeline/durable-exporter.test.ts, test/e2e/durable-disk-faults.test.ts).
import type { ExporterConfig } from '../../src/config/types.ts'
import { createTimeFormatter } from '../../src/encode/time-str.ts'
import { buildExporter } from '../../src/exporters/build-exporter.ts'
import type { JsonItem } from '../../src/exporters/json-plan.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics, type RelayMetrics } from '../../src/observe/relay-metrics.ts'
import type { Sink } from '../../src/pipeline/send-result.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { dataSource } from '../../src/deepflow/schema.ts'
import type { LogFiles } from '../../src/runtime/log-files.ts'
import { EMPTY_DICTIONARY } from '../../src/translate/dictionary.ts'
import { exporterFromYaml } from './encode.ts'
import { createRealClock } from './manual-clock.ts'

export const DS = 'flow_metrics.network.1m'
const normalize = compileNormalizer(dataSource(DS)!)
export const records = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const r = normalize({ time: 1715133600 + from + i, byte_tx: from + i })
    if (!r.ok) throw new Error(r.error)
    return r.record
  })

/** A stdout-like sink that delivers only while open; the lines it delivered. */
export function gateSink() {
  const delivered: string[] = []
  let open = true
  const sink: Sink<JsonItem> = {
    send(batch) {
      if (!open) return Promise.resolve({ status: 'retryable', error: 'closed', retryAfterMs: 20 } as const)
      for (const item of batch) delivered.push(new TextDecoder().decode(item.line))
      return Promise.resolve({ status: 'ok' } as const)
    },
    close: () => Promise.resolve(),
  }
  return { sink, delivered, setOpen: (o: boolean) => (open = o) }
}

export function diskExporter(dir: string, extra = '', buffer: Partial<{ maxBytes: number; syncInterval: number }> = {}): ExporterConfig {
  const e = exporterFromYaml(`data-sources: [${DS}]\nexport-fields: [byte_tx]\nqueue-count: 1\nflush-timeout: 0.01\n${extra}`)
  return { ...e, buffer: { type: 'disk', path: dir, maxBytes: buffer.maxBytes ?? 1 << 30, syncInterval: buffer.syncInterval ?? 0.05 } }
}

export function build(
  e: ExporterConfig,
  sink: Sink<JsonItem>,
  opts: { metrics?: RelayMetrics; logFiles?: LogFiles; overflow?: 'reject' | 'drop-oldest' } = {},
) {
  const metrics = opts.metrics ?? createRelayMetrics()
  const clock = createRealClock()
  const { exporter } = buildExporter(e, {
    dictionary: { current: EMPTY_DICTIONARY },
    formatTime: createTimeFormatter('UTC'),
    stdout: sink,
    clock,
    log: createLogger({ write: () => {}, now: clock.now, level: 'error' }),
    metrics,
    fetch: undefined,
    retry: { initialMs: 5, maxMs: 20 },
    overflow: opts.overflow ?? 'reject',
    ...(opts.logFiles === undefined ? {} : { logFiles: opts.logFiles }),
  })
  return { exporter, metrics }
}

export const byteTx = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { byte_tx: number }).byte_tx)
