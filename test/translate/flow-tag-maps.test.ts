// The flow_tag maps as the relay reads them: the SQL, ClickHouse's TabSeparated answers, and the
// dictionary they make, with the two corrections that give what deepflow-server's exporter sees.
import test from 'node:test'
import assert from 'node:assert/strict'
import {
  dictionaryOfMaps,
  entryCount,
  FLOW_TAG_MAPS,
  flowTagDatabase,
  labelList,
  type LoadedMaps,
  mapQuery,
  readMap,
  ROWS_PER_PAUSE,
  unescapeTsv,
} from '../../src/translate/flow-tag-maps.ts'

const map = (table: string) => FLOW_TAG_MAPS.find((m) => m.table === table)!

test('organisation databases: flow_tag for org 0 and 1, %04d_flow_tag for the others', () => {
  assert.equal(flowTagDatabase(0), 'flow_tag')
  assert.equal(flowTagDatabase(1), 'flow_tag')
  assert.equal(flowTagDatabase(2), '0002_flow_tag')
  assert.equal(flowTagDatabase(12), '0012_flow_tag')
  assert.equal(flowTagDatabase(1024), '1024_flow_tag')
})

test('the SELECT of each map: plain columns, quoted names, TabSeparated', () => {
  assert.equal(mapQuery('flow_tag', map('pod_map')), 'SELECT id, name FROM `flow_tag`.`pod_map` FORMAT TabSeparated')
  assert.equal(
    mapQuery('0002_flow_tag', map('device_map')),
    'SELECT devicetype, deviceid, name FROM `0002_flow_tag`.`device_map` FORMAT TabSeparated',
  )
  assert.equal(mapQuery('a`b', map('pod_k8s_labels_map')), 'SELECT id, labels FROM `a\\`b`.`pod_k8s_labels_map` FORMAT TabSeparated')
  assert.deepEqual(
    FLOW_TAG_MAPS.map((m) => m.table),
    [
      'region_map',
      'az_map',
      'pod_node_map',
      'pod_ns_map',
      'pod_group_map',
      'pod_map',
      'pod_cluster_map',
      'l3_epc_map',
      'subnet_map',
      'gprocess_map',
      'vtap_map',
      'device_map',
      'pod_k8s_labels_map',
    ],
  )
})

test('TabSeparated escapes come back as ClickHouse wrote them', () => {
  assert.equal(unescapeTsv('plain'), 'plain')
  assert.equal(unescapeTsv("a\\tb\\nc\\\\d\\'e\\0f\\rg\\bh\\fi"), "a\tb\nc\\d'e\0f\rg\bh\fi")
})

test('resource maps leave out deleted resources ("<name> (deleted)"): the exporter has no name for them', async () => {
  const read = await readMap(map('pod_map'), '153\tproductpage-v1-7f9c\n154\told-pod (deleted)\n155\ttab\\there\nbad\tx\n')
  assert.equal(read.kind, 'names')
  assert.deepEqual(read.kind === 'names' ? [...read.names] : [], [[153, 'productpage-v1-7f9c'], [155, 'tab\there']])
})

test('device_map keeps every name as it is, (deleted) included: it is the table the exporter reads', async () => {
  const read = await readMap(map('device_map'), '10\t153\tproductpage-v1-7f9c\n6\t5\thost-5 (deleted)\n130\t33\treviews\n')
  assert.equal(read.kind, 'devices')
  const d = dictionaryOfMaps(new Map([['device', read]]) as LoadedMaps)
  assert.equal(d.deviceName(10, 153), 'productpage-v1-7f9c')
  assert.equal(d.deviceName(6, 5), 'host-5 (deleted)')
  assert.equal(d.deviceName(130, 33), 'reviews')
  assert.equal(d.deviceName(130n, 33n), 'reviews')
  assert.equal(d.name('device', '6:5'), 'host-5 (deleted)')
  assert.equal(d.name('device', '6:6'), undefined)
  assert.equal(d.deviceName(10, 154), undefined)
  // host and service have no map of their own: the translators fall back to device 6 and 102.
  assert.equal(d.ids('host').get(5), undefined)
})

test("k8s labels as the exporter's gRPC cuts them: what comes before a value's first ':', sorted by name", () => {
  assert.deepEqual(labelList('{"version":"v1","app":"productpage","image":"reg.local:5000/b:1"}'), [
    'app',
    'productpage',
    'image',
    'reg.local',
    'version',
    'v1',
  ])
  assert.deepEqual(labelList('{"app":"a","version":"v1","team":"t"}', (n: string) => n !== 'version'), ['app', 'a', 'team', 't'])
  assert.deepEqual(labelList('{}'), [])
  assert.equal(labelList('not json'), undefined)
  assert.equal(labelList('[1]'), undefined)
})

test("labels are given for live pods only: a deleted pod's labels are not the exporter's", async () => {
  const maps: LoadedMaps = new Map([
    ['pod', await readMap(map('pod_map'), '153\tproductpage\n154\tgone (deleted)\n')],
    ['k8s_labels', await readMap(map('pod_k8s_labels_map'), '153\t{"app":"productpage"}\n154\t{"app":"gone"}\n155\t{"app":"unknown"}\n')],
  ])
  const d = dictionaryOfMaps(maps)
  assert.deepEqual(d.k8sLabels('153'), ['app', 'productpage'])
  assert.equal(d.k8sLabels('154'), undefined)
  assert.equal(d.k8sLabels('155'), undefined)
  assert.equal(entryCount(maps), 1 + 3)
  // Without pod_map (a relay reading labels alone), every pod's labels are given.
  assert.deepEqual(dictionaryOfMaps(new Map([['k8s_labels', maps.get('k8s_labels')!]])).k8sLabels('155'), ['app', 'unknown'])
})

test('names by number and by text, ids past 2^53 have none', async () => {
  const d = dictionaryOfMaps(new Map([['region', await readMap(map('region_map'), '1\tregion-1\n18446744073709551615\thuge\n')]]))
  assert.equal(d.ids('region').get(1), 'region-1')
  assert.equal(d.ids('region').get(1n), 'region-1')
  assert.equal(d.name('region', '1'), 'region-1')
  assert.equal(d.name('region', '01'), undefined)
  assert.equal(d.name('region', '18446744073709551615'), undefined)
  assert.equal(d.ids('pod').get(1), undefined)
})

test('a large answer pauses every ROWS_PER_PAUSE rows, so the relay serves requests while it reads', async () => {
  let pauses = 0
  const text = Array.from({ length: 2 * ROWS_PER_PAUSE + 10 }, (_, i) => `${i + 1}\tpod-${i + 1}`).join('\n') + '\n'
  const read = await readMap(map('pod_map'), text, {
    pause: () => {
      pauses++
      return Promise.resolve()
    },
  })
  assert.equal(pauses, 2)
  assert.equal(read.kind === 'names' ? read.names.get(2 * ROWS_PER_PAUSE + 10) : undefined, `pod-${2 * ROWS_PER_PAUSE + 10}`)
})
