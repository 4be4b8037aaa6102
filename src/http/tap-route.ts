// GET /v1/tap?exporter=NAME[&data-source=DS][&limit=N]: streams, as NDJSON, what the exporter is
// about to send — the records admitted to its queues, after filters, export-fields and translation —
// so an operator can check a filter change with curl:
//
//   curl -sN 'localhost:20480/v1/tap?exporter=stdout-0&limit=5'
//
// One line per record for kafka/stdout exporters: the JSON line itself (the exact Kafka message value
// or stdout line). One line per series for prometheus exporters, decoded from the exact bytes sent:
//   {"__name__":"byte_tx","labels":{"datasource":"flow_metrics.network.1m","ip4":"10.1.2.3"},"value":15320,"timestamp":1715133600000}
//
// Sampling (header X-Tap-Sampling says it too): every record while at most 1000 lines per second
// come for this tap; above, 1 record in k with k = ceil(lines per second / 1000), and at most 1000
// lines in any second (pipeline/tap-hub.ts). The tap never slows the exporter: each subscriber has a
// bounded buffer, and a reader that lets it fill is cut off — the stream ends with the buffered
// lines and a final line {"tap":"closed","reason":"slow_reader",…}. The same final line (reason
// "exporter_stopped") ends the stream when the exporter stops (reload, shutdown). limit=N ends the
// stream after exactly N lines, with no final line.
//
// Errors: 400 for a missing exporter, a bad limit (1…1000000000) or a data source the exporter does
// not take (listing those it takes); 404 for an unknown exporter (listing the names); 429 when the
// exporter already has TAP_MAX_SUBSCRIBERS taps.
import type { Context } from 'hono'
import type { Sized } from '../pipeline/send-result.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import { loadPrompb } from '../wire/remote-write/prompb-loader.ts'
import { TAP_MAX_SUBSCRIBERS, TAP_SAMPLING } from '../pipeline/tap-hub.ts'

export interface TapDeps {
  /** The current exporters (they change on reload). */
  readonly exporters: () => readonly Exporter<Sized>[]
  /** Per-subscriber buffer bounds (defaults: pipeline/tap-hub.ts); tests make them small. */
  readonly bufferLines?: number
  readonly bufferBytes?: number
  readonly maxSubscribers?: number
}

const MAX_LIMIT = 1_000_000_000

export function createTapHandler(deps: TapDeps) {
  const encoder = new TextEncoder()
  return async function tap(c: Context): Promise<Response> {
    // A prometheus exporter's tap shows its series decoded: protobufjs is loaded for that (once),
    // not at start (start-up time and idle memory of a relay nobody taps).
    if (deps.exporters().some((e) => e.config.protocol === 'prometheus')) await loadPrompb()
    const exporters = deps.exporters()
    const names = exporters.map((e) => e.config.name)
    const name = c.req.query('exporter')
    if (name === undefined || name === '') {
      return c.json({ error: 'exporter is required: GET /v1/tap?exporter=NAME[&data-source=DS][&limit=N]', exporters: names }, 400)
    }
    const exporter = exporters.find((e) => e.config.name === name)
    if (exporter === undefined) return c.json({ error: `unknown exporter ${JSON.stringify(name)}`, exporters: names }, 404)

    const ds = c.req.query('data-source')
    if (ds !== undefined && !exporter.wants(ds)) {
      return c.json({
        error: `exporter ${JSON.stringify(name)} does not take data source ${JSON.stringify(ds)}`,
        data_sources: exporter.config.dataSources,
      }, 400)
    }
    const limitText = c.req.query('limit')
    let limit: number | null = null
    if (limitText !== undefined) {
      limit = /^[0-9]{1,10}$/.test(limitText) ? Number(limitText) : NaN
      if (!(limit >= 1 && limit <= MAX_LIMIT)) {
        return c.json({ error: `limit: expected an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitText)}` }, 400)
      }
    }
    const headers = {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Tap-Exporter': name,
      'X-Tap-Sampling': TAP_SAMPLING,
    }
    if (c.req.method === 'HEAD') return c.body(null, 200, headers)
    if (exporter.tap.subscribers() >= (deps.maxSubscribers ?? TAP_MAX_SUBSCRIBERS)) {
      return c.json(
        { error: `exporter ${JSON.stringify(name)} already has ${exporter.tap.subscribers()} tap readers; try again later` },
        429,
      )
    }

    const sub = exporter.tap.subscribe({
      dataSource: ds ?? null,
      limit,
      ...(deps.bufferLines === undefined ? {} : { bufferLines: deps.bufferLines }),
      ...(deps.bufferBytes === undefined ? {} : { bufferBytes: deps.bufferBytes }),
    })
    const signal = c.req.raw.signal
    const onAbort = () => sub.cancel()
    signal.addEventListener('abort', onAbort, { once: true })
    const stream = new ReadableStream<Uint8Array>({
      // Pulled only when the reader wants more (highWaterMark 0): lines wait in the subscriber's
      // bounded buffer, never in the stream.
      async pull(controller) {
        for (;;) {
          const lines = sub.take()
          if (lines.length > 0) {
            controller.enqueue(encoder.encode(`${lines.join('\n')}\n`))
            if (sub.finished) {
              signal.removeEventListener('abort', onAbort)
              controller.close()
            }
            return
          }
          if (sub.finished) {
            signal.removeEventListener('abort', onAbort)
            controller.close()
            return
          }
          await sub.wait()
        }
      },
      cancel() {
        signal.removeEventListener('abort', onAbort)
        sub.cancel()
      },
    }, { highWaterMark: 0 })
    return c.body(stream, 200, headers)
  }
}
