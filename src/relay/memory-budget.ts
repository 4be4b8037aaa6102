// The memory the relay may use (its budget) and where that number came from: relay.memory-limit
// when set, else the limit of the relay's own cgroup (runtime/cgroup-memory.ts), else none (the
// budget is unlimited and the relay behaves as it always did). `check` and the start log print it,
// and warn when the exporters' queues (Σ queue-max-bytes) plus the runtime's reserve do not fit.
import { DEFAULTS } from '../config/defaults.ts'
import type { ExporterConfig } from '../config/types.ts'
import type { CgroupMemory } from '../runtime/cgroup-memory.ts'

export interface MemoryBudget {
  /** null: unlimited. */
  readonly bytes: number | null
  /** Where the number came from, as the start log and `check` say it. */
  readonly source: string
}

export function memoryBudget(configured: number | null, cgroup: CgroupMemory): MemoryBudget {
  if (configured !== null) return { bytes: configured, source: 'relay.memory-limit' }
  if (!cgroup.found) return { bytes: null, source: 'no relay.memory-limit and no memory cgroup' }
  const where = `cgroup v${cgroup.version} ${cgroup.file}`
  return cgroup.limit === null
    ? { bytes: null, source: `no relay.memory-limit, and ${where} sets no limit` }
    : { bytes: cgroup.limit, source: where }
}

/** 268435456 → "256 MiB"; 1.5 GiB → "1.5 GiB"; small numbers in bytes. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${n} byte${n === 1 ? '' : 's'}` : `${Number.isInteger(v) ? v : Number(v.toFixed(1))} ${units[u]}`
}

export function describeBudget(budget: MemoryBudget): string {
  return budget.bytes === null ? `unlimited (${budget.source})` : `${formatBytes(budget.bytes)} (${budget.source})`
}

/** What the config needs: Σ queue-max-bytes of the exporters plus the runtime's reserve. */
export function configuredNeed(exporters: readonly ExporterConfig[], reserve = DEFAULTS.memoryReserve): number {
  return exporters.reduce((sum, e) => sum + e.queueMaxBytes, 0) + reserve
}

/**
 * The warning when the queues plus the runtime's reserve do not fit in the budget, and by how much;
 * null when they fit or the budget is unlimited.
 */
export function budgetShortfall(
  budget: MemoryBudget,
  exporters: readonly ExporterConfig[],
  reserve = DEFAULTS.memoryReserve,
): string | null {
  if (budget.bytes === null) return null
  const queues = exporters.reduce((sum, e) => sum + e.queueMaxBytes, 0)
  const need = configuredNeed(exporters, reserve)
  if (need <= budget.bytes) return null
  return `memory budget ${describeBudget(budget)} is ${
    formatBytes(need - budget.bytes)
  } short of what the queues can hold plus the runtime's reserve: ` +
    `Σ queue-max-bytes ${formatBytes(queues)} (${exporters.length} exporter${exporters.length === 1 ? '' : 's'}) + ${
      formatBytes(reserve)
    } = ${formatBytes(need)}; ` +
    'raise the memory limit or lower queue-max-bytes'
}
