// Resource names from DeepFlow's own flow_tag dictionaries, against a real ClickHouse (Debian's
// 18.16 cannot create DDL dictionaries: plain tables with the names and columns of DeepFlow's
// answer the same SELECTs), filled with a cluster's worth of rows, and a real Kafka: records fed by
// the ClickHouse source come out of the Kafka exporter with DeepFlow's names, the _id-less keys and
// k8s labels; a rename shows after one refresh; an organisation's database; ClickHouse down keeps
// the last names.
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { createRealClock, until } from '../helpers/manual-clock.ts'
import { startHarness } from '../helpers/relay-harness.ts'
import { startClickHouse } from '../../scripts/services/clickhouse.ts'
import { startKafka } from '../../scripts/services/kafka.ts'

const [ch, kafka] = await Promise.all([startClickHouse(), startKafka()])
let chStopped = false
after(async () => {
  await Promise.all([chStopped ? Promise.resolve() : ch.stop(), kafka.destroy()])
})

/** A cluster's worth: pods, their devices, hosts, workloads. */
const PODS = 20_000
const HOSTS = 500

/** DeepFlow's flow_tag maps (tagrecorder/const_sql.go columns), as tables. */
async function createFlowTag(db: string, opts: { labels: boolean; pods: number; podName: (id: string) => string }): Promise<void> {
  await ch.query(`CREATE DATABASE \`${db}\``)
  const idName = (table: string, extra = '') =>
    ch.query(
      `CREATE TABLE \`${db}\`.${table} (id UInt64, name String${extra}, team_id UInt64, domain_id UInt64) ENGINE = MergeTree ORDER BY id`,
    )
  await Promise.all([
    ch.query(`CREATE TABLE \`${db}\`.region_map (id UInt64, name String, icon_id Int64) ENGINE = MergeTree ORDER BY id`),
    idName('az_map', ', icon_id Int64'),
    idName('pod_node_map', ', icon_id Int64, pod_cluster_id UInt64'),
    idName('pod_ns_map', ', icon_id Int64, pod_cluster_id UInt64'),
    idName('pod_group_map', ', pod_group_type UInt64, icon_id Int64, pod_cluster_id UInt64, pod_ns_id UInt64'),
    idName(
      'pod_map',
      ', icon_id Int64, pod_cluster_id UInt64, pod_ns_id UInt64, pod_node_id UInt64, pod_service_id UInt64, pod_group_id UInt64',
    ),
    idName('pod_cluster_map', ', icon_id Int64'),
    idName('l3_epc_map', ', uid String, icon_id Int64'),
    idName('subnet_map', ', l3_epc_id UInt64'),
    idName('gprocess_map', ', icon_id Int64, chost_id Int64, l3_epc_id Int64'),
    ch.query(`CREATE TABLE \`${db}\`.vtap_map (id UInt64, name String, type Int64, team_id UInt64) ENGINE = MergeTree ORDER BY id`),
    ch.query(`CREATE TABLE \`${db}\`.device_map (devicetype UInt64, deviceid UInt64, name String, icon_id Int64, uid String,
      hostname String, ip String, team_id UInt64, domain_id UInt64, sub_domain_id UInt64) ENGINE = MergeTree ORDER BY (devicetype, deviceid)`),
    ...(opts.labels
      ? [ch.query(`CREATE TABLE \`${db}\`.pod_k8s_labels_map (id UInt64, labels String, l3_epc_id UInt64, pod_ns_id UInt64,
      team_id UInt64, domain_id UInt64, sub_domain_id UInt64) ENGINE = MergeTree ORDER BY id`)]
      : []),
  ])
  const n = `toString(number + 1)`
  await ch.query(`INSERT INTO \`${db}\`.region_map VALUES (1, 'region-1', 0), (2, 'region-2 (deleted)', 0)`)
  await ch.query(`INSERT INTO \`${db}\`.az_map VALUES (3, 'az-3', 0, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.pod_node_map VALUES (4, 'node-4', 0, 1, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.pod_ns_map VALUES (5, 'default', 0, 1, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.pod_group_map VALUES (33, 'reviews', 130, 0, 1, 5, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.pod_cluster_map VALUES (1, 'k8s-1', 0, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.l3_epc_map VALUES (9, 'vpc-9', '', 0, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.subnet_map VALUES (11, 'pod-subnet', 9, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.gprocess_map VALUES (77, 'java', 0, 0, 9, 1, 1)`)
  await ch.query(`INSERT INTO \`${db}\`.vtap_map VALUES (7, 'node-1-V3', 3, 1)`)
  // Pods 1..N: pod-<id>, pod 153 named by the caller, pod 154 deleted.
  await ch.query(`INSERT INTO \`${db}\`.pod_map SELECT number + 1,
    multiIf(number + 1 = 153, '${opts.podName('153')}', number + 1 = 154, 'old-pod (deleted)', concat('pod-', ${n})),
    0, 1, 5, 4, 0, 33, 1, 1 FROM system.numbers LIMIT ${opts.pods}`)
  await ch.query(`INSERT INTO \`${db}\`.device_map SELECT 10, number + 1,
    multiIf(number + 1 = 153, '${opts.podName('153')}', number + 1 = 154, 'old-pod (deleted)', concat('pod-', ${n})),
    0, '', '', '', 1, 1, 0 FROM system.numbers LIMIT ${opts.pods}`)
  await ch.query(`INSERT INTO \`${db}\`.device_map SELECT 6, number + 1, concat('host-', ${n}), 0, '', '', '', 1, 1, 0
    FROM system.numbers LIMIT ${HOSTS}`)
  await ch.query(`INSERT INTO \`${db}\`.device_map VALUES (1, 21, 'vm-21', 0, '', '', '', 1, 1, 0),
    (102, 176, 'reviews-svc', 0, '', '', '', 1, 1, 0), (130, 33, 'reviews', 0, '', '', '', 1, 1, 0)`)
  if (opts.labels) {
    await ch.query(`INSERT INTO \`${db}\`.pod_k8s_labels_map SELECT number + 1,
      if(number + 1 = 153, '{"app":"productpage","version":"v1","image":"reg.local:5000/b:1"}', concat('{"app":"app-', ${n}, '"}')),
      9, 5, 1, 1, 0 FROM system.numbers LIMIT ${opts.pods}`)
  }
}

