// The compiled binary inside a real memory cgroup finds its limit without being told: `check`
// names it as the budget and warns that Σ queue-max-bytes + the reserve does not fit; the start
// log carries the budget in bytes.
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createMemoryCgroup } from '../helpers/cgroup.ts'
import { isolatedBinary, start } from '../helpers/binary.ts'

const MiB = 2 ** 20

test("check inside a 160 MiB cgroup: the budget is the cgroup's limit, 4 MiB short of the default stdout exporter's 64 MiB + 100 MiB", async () => {
  const { dir, bin } = isolatedBinary()
  const cg = await createMemoryCgroup(160 * MiB)
  try {
    const [cmd, args] = cg.wrap(bin, ['check'])
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })
    assert.equal(r.status, 0, r.stderr)
    const budget = `160 MiB (cgroup v${cg.version} ${cg.limitFile})`
    assert.equal(r.stdout.split('\n')[1], `# memory budget: ${budget}`)
    assert.equal(
      r.stderr,
      `warning: memory budget ${budget} is 4 MiB short of what the queues can hold plus the runtime's reserve: ` +
        'Σ queue-max-bytes 64 MiB (1 exporter) + 100 MiB = 164 MiB; raise the memory limit or lower queue-max-bytes\n',
    )
    assert.equal(cg.oomKills(), 0)
  } finally {
    await cg.remove()
  }
})

test('the relay started inside a 512 MiB cgroup logs that budget and where it came from', async () => {
  const { dir, bin } = isolatedBinary()
  const cg = await createMemoryCgroup(512 * MiB)
  try {
    const [cmd, args] = cg.wrap(bin, ['--listen', '127.0.0.1:0'])
    const relay = await start(cmd, dir, args)
    const started = relay.stderr().split('\n').map((l) => (l === '' ? {} : JSON.parse(l) as Record<string, unknown>))
      .find((l) => l.msg === 'deepflow-relay started')!
    assert.equal(started.memory_budget_bytes, 512 * MiB)
    assert.equal(started.memory_budget, `512 MiB (cgroup v${cg.version} ${cg.limitFile})`)
    const health = await fetch(`${relay.url}healthz`)
    assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }])
    assert.equal(await relay.stop(), 0)
    assert.equal(cg.oomKills(), 0)
  } finally {
    await cg.remove()
  }
})
