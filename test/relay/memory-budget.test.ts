// The budget and where it came from: relay.memory-limit wins over the cgroup; no limit anywhere is
// an unlimited budget; the shortfall warning says by how much Σ queue-max-bytes + the reserve
// exceeds it.
import test from 'node:test'
import assert from 'node:assert/strict'
import { budgetShortfall, describeBudget, formatBytes, memoryBudget } from '../../src/relay/memory-budget.ts'
import { parseConfig } from '../../src/config-file/load.ts'

const V1 = { found: true, version: 1, limit: 167772160, file: '/sys/fs/cgroup/memory/job/memory.limit_in_bytes' } as const

test('relay.memory-limit wins over the cgroup; the cgroup over nothing', () => {
  assert.deepEqual(memoryBudget(268435456, V1), { bytes: 268435456, source: 'relay.memory-limit' })
  assert.deepEqual(memoryBudget(null, V1), { bytes: 167772160, source: 'cgroup v1 /sys/fs/cgroup/memory/job/memory.limit_in_bytes' })
  assert.deepEqual(memoryBudget(null, { found: true, version: 2, limit: null, file: '/sys/fs/cgroup/memory.max' }), {
    bytes: null,
    source: 'no relay.memory-limit, and cgroup v2 /sys/fs/cgroup/memory.max sets no limit',
  })
  assert.deepEqual(memoryBudget(null, { found: false }), { bytes: null, source: 'no relay.memory-limit and no memory cgroup' })
})

test('sizes as people read them', () => {
  assert.deepEqual([0, 1023, 1024, 1536, 167772160, 1.5 * 2 ** 30, 2 ** 40].map(formatBytes), [
    '0 bytes',
    '1023 bytes',
    '1 KiB',
    '1.5 KiB',
    '160 MiB',
    '1.5 GiB',
    '1 TiB',
  ])
  assert.equal(describeBudget(memoryBudget(null, V1)), '160 MiB (cgroup v1 /sys/fs/cgroup/memory/job/memory.limit_in_bytes)')
  assert.equal(describeBudget(memoryBudget(null, { found: false })), 'unlimited (no relay.memory-limit and no memory cgroup)')
})

test('the shortfall: Σ queue-max-bytes + the reserve against the budget, and by how much', () => {
  const config = parseConfig(
    `exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag]}
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l4_flow_log], export-fields: [$tag], queue-max-bytes: 33554432}
`,
    '/r.yaml',
  )
  // 64 MiB + 32 MiB of queues + 100 MiB of reserve = 196 MiB
  assert.equal(
    budgetShortfall(memoryBudget(null, V1), config.exporters),
    "memory budget 160 MiB (cgroup v1 /sys/fs/cgroup/memory/job/memory.limit_in_bytes) is 36 MiB short of what the queues can hold plus the runtime's reserve: " +
      'Σ queue-max-bytes 96 MiB (2 exporters) + 100 MiB = 196 MiB; raise the memory limit or lower queue-max-bytes',
  )
  assert.equal(budgetShortfall(memoryBudget(196 * 2 ** 20, V1), config.exporters), null)
  assert.equal(budgetShortfall(memoryBudget(196 * 2 ** 20 - 1, V1), config.exporters)?.includes('is 1 byte short'), true)
  assert.equal(budgetShortfall(memoryBudget(null, { found: false }), config.exporters), null)
})