await createFlowTag('flow_tag', { labels: true, pods: PODS, podName: () => 'productpage-v1-7f9c' })

const BASE = Math.floor(Date.now() / 1000) - 600
await ch.query('CREATE DATABASE flow_log')
await ch.query(`CREATE TABLE flow_log.l7_flow_log (
  time DateTime, _id UInt64, l7_protocol UInt8, end_time UInt64, signal_source UInt16, agent_id UInt16,
  region_id_0 UInt16, region_id_1 UInt16, az_id_0 UInt16, host_id_0 UInt16, l3_device_type_0 UInt8, l3_device_id_0 UInt32,
  pod_node_id_0 UInt32, pod_ns_id_0 UInt16, pod_group_id_0 UInt32, pod_id_0 UInt32, pod_id_1 UInt32, pod_cluster_id_0 UInt16,
  l3_epc_id_0 Int32, subnet_id_0 UInt16, service_id_0 UInt32, gprocess_id_0 UInt32,
  auto_instance_id_0 UInt32, auto_instance_type_0 UInt8, auto_service_id_0 UInt32, auto_service_type_0 UInt8
) ENGINE = MergeTree ORDER BY (time, _id)`)
await ch.query(`INSERT INTO flow_log.l7_flow_log VALUES
  (${BASE}, 1, 20, ${BASE * 1_000_000 + 5}, 3, 7, 1, 2, 3, 6, 1, 21, 4, 5, 33, 153, 154, 1, 9, 11, 176, 77, 153, 10, 33, 130),
  (${BASE + 1}, 2, 20, ${BASE * 1_000_000 + 1_000_006}, 3, 8, 0, 0, 0, 9999, 0, 0, 0, 0, 0, 19999, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`)

