// `check` output: the effective configuration as YAML, with DeepFlow's key names, every default
// filled in and secrets masked, so it can be read, diffed, or used as a config file.
import YAML from 'yaml'
import type { BufferConfig, Config, ExporterConfig, TagFilter, UniversalTagsConfig } from '../config/types.ts'
import { withoutPassword } from '../util/url-password.ts'

const SECRET = '******'

function filters(list: readonly TagFilter[]) {
  return list.map((f) => ({ 'field-name': f.fieldName, operator: f.operator, 'field-values': [...f.fieldValues] }))
}

function exporter(e: ExporterConfig): Record<string, unknown> {
  return {
    name: e.name,
    protocol: e.protocol,
    enabled: e.enabled,
    endpoints: [...e.endpoints],
    'data-sources': [...e.dataSources],
    'queue-count': e.queueCount,
    'queue-size': e.queueSize,
    'queue-max-bytes': e.queueMaxBytes,
    'batch-size': e.batchSize,
    'flush-timeout': e.flushTimeout,
    'tag-filter-condition': { type: e.tagFilterCondition },
    'tag-filters': filters(e.tagFilters),
    'tag-filters-groups': e.tagFiltersGroups.map((g) => ({
      'tag-filter-condition': { type: g.condition },
      'tag-filters': filters(g.filters),
    })),
    'export-fields': [...e.exportFields],
    'export-empty-tag': e.exportEmptyTag,
    'export-empty-metrics-disabled': e.exportEmptyMetricsDisabled,
    'enum-translate-to-name-disabled': e.enumTranslateToNameDisabled,
    'universal-tag-translate-to-name-disabled': e.universalTagTranslateToNameDisabled,
    ...(e.sasl === null ? {} : {
      sasl: {
        enabled: e.sasl.enabled,
        'security-protocol': e.sasl.securityProtocol,
        'sasl-mechanism': e.sasl.saslMechanism,
        username: e.sasl.username,
        password: e.sasl.password === '' ? '' : SECRET,
      },
    }),
    ...(e.topic === null ? {} : { topic: e.topic }),
    'extra-headers': Object.fromEntries(Object.keys(e.extraHeaders).map((k) => [k, SECRET])),
    'request-timeout': e.requestTimeout,
    'max-retry-duration': e.maxRetryDuration,
    ...(e.protocol === 'kafka' ? { compression: e.compression, 'max-message-bytes': e.maxMessageBytes } : {}),
    ...(e.protocol === 'opentelemetry' ? { 'deepflow-quirks': e.deepflowQuirks } : {}),
    ...(e.tls === null
      ? {}
      : { tls: { ...(e.tls.caFile === null ? {} : { 'ca-file': e.tls.caFile }), 'insecure-skip-verify': e.tls.insecureSkipVerify } }),
    buffer: bufferDoc(e.buffer),
  }
}

/** An exporter's buffer as written back: the path resolved, max-bytes in bytes. */
function bufferDoc(b: BufferConfig): Record<string, unknown> {
  if (b.type === 'memory') return { type: 'memory' }
  return { type: 'disk', path: b.path, 'max-bytes': b.maxBytes, 'sync-interval': b.syncInterval }
}

/** `note`: a line for the header (the memory budget), written as a YAML comment. */
export function renderEffectiveConfig(config: Config, note?: string): string {
  const { relay } = config
  const host = relay.listen.host.includes(':') ? `[${relay.listen.host}]` : relay.listen.host
  const doc = {
    relay: {
      listen: `${host}:${relay.listen.port}`,
      'max-body-bytes': relay.maxBodyBytes,
      'time-zone': relay.timeZone,
      ...(relay.universalTags === null ? {} : { 'universal-tags': universalTagsDoc(relay.universalTags) }),
      'shutdown-timeout': relay.shutdownTimeout,
      'log-level': relay.logLevel,
      ...(relay.authToken === null ? {} : { 'auth-token': SECRET }),
      'protect-metrics': relay.protectMetrics,
      ...(relay.tls === null ? {} : { tls: { 'cert-file': relay.tls.certFile, 'key-file': relay.tls.keyFile } }),
      overflow: relay.overflow,
      'max-records-per-request': relay.limits.maxRecordsPerRequest,
      'max-line-bytes': relay.limits.maxLineBytes,
      'max-depth': relay.limits.maxDepth,
      'max-fields': relay.limits.maxFields,
      'max-string-bytes': relay.limits.maxStringBytes,
      'client-timeout': relay.clientTimeout,
      ...(relay.memoryLimit === null ? {} : { 'memory-limit': relay.memoryLimit }),
      'memory-soft-limit': relay.memorySoftLimit,
      'memory-hard-limit': relay.memoryHardLimit,
      ...(relay.maxConcurrentRequests === null ? {} : { 'max-concurrent-requests': relay.maxConcurrentRequests }),
    },
    exporters: config.exporters.map(exporter),
    ...(config.sources.length === 0 ? {} : {
      sources: config.sources.map((src) => ({
        clickhouse: {
          url: withoutPassword(src.url),
          user: src.user,
          password: src.password === '' ? '' : SECRET,
          'data-sources': [...src.dataSources],
          interval: src.interval,
          since: src.since === null ? 'now' : src.since,
          'batch-rows': src.batchRows,
          ...(src.cursorFile === null ? {} : { 'cursor-file': src.cursorFile }),
          settle: { ...src.settle },
        },
      })),
    }),
    ...(config.skipped.length === 0 ? {} : { skipped: config.skipped.map((s) => ({ path: s.path, reason: s.reason })) }),
    ...(config.warnings.length === 0 ? {} : { warnings: [...config.warnings] }),
  }
  const source = config.file === null ? 'the embedded default' : config.file
  const header = `# deepflow-relay check: ${source} is valid; effective configuration:\n${note === undefined ? '' : `# ${note}\n`}`
  return `${header}${YAML.stringify(doc, { lineWidth: 0 })}`
}

/** relay.universal-tags as written back: the file's path, or the ClickHouse connection with its password masked. */
function universalTagsDoc(u: UniversalTagsConfig): unknown {
  if (u.kind === 'file') return u.path
  return {
    clickhouse: {
      url: withoutPassword(u.url),
      user: u.user,
      password: u.password === '' ? '' : SECRET,
      ...(u.orgId !== null ? { 'org-id': u.orgId } : u.database !== null ? { database: u.database } : {}),
      refresh: u.refresh,
    },
  }
}
