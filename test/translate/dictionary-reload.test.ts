import test from 'node:test'
import assert from 'node:assert/strict'
import { parseDictionary } from '../../src/translate/dictionary.ts'
import { startHarness } from '../helpers/relay-harness.ts'

const YAML = `relay:
  universal-tags: /etc/tags.json
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_metrics.network.1m], export-fields: [pod_id], queue-count: 1}
`
const post = (h: Awaited<ReturnType<typeof startHarness>>) => h.post('flow_metrics.network.1m', '{"time":1715133600,"pod_id":153}')

test('the universal-tags file is reloaded when it changes; an invalid new file keeps the old names', async () => {
  const files: Record<string, string> = { '/etc/tags.json': '{"pod": {"153": "productpage"}}' }
  const h = await startHarness(YAML, { files })
  await post(h)
  await h.clock.advance(1000)
  files['/etc/tags.json'] = '{"pod": {"153": "productpage-v2"}}'
  await h.clock.advance(5000)
  await post(h)
  await h.clock.advance(1000)
  files['/etc/tags.json'] = '{"pod": {"153": 7}}'
  await h.clock.advance(5000)
  await post(h)
  await h.relay.stop()
  assert.deepEqual(h.lines().map((l) => /"pod":"([^"]+)"/.exec(l)?.[1]), ['productpage', 'productpage-v2', 'productpage-v2'])
  const reloadError = h.logs.find((l) => l.msg === 'universal-tags dictionary not reloaded; keeping the previous one')
  assert.equal(reloadError?.error, '/etc/tags.json: pod.153: expected a name (string)')
})

test('a dictionary with an unknown kind is refused, naming the valid ones', () => {
  const r = parseDictionary('{"pods": {}}')
  assert.equal(r.ok, false)
  assert.match(
    r.ok ? '' : r.error,
    /^pods: unknown key \(valid: region, az, host, pod_node, pod_ns, pod_group, pod, pod_cluster, l3_epc, subnet, service, gprocess, agent, device, k8s_labels\)$/,
  )
})

test('a missing universal-tags file stops the relay from starting', async () => {
  await assert.rejects(startHarness(YAML), /relay\.universal-tags: cannot read \/etc\/tags\.json/)
})
