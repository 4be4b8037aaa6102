// Wires a validated Config into a running relay: the universal-tag dictionary, one exporter per
// config entry (plans, queues, sink), and the HTTP app. No runtime globals: everything that
// touches the outside world comes in through RelayDeps.
import type { Hono } from 'hono'
import type { Config, ExporterConfig } from './config/types.ts'
import { createTimeFormatter, type ZoneFileReader } from './encode/time-str.ts'
import { compileJsonPlans, type JsonItem } from './exporters/json-plan.ts'
import { createStdoutSink, type WriteStdout } from './exporters/stdout/stdout-sink.ts'
import { compileSeriesPlans, type SeriesItem } from './exporters/remote-write/rw-plan.ts'
import { createRemoteWriteSinks, type HttpFetch, type RemoteWriteSinks, type TlsOptions } from './exporters/remote-write/sender.ts'
import { VERSION } from './version.ts'
import { createKafkaSink } from './exporters/kafka/kafka-sink.ts'
import { createKafkaTransport, type KafkaTransport } from './exporters/kafka/transport.ts'
import { shuffled } from './util/shuffle.ts'
import { createApp } from './http/app.ts'
import type { Logger } from './observe/log.ts'
import { createRelayMetrics, type RelayMetrics } from './observe/relay-metrics.ts'
import type { Sized } from './pipeline/batch-queue.ts'
import { createExporter, type Exporter } from './pipeline/exporter.ts'
import { DEFAULT_RETRY, type RetryPolicy } from './pipeline/worker.ts'
import { EMPTY_DICTIONARY, parseDictionary, type DictionaryHolder } from './translate/dictionary.ts'
import type { Clock } from './util/clock.ts'

export interface RelayDeps {
  readonly clock: Clock
  readonly log: Logger
  readonly writeStdout: WriteStdout
  readonly readTextFile: (path: string) => Promise<string>
  /** Modification time of a file in ms, undefined when it cannot be read. */
  readonly fileMtime: (path: string) => Promise<number | undefined>
  readonly readZoneFile?: ZoneFileReader
  /** fetch with TLS options, for remote write (the runtime adapter's). */
  readonly fetch?: HttpFetch
  /** Replaces the retry timing (initial and maximum backoff) in tests; max duration comes from the config. */
  readonly retry?: Omit<RetryPolicy, 'maxDurationMs'>
  /** How often the universal-tags file is checked for changes. */
  readonly dictionaryPollMs?: number
}

export interface Relay {
  readonly app: Hono
  readonly metrics: RelayMetrics
  readonly exporters: readonly Exporter<Sized>[]
  /** Loads the dictionary; throws StartError when it cannot. */
  start(): Promise<void>
  /** Stops admitting, flushes queues within relay.shutdown-timeout, closes sinks. Idempotent. */
  stop(): Promise<void>
}

export class StartError extends Error {}

export async function loadDictionary(path: string, readTextFile: (p: string) => Promise<string>) {
  let text: string
  try {
    text = await readTextFile(path)
  } catch (err) {
    return { ok: false as const, error: `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}` }
  }
  const parsed = parseDictionary(text)
  return parsed.ok ? parsed : { ok: false as const, error: `${path}: ${parsed.error}` }
}

