// Finding the relay's memory limit from fixture /proc and /sys files: cgroup v1 and v2, inside a
// container (the cgroup is the mount's root) and on a host (a nested sub-cgroup), `max`, the v1
// "no limit" number, a hybrid host whose unified hierarchy has no memory controller, and no cgroup.
import test from 'node:test'
import assert from 'node:assert/strict'
import { cgroupMemory, parseMountinfo } from '../../src/runtime/cgroup-memory.ts'

const reader = (files: Record<string, string>) => (path: string) => Promise.resolve(files[path])

/** A hybrid host as this CI machine is: v1 controllers, an empty unified hierarchy. */
const HYBRID_MOUNTS = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`
const HYBRID_CGROUP = `9:name=systemd:/
4:memory:/process_api/job-1/relay
1:cpu:/
0::/
`
const V2_MOUNTS = `24 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`

test('cgroup v1 on a host: the smallest limit from the nested cgroup up to the mount root binds', async () => {
  const found = await cgroupMemory(reader({
    '/proc/self/cgroup': HYBRID_CGROUP,
    '/proc/self/mountinfo': HYBRID_MOUNTS,
    '/sys/fs/cgroup/memory/process_api/job-1/relay/memory.limit_in_bytes': '9223372036854771712\n',
    '/sys/fs/cgroup/memory/process_api/job-1/memory.limit_in_bytes': '268435456\n',
    '/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes': '1073741824\n',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    // the unified hierarchy has no memory controller: no memory.max anywhere
  }))
  assert.deepEqual(found, {
    found: true,
    version: 1,
    limit: 268435456,
    file: '/sys/fs/cgroup/memory/process_api/job-1/memory.limit_in_bytes',
  })
})

test("cgroup v1 with no limit anywhere: found, limit null, the cgroup's own file named", async () => {
  const found = await cgroupMemory(reader({
    '/proc/self/cgroup': HYBRID_CGROUP,
    '/proc/self/mountinfo': HYBRID_MOUNTS,
    '/sys/fs/cgroup/memory/process_api/job-1/relay/memory.limit_in_bytes': '9223372036854771712',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712',
  }))
  assert.deepEqual(found, {
    found: true,
    version: 1,
    limit: null,
    file: '/sys/fs/cgroup/memory/process_api/job-1/relay/memory.limit_in_bytes',
  })
})

test("cgroup v1 inside a container: the mount root is the container's cgroup, /proc/self/cgroup shows its full path", async () => {
  const found = await cgroupMemory(reader({
    '/proc/self/cgroup': '12:memory:/kubepods/burstable/pod1/abc\n0::/\n',
    '/proc/self/mountinfo': '700 690 0:31 /kubepods/burstable/pod1/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': '167772160',
  }))
  assert.deepEqual(found, { found: true, version: 1, limit: 167772160, file: '/sys/fs/cgroup/memory/memory.limit_in_bytes' })
})

test('cgroup v2 inside a container (cgroup namespace): `0::/` at the mount point', async () => {
  const found = await cgroupMemory(
    reader({ '/proc/self/cgroup': '0::/\n', '/proc/self/mountinfo': V2_MOUNTS, '/sys/fs/cgroup/memory.max': '268435456\n' }),
  )
  assert.deepEqual(found, { found: true, version: 2, limit: 268435456, file: '/sys/fs/cgroup/memory.max' })
})

test("cgroup v2 on a host: a systemd service's MemoryMax under an unlimited slice", async () => {
  const found = await cgroupMemory(reader({
    '/proc/self/cgroup': '0::/system.slice/deepflow-relay.service\n',
    '/proc/self/mountinfo': V2_MOUNTS,
    '/sys/fs/cgroup/system.slice/deepflow-relay.service/memory.max': '536870912\n',
    '/sys/fs/cgroup/system.slice/memory.max': 'max\n',
  }))
  assert.deepEqual(found, {
    found: true,
    version: 2,
    limit: 536870912,
    file: '/sys/fs/cgroup/system.slice/deepflow-relay.service/memory.max',
  })
})

test('cgroup v2 `max` all the way up: found, no limit', async () => {
  const found = await cgroupMemory(reader({
    '/proc/self/cgroup': '0::/user.slice/session-1.scope\n',
    '/proc/self/mountinfo': V2_MOUNTS,
    '/sys/fs/cgroup/user.slice/session-1.scope/memory.max': 'max\n',
    '/sys/fs/cgroup/user.slice/memory.max': 'max\n',
  }))
  assert.deepEqual(found, { found: true, version: 2, limit: null, file: '/sys/fs/cgroup/user.slice/session-1.scope/memory.max' })
})

test("a cgroup path outside the mount's root (another namespace) reads the mount point itself", async () => {
  const found = await cgroupMemory(reader({
    '/proc/self/cgroup': '0::/../../other\n',
    '/proc/self/mountinfo': V2_MOUNTS,
    '/sys/fs/cgroup/memory.max': '104857600',
  }))
  assert.deepEqual(found, { found: true, version: 2, limit: 104857600, file: '/sys/fs/cgroup/memory.max' })
})

test('no cgroup at all (no /proc, or no memory hierarchy mounted): not found', async () => {
  assert.deepEqual(await cgroupMemory(reader({})), { found: false })
  assert.deepEqual(
    await cgroupMemory(
      reader({ '/proc/self/cgroup': '1:cpu:/\n', '/proc/self/mountinfo': '31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n' }),
    ),
    { found: false },
  )
})

test('mountinfo: optional fields and escaped mount points', () => {
  assert.deepEqual(parseMountinfo('36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - cgroup2 none rw\n'), [
    { root: '/mnt1', point: '/mnt two', fsType: 'cgroup2', superOptions: ['rw'] },
  ])
})