const kafkaExporter = (topic: string) =>
  `  - protocol: kafka
    enabled: true
    name: k
    endpoints: [${kafka.plaintext}]
    topic: ${topic}
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag, $metrics, $k8s.label]
    queue-count: 1
    flush-timeout: 0.05
`

test('with only a ClickHouse URL, records of the ClickHouse source leave Kafka with DeepFlow names and k8s labels', {
  timeout: 120_000,
}, async () => {
  const h = await startHarness(
    `sources:
  - clickhouse:
      url: ${ch.url}
      data-sources: [flow_log.l7_flow_log]
      since: ${BASE - 60}
      interval: 0.2
relay:
  universal-tags: clickhouse
exporters:
${kafkaExporter('names')}`,
    { clock: createRealClock() },
  )
  try {
    const messages = (await kafka.consume('names', 2, 60_000)).sort((a, b) => (a.value < b.value ? -1 : 1))
    const t = new Date(BASE * 1000).toISOString().replace('T', ' ').replace('.000Z', '')
    assert.equal(
      messages[0]!.value,
      `{"datasource":"flow_log.l7_flow_log","_id":1,"l7_protocol":"HTTP","time":${BASE},"signal_source":"eBPF",` +
        `"agent":"node-1-V3","end_time":${
          BASE * 1_000_000 + 5
        },"gprocess_0":"java","region_0":"region-1","region_id_1":2,"az_0":"az-3","host_0":"host-6",` +
        `"l3_device_type_0":"chost","l3_device_0":"vm-21","pod_node_0":"node-4","pod_ns_0":"default","pod_group_0":"reviews",` +
        `"pod_0":"productpage-v1-7f9c","pod_id_1":154,"pod_cluster_0":"k8s-1","l3_epc_0":"vpc-9","subnet_0":"pod-subnet",` +
        `"service_0":"reviews-svc","auto_instance_0":"productpage-v1-7f9c","auto_instance_type_0":"pod",` +
        `"auto_service_0":"reviews","auto_service_type_0":"pod_group",` +
        `"k8s_label_names_0":["app","image","version"],"k8s_label_values_0":["productpage","reg.local","v1"],` +
        `"time_str":"${t}.000005 +0000 UTC"}`,
    )
    const second = JSON.parse(messages[1]!.value) as Record<string, unknown>
    // Host 9999 has no name (a raw id under its key); pod 19999 is pod-19999 with its labels.
    assert.equal(second.host_id_0, 9999)
    assert.equal(second.pod_0, 'pod-19999')
    assert.equal(second.agent_id, 8)
    assert.deepEqual([second.k8s_label_names_0, second.k8s_label_values_0], [['app'], ['app-19999']])
    assert.equal(h.metric('deepflow_relay_dictionary_refreshes_total{outcome="ok"}'), 1)
    assert.equal(h.metric('deepflow_relay_dictionary_refreshes_total{outcome="error"}'), 0)
    assert.equal(
      h.metric('deepflow_relay_dictionary_entries'),
      1 + 1 + 1 + 1 + 1 + (PODS - 1) + 1 + 1 + 1 + 1 + 1 + (PODS + HOSTS + 3) + PODS,
    )
    const age = h.metric('deepflow_relay_dictionary_age_seconds')!
    assert.ok(age >= 0 && age < 60, String(age))
    const status = await (await h.relay.app.request('/v1/status')).json() as { names: { kind: string; databases: unknown[] } }
    assert.equal(status.names.kind, 'clickhouse')
    const [db] = status.names.databases as { database: string; entries: number; error: string | null }[]
    // Every row but the deleted region and pod: names, devices and labelled live pods.
    assert.deepEqual(db, { ...db, database: 'flow_tag', error: null })
    assert.equal(db!.entries, 1 + 1 + 1 + 1 + 1 + (PODS - 1) + 1 + 1 + 1 + 1 + 1 + (PODS + HOSTS + 3) + PODS)
  } finally {
    await h.relay.stop()
  }
})