export function createRelay(config: Config, deps: RelayDeps): Relay {
  const { clock, log } = deps
  const metrics = createRelayMetrics()
  const dictionary: DictionaryHolder = { current: EMPTY_DICTIONARY }
  const formatTime = createTimeFormatter(config.relay.timeZone, deps.readZoneFile)
  const remoteWrite = new Map<string, RemoteWriteSinks>()
  /** TLS settings of exporters that have them, with the CA file read at start(). */
  const tlsOf = new Map<string, { current: TlsOptions | null }>()
  const stdout = createStdoutSink(deps.writeStdout)
  const exporters = config.exporters.map((e) => buildExporter(e))
  let started = false
  let stopping: Promise<void> | undefined
  const pollAbort = new AbortController()

  function buildExporter(e: ExporterConfig): Exporter<Sized> {
    const retry = { ...DEFAULT_RETRY, ...deps.retry, maxDurationMs: e.maxRetryDuration * 1000 }
    if (e.protocol === 'stdout') {
      return createExporter<JsonItem>({
        config: e, plans: compileJsonPlans(e, { dictionary, formatTime }), sinkFor: () => stdout, close: async () => {},
        clock, log, metrics, retry,
      })
    }
    const tls = { current: null as TlsOptions | null }
    tlsOf.set(e.name, tls)
    if (e.protocol === 'kafka') {
      const sasl = e.sasl?.enabled === true ? e.sasl : null
      const useTls = e.tls !== null || sasl?.securityProtocol === 'SASL_SSL'
      let transport: KafkaTransport | undefined
      const brokers = shuffled(e.endpoints, clock.random)
      const sink = createKafkaSink({
        exporter: e,
        log,
        metrics: { produceRequests: metrics.kafkaRequests, bytesSent: metrics.kafkaBytes, errors: metrics.kafkaErrors },
        transport: () => (transport ??= createKafkaTransport({
          clientId: `deepflow-relay-${e.name}`,
          brokers,
          sasl: sasl === null ? null : { mechanism: sasl.saslMechanism as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: sasl.username, password: sasl.password },
          ssl: useTls ? (tls.current ?? { ca: null, insecureSkipVerify: false }) : null,
          requestTimeoutMs: e.requestTimeout * 1000,
          compression: e.compression,
          log,
        })),
      })
      return createExporter<JsonItem>({
        config: e, plans: compileJsonPlans(e, { dictionary, formatTime }), sinkFor: () => sink, close: () => sink.close(),
        maxItemBytes: e.maxMessageBytes, clock, log, metrics, retry,
      })
    }
    if (e.protocol === 'prometheus') {
      const fetch = deps.fetch
      if (fetch === undefined) throw new StartError(`exporter "${e.name}": no HTTP client in this runtime`)
      const sinks = createRemoteWriteSinks({
        exporter: e, version: VERSION, fetch, tls: () => tls.current, clock, log,
        metrics: { requests: metrics.rwRequests, failovers: metrics.failovers },
      })
      remoteWrite.set(e.name, sinks)
      metrics.seriesSent.touch(e.name)
      const plans = compileSeriesPlans(e, dictionary, (count, why) => {
        metrics.seriesDropped.inc([e.name, 'invalid_labels'], count)
        log.warnOncePerBurst(`${e.name}:invalid_labels`, 'series no receiver could accept dropped', { exporter: e.name, series: count, why })
      })
      return createExporter<SeriesItem>({
        config: e, plans, sinkFor: sinks.sinkFor, healthy: sinks.healthy, close: async () => {}, countsSeries: true,
        clock, log, metrics, retry,
      })
    }
    throw new StartError(`exporter "${e.name}": unknown protocol ${String(e.protocol)}`)
  }

  metrics.registry.gauge('deepflow_relay_queue_records', 'Records held by the exporter queues (waiting or in flight).', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.held().records] as const))
  metrics.registry.gauge('deepflow_relay_queue_bytes', 'Bytes held by the exporter queues (waiting or in flight).', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.held().bytes] as const))
  metrics.registry.gauge('deepflow_relay_queue_capacity_records', 'queue-size × queue-count of the exporter.', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.config.queueSize * e.config.queueCount] as const))
  metrics.registry.gauge('deepflow_relay_queue_capacity_bytes', 'queue-max-bytes of the exporter.', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.config.queueMaxBytes] as const))
  metrics.registry.gauge('deepflow_relay_endpoint_up', '1 unless the last request to the endpoint failed (1 before the first).', ['exporter', 'endpoint'],
    () => [...remoteWrite].flatMap(([name, sinks]) => sinks.endpoints.map((ep) => [[name, ep.label], ep.lastOk === false ? 0 : 1] as const)))
  metrics.registry.gauge('deepflow_relay_exporter_up', '1 unless the last send attempt of the exporter failed.', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.healthy() ? 1 : 0] as const))

  const app = createApp({
    exporters: () => exporters,
    metrics,
    log,
    maxBodyBytes: config.relay.maxBodyBytes,
    shuttingDown: () => stopping !== undefined,
    renderMetrics: () => metrics.registry.render(),
    notReadyReason: () => {
      if (!started) return 'starting'
      if (stopping !== undefined) return 'shutting down'
      const down = exporters.filter((e) => !e.healthy()).map((e) => e.config.name)
      return down.length === 0 ? null : `every endpoint failed its last attempt for exporter(s): ${down.join(', ')}`
    },
  })

  async function watchDictionary(path: string, since: number | undefined): Promise<void> {
    let mtime = since
    while (!pollAbort.signal.aborted) {
      await clock.sleep(deps.dictionaryPollMs ?? 5000, pollAbort.signal)
      if (pollAbort.signal.aborted) return
      const now = await deps.fileMtime(path)
      if (now === undefined || now === mtime) continue
      mtime = now
      const loaded = await loadDictionary(path, deps.readTextFile)
      if (loaded.ok) {
        dictionary.current = loaded.dictionary
        log.info('universal-tags dictionary reloaded', { file: path })
      } else {
        log.error('universal-tags dictionary not reloaded; keeping the previous one', { error: loaded.error })
      }
    }
  }

  return {
    app,
    metrics,
    exporters,
    async start() {
      for (const e of config.exporters) {
        const tls = tlsOf.get(e.name)
        if (tls === undefined || e.tls === null) continue
        let ca: string | null = null
        if (e.tls.caFile !== null) {
          try {
            ca = await deps.readTextFile(e.tls.caFile)
          } catch (err) {
            throw new StartError(`exporter "${e.name}": tls.ca-file: cannot read ${e.tls.caFile}: ${err instanceof Error ? err.message : String(err)}`)
          }
        }
        tls.current = { ca, insecureSkipVerify: e.tls.insecureSkipVerify }
      }
      const path = config.relay.universalTags
      if (path !== null) {
        const mtime = await deps.fileMtime(path)
        const loaded = await loadDictionary(path, deps.readTextFile)
        if (!loaded.ok) throw new StartError(`relay.universal-tags: ${loaded.error}`)
        dictionary.current = loaded.dictionary
        void watchDictionary(path, mtime)
      }
      started = true
    },
    stop() {
      stopping ??= (async () => {
        pollAbort.abort()
        const deadline = clock.now() + config.relay.shutdownTimeout * 1000
        await Promise.all(exporters.map((e) => e.stop(deadline)))
      })()
      return stopping
    },
  }
}
