// The limits every entrance goes through, built from the config and the memory the runtime reports:
// the memory limiter (relay.memory-soft-limit / memory-hard-limit of the budget), the concurrency
// gate (relay.max-concurrent-requests, default 2 × cores) and the ingest gate that applies them
// before a body is read; plus the gauges of the budget and of the memory in use.
import { DEFAULTS } from '../config/defaults.ts'
import type { ExporterConfig, RelaySettings } from '../config/types.ts'
import { createConcurrencyGate } from '../ingest/concurrency-gate.ts'
import { createIngestGate, type IngestGate } from '../ingest/ingest-gate.ts'
import { createMemoryLimiter } from '../ingest/memory-limiter.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import type { Clock } from '../util/clock.ts'
import { configuredNeed } from './memory-budget.ts'

/** What the runtime tells of memory (runtime/types.ts), and the budget main() found. */
export interface MemoryDeps {
  /** Bytes; null: unlimited. */
  readonly budget: number | null
  /** Whether the runtime reports its resident set (else nothing is paced: NO_MEMORY_LIMIT). */
  readonly measured?: boolean
  residentBytes(): number
  /** The whole resident set (pacing without a budget weighs it); absent: the anonymous one. */
  readonly residentSetBytes?: () => number
  readonly heapBytes?: () => number
  readonly collectYoung?: () => void
  collectGarbage(returnMemory: boolean): void
  readonly cpuCount: number
}

/** No budget, nothing measured: the limiter admits everything (tests, embedders). */
export const NO_MEMORY_LIMIT: MemoryDeps = { budget: null, measured: false, residentBytes: () => 0, collectGarbage: () => {}, cpuCount: 2 }

/**
 * `exporters`: the configured ones, whose Σ queue-max-bytes + reserve is the target collections
 * are paced against when there is no budget (memory-limiter.ts).
 */
export function createIngestLimits(
  relay: RelaySettings,
  exporters: readonly ExporterConfig[],
  memory: MemoryDeps,
  deps: { clock: Clock; log: Logger; metrics: RelayMetrics },
): IngestGate {
  const limiter = createMemoryLimiter(
    {
      budget: memory.budget,
      unbudgetedTarget: memory.measured === false ? null : configuredNeed(exporters),
      soft: relay.memorySoftLimit,
      hard: relay.memoryHardLimit,
    },
    {
      residentBytes: memory.residentBytes,
      ...(memory.residentSetBytes === undefined ? {} : { residentSetBytes: memory.residentSetBytes }),
      ...(memory.heapBytes === undefined ? {} : { heapBytes: memory.heapBytes }),
      ...(memory.collectYoung === undefined ? {} : { collectYoung: memory.collectYoung }),
      collectGarbage: memory.collectGarbage,
      now: deps.clock.now,
    },
  )
  const max = relay.maxConcurrentRequests ?? DEFAULTS.relay.concurrentRequestsPerCore * Math.max(1, memory.cpuCount)
  const { registry } = deps.metrics
  if (memory.budget !== null) {
    const budget = memory.budget
    registry.gauge(
      'deepflow_relay_memory_budget_bytes',
      "The memory budget: relay.memory-limit, else the cgroup's limit (absent when unlimited).",
      [],
      () => [[[], budget]],
    )
  }
  registry.gauge(
    'deepflow_relay_memory_used_bytes',
    'Memory in use as the memory limiter counts it: the anonymous resident set plus what the bodies and ClickHouse pages being handled will cost.',
    [],
    () => [[[], limiter.usedBytes()]],
  )
  return createIngestGate({
    memory: limiter,
    concurrency: createConcurrencyGate(max, DEFAULTS.relay.concurrencyWaitMs, deps.clock),
    maxBodyBytes: relay.maxBodyBytes,
    refused: deps.metrics.requestsRefused,
    log: deps.log,
  })
}
