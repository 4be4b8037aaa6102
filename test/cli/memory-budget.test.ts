// `check` and the memory budget, through main() with the fake runtime's /proc and /sys files: the
// header names the budget and its source; a budget too small for the queues plus the reserve is a
// warning (an error with --strict).
import test from 'node:test'
import assert from 'node:assert/strict'
import { main } from '../../src/main.ts'
import { createFakeRuntime } from '../helpers/fake-runtime.ts'

const CONFIG = `exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag]}
`
const CGROUP_FILES = (limit: string) => ({
  '/proc/self/cgroup': '4:memory:/relay\n0::/\n',
  '/proc/self/mountinfo': '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n',
  '/sys/fs/cgroup/memory/relay/memory.limit_in_bytes': `${limit}\n`,
  '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
})
const SHORT =
  'memory budget 160 MiB (cgroup v1 /sys/fs/cgroup/memory/relay/memory.limit_in_bytes) is 4 MiB short of what the queues can hold plus ' +
  "the runtime's reserve: Σ queue-max-bytes 64 MiB (1 exporter) + 100 MiB = 164 MiB; raise the memory limit or lower queue-max-bytes"

async function run(args: string[], files: Record<string, string>) {
  const rt = createFakeRuntime({ args, files: { '/r.yaml': CONFIG, ...files } })
  const code = await main(rt)
  return { code, stdout: rt.stdout.join(''), stderr: rt.stderr.join('') }
}

test('check names the budget and where it came from: the cgroup, relay.memory-limit, or none', async () => {
  const fromCgroup = await run(['check', '--config', '/r.yaml'], CGROUP_FILES('268435456'))
  assert.deepEqual([fromCgroup.code, fromCgroup.stderr], [0, ''])
  assert.equal(fromCgroup.stdout.split('\n')[1], '# memory budget: 256 MiB (cgroup v1 /sys/fs/cgroup/memory/relay/memory.limit_in_bytes)')

  const configured = await run(['check', '--config', '/r.yaml'], {
    ...CGROUP_FILES('268435456'),
    '/r.yaml': `relay:\n  memory-limit: 1Gi\n${CONFIG}`,
  })
  assert.equal(configured.stdout.split('\n')[1], '# memory budget: 1 GiB (relay.memory-limit)')
  assert.match(configured.stdout, /\n {2}memory-limit: 1073741824\n/)

  const none = await run(['check', '--config', '/r.yaml'], {})
  assert.equal(none.stdout.split('\n')[1], '# memory budget: unlimited (no relay.memory-limit and no memory cgroup)')
})

test('a budget smaller than Σ queue-max-bytes + the reserve: a warning with the shortfall; --strict refuses', async () => {
  const r = await run(['check', '--config', '/r.yaml'], CGROUP_FILES('167772160'))
  assert.equal(r.code, 0)
  assert.equal(r.stderr, `warning: ${SHORT}\n`)
  const strict = await run(['check', '--strict', '--config', '/r.yaml'], CGROUP_FILES('167772160'))
  assert.deepEqual(strict, {
    code: 2,
    stdout: '',
    stderr: `deepflow-relay: /r.yaml has 1 warning, and --strict makes them errors:\n  ${SHORT}\n`,
  })
})
