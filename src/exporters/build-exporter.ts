// One exporter of the config, built for its protocol: the record plans (Kafka JSON lines,
// remote-write series or OTLP spans), the sink, and the queues around them. The exporter reports its
// endpoints: remote write and OTLP each endpoint's own state (user info masked); Kafka its brokers
// and stdout `stdout`, both with the exporter's health. Its TLS settings are filled later (relay/exporter-tls.ts).
import type { ExporterConfig, Overflow } from '../config/types.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import type { Sized } from '../pipeline/send-result.ts'
import { createExporter, type EndpointHealth, type Exporter } from '../pipeline/exporter.ts'
import type { EndpointState } from './remote-write/failover.ts'
import { DEFAULT_RETRY, type RetryPolicy } from '../pipeline/worker.ts'
import type { DictionaryHolder } from '../translate/dictionary.ts'
import type { Clock } from '../util/clock.ts'
import { shuffled } from '../util/shuffle.ts'
import { VERSION } from '../version.ts'
import { compileJsonPlans, type JsonItem } from './json-plan.ts'
import { createKafkaSink } from './kafka/kafka-sink.ts'
import type { KafkaTransport } from './kafka/transport.ts'
import { compileSeriesPlans, type SeriesItem } from './remote-write/rw-plan.ts'
import { otlpModule } from './otlp/lazy.ts'
import type { SpanItem } from './otlp/span-item.ts'
import { createRemoteWriteSinks } from './remote-write/sender.ts'
import type { HttpFetch, TlsOptions } from '../runtime/http-port.ts'
import type { Sink } from '../pipeline/send-result.ts'
import { type DurableBuffer, openDurableBuffer } from '../pipeline/durable-buffer.ts'
import type { ItemCodec } from '../pipeline/disk-queue.ts'
import { type LogFiles, nodeLogFiles } from '../runtime/log-files.ts'
import { jsonItemCodec, seriesItemCodec, spanItemCodec } from './item-codecs.ts'
import { join } from 'node:path'

export interface BuildContext {
  readonly dictionary: DictionaryHolder
  readonly formatTime: (us: number) => string
  readonly stdout: Sink<JsonItem>
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: RelayMetrics
  readonly fetch: HttpFetch | undefined
  readonly retry: Omit<RetryPolicy, 'maxDurationMs'> | undefined
  readonly overflow: Overflow
  /** Runs when a batch left a queue (relay: the memory limiter's pace). */
  readonly afterBatch?: () => void
  /** The files of durable buffers (tests wrap them to fail on demand); default node:fs. */
  readonly logFiles?: LogFiles
}

/** An exporter's durable buffer when its config asks for one (buffer: {type: disk}). */
function diskOf<T extends Sized>(e: ExporterConfig, ctx: BuildContext, codec: ItemCodec<T>): { disk?: DurableBuffer<T> } {
  if (e.buffer.type !== 'disk') return {}
  return {
    disk: openDurableBuffer<T>({
      exporter: e.name,
      dir: join(e.buffer.path, e.name),
      queueCount: e.queueCount,
      maxBytes: e.buffer.maxBytes,
      syncIntervalMs: e.buffer.syncInterval * 1000,
      files: ctx.logFiles ?? nodeLogFiles,
      codec,
      clock: ctx.clock,
      log: ctx.log,
      metrics: { corrupt: ctx.metrics.bufferCorrupt, replayed: ctx.metrics.replayed, errors: ctx.metrics.bufferErrors },
    }),
  }
}

export interface BuiltExporter {
  readonly exporter: Exporter<Sized>
  /** TLS settings, filled when the relay starts (the CA file is read then). */
  readonly tls: { current: TlsOptions | null }
}

/** Each endpoint's own state (remote write, OTLP), as the status page and endpoint_up show it. */
function endpointHealth(endpoints: readonly EndpointState[]): EndpointHealth[] {
  return endpoints.map((ep) => ({ endpoint: ep.label, up: ep.lastOk !== false, lastError: ep.lastError ?? null, ownState: true }))
}