test('a rename shows after one refresh; an organisation reads its own database; ClickHouse down keeps the last names', {
  timeout: 120_000,
}, async () => {
  await createFlowTag('0002_flow_tag', { labels: false, pods: 200, podName: () => 'org2-productpage' })
  const h = await startHarness(
    `relay:
  universal-tags: {clickhouse: {url: "${ch.url}", refresh: 1}}
exporters:
${kafkaExporter('refresh')}`,
    { clock: createRealClock() },
  )
  let posted = 0
  /** Posts a record of `org` and returns its _id. */
  const post = async (org: number) => {
    const id = ++posted
    const body = JSON.stringify({ _id: id, time: BASE, end_time: BASE * 1_000_000, pod_id_0: 153, org_id: org })
    assert.equal((await h.post('flow_log.l7_flow_log', body)).status, 202)
    return id
  }
  /** The pod of the Kafka message of record `id` (the topic's partitions do not keep the order between them). */
  const podOf = async (id: number) => {
    const messages = await kafka.consume('refresh', posted, 30_000)
    const m = messages.map((m) => JSON.parse(m.value) as Record<string, unknown>).find((m) => m._id === id)!
    return m.pod_0 ?? m.pod_id_0
  }
  const refreshes = () => h.metric('deepflow_relay_dictionary_refreshes_total{outcome="ok"}') ?? 0
  try {
    assert.equal(await podOf(await post(1)), 'productpage-v1-7f9c')

    await ch.query(`ALTER TABLE flow_tag.pod_map UPDATE name = 'productpage-v2-1a2b' WHERE id = 153`)
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if ((await ch.query('SELECT name FROM flow_tag.pod_map WHERE id = 153')).trim() === 'productpage-v2-1a2b') break
      await new Promise((r) => setTimeout(r, 50))
    }
    const before = refreshes()
    await until(() => refreshes() >= before + 2, 'a refresh after the rename', 20_000)
    assert.equal(await podOf(await post(1)), 'productpage-v2-1a2b')

    // Org 2: its first record triggers the load of 0002_flow_tag (raw ids until it is in).
    assert.equal(await podOf(await post(2)), 153)
    const loaded = async () => {
      const s = await (await h.relay.app.request('/v1/status')).json() as {
        names: { databases: { database: string; age_s: number | null }[] }
      }
      return s.names.databases.find((d) => d.database === '0002_flow_tag')?.age_s != null
    }
    for (const deadline = Date.now() + 20_000; !(await loaded());) {
      if (Date.now() > deadline) throw new Error('0002_flow_tag never loaded')
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal(await podOf(await post(2)), 'org2-productpage')

    // ClickHouse goes away: refreshes fail, the names stay, the relay stays ready.
    chStopped = true
    await ch.stop()
    await until(() => (h.metric('deepflow_relay_dictionary_refreshes_total{outcome="error"}') ?? 0) >= 2, 'failed refreshes', 30_000)
    assert.equal(await podOf(await post(1)), 'productpage-v2-1a2b')
    assert.equal(await podOf(await post(2)), 'org2-productpage')
    assert.equal((await h.relay.app.request('/readyz')).status, 200)
    assert.ok(h.metric('deepflow_relay_dictionary_age_seconds')! >= 1)
    const status = await (await h.relay.app.request('/v1/status')).json() as { names: { databases: { error: string | null }[] } }
    assert.ok(status.names.databases.every((d) => d.error !== null), JSON.stringify(status.names))
    const warnings = h.logs.filter((l) => l.msg === 'universal-tags names not refreshed from ClickHouse; keeping the last ones')
    // Logged once per burst and database, not once per refresh.
    assert.ok(warnings.length >= 1 && warnings.length <= 2, JSON.stringify(warnings))
  } finally {
    await h.relay.stop()
  }
})