export function buildExporter(e: ExporterConfig, ctx: BuildContext): BuiltExporter {
  const { dictionary, formatTime, clock, log, metrics } = ctx
  const retry = { ...DEFAULT_RETRY, ...ctx.retry, maxDurationMs: e.maxRetryDuration * 1000 }
  const tls = { current: null as TlsOptions | null }
  const common = {
    config: e,
    clock,
    log,
    metrics,
    retry,
    overflow: ctx.overflow,
    ...(ctx.afterBatch === undefined ? {} : { afterBatch: ctx.afterBatch }),
  }

  if (e.protocol === 'stdout') {
    const plans = compileJsonPlans(e, { dictionary, formatTime })
    return {
      tls,
      exporter: createExporter<JsonItem>({
        ...common,
        ...diskOf(e, ctx, jsonItemCodec),
        plans,
        sinkFor: () => ctx.stdout,
        endpoints: ['stdout'],
        close: async () => {},
      }),
    }
  }

  if (e.protocol === 'kafka') {
    const sasl = e.sasl?.enabled === true ? e.sasl : null
    const useTls = e.tls !== null || sasl?.securityProtocol === 'SASL_SSL'
    const brokers = shuffled(e.endpoints, clock.random)
    let transport: Promise<KafkaTransport> | undefined
    const sink = createKafkaSink({
      exporter: e,
      log,
      metrics: {
        produceRequests: metrics.kafkaRequests,
        bytesSent: metrics.kafkaBytes,
        errors: metrics.kafkaErrors,
        throttle: metrics.kafkaThrottle,
      },
      // kafkajs is loaded with the first Kafka exporter's first batch: a relay without one never pays for it.
      transport: () => (transport ??= import('./kafka/transport.ts').then(({ createKafkaTransport }) =>
        createKafkaTransport({
          clientId: `deepflow-relay-${e.name}`,
          brokers,
          sasl: sasl === null ? null : {
            mechanism: sasl.saslMechanism as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
            username: sasl.username,
            password: sasl.password,
          },
          ssl: useTls ? (tls.current ?? { ca: null, insecureSkipVerify: false }) : null,
          requestTimeoutMs: e.requestTimeout * 1000,
          log,
          random: clock.random,
        })
      )),
    })
    const plans = compileJsonPlans(e, { dictionary, formatTime })
    return {
      tls,
      exporter: createExporter<JsonItem>({
        ...common,
        ...diskOf(e, ctx, jsonItemCodec),
        plans,
        sinkFor: () => sink,
        endpoints: e.endpoints,
        close: () => sink.close(),
        maxItemBytes: e.maxMessageBytes,
      }),
    }
  }

  if (ctx.fetch === undefined) throw new Error(`exporter "${e.name}": no HTTP client in this runtime`)
  if (e.protocol === 'opentelemetry') {
    const { compileSpanPlans, createOtlpSinks } = otlpModule()
    const sinks = createOtlpSinks({
      exporter: e,
      version: VERSION,
      fetch: ctx.fetch,
      tls: () => tls.current,
      clock,
      log,
      metrics: { requests: metrics.otlpRequests, failovers: metrics.failovers },
    })
    const endpoints = () => endpointHealth(sinks.endpoints)
    return {
      tls,
      exporter: createExporter<SpanItem>({
        ...common,
        ...diskOf(e, ctx, spanItemCodec),
        plans: compileSpanPlans(e, dictionary),
        sinkFor: sinks.sinkFor,
        healthy: sinks.healthy,
        endpoints,
        close: () => sinks.close(),
      }),
    }
  }
  const sinks = createRemoteWriteSinks({
    exporter: e,
    version: VERSION,
    fetch: ctx.fetch,
    tls: () => tls.current,
    clock,
    log,
    metrics: { requests: metrics.rwRequests, failovers: metrics.failovers },
  })
  metrics.seriesSent.touch(e.name)
  const plans = compileSeriesPlans(e, dictionary, (count, why) => {
    metrics.seriesDropped.inc([e.name, 'invalid_labels'], count)
    log.warnOncePerBurst(`${e.name}:invalid_labels`, 'series no receiver could accept dropped', { exporter: e.name, series: count, why })
  })
  const endpoints = () => endpointHealth(sinks.endpoints)
  return {
    tls,
    exporter: createExporter<SeriesItem>({
      ...common,
      ...diskOf(e, ctx, seriesItemCodec),
      plans,
      sinkFor: sinks.sinkFor,
      healthy: sinks.healthy,
      endpoints,
      close: async () => {},
      countsSeries: true,
    }),
  }
}
