// k8s labels (§2.3 writeK8sLabels, relay rule 8): only via $k8s.label / $k8s.label.<name> /
// ~$k8s.label.<regex>; keyed by the raw pod id; sorted by name; after the fields, before time_str.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dictionaryFrom, encodeOne } from '../../helpers/encode.ts'
import { DICT, T, TS_UTC } from './fixtures.ts'

const L7 = 'flow_log.l7_flow_log'
const FLOW = { time: T, end_time: 1715133600000000, pod_id_0: 153, pod_id_1: 177, ip4_0: '10.0.0.1' }
const l7 = (fields: string, extra = '') => encodeOne(`export-fields: ${fields}${extra}`, L7, FLOW, { dictionary: DICT })
const want = (ds: string, body: string) => `{"datasource":"${ds}"${body},"time_str":"${TS_UTC}"}`
// Pod 177's tier label is back"end\ (a quote and a backslash).
const SIDE1_ALL = String.raw`,"k8s_label_names_1":["app","tier","version"],"k8s_label_values_1":["reviews","back\"end\\","v2"]`

test('$k8s.label alone: every label of both sides, sorted by name, and no field at all (Q3 fix)', () => {
  assert.equal(l7('[$k8s.label]'), want(L7, `,"k8s_label_names_0":["app","version"],"k8s_label_values_0":["productpage","v1"]${SIDE1_ALL}`))
})

test('$k8s.label.<name>: that label only', () => {
  assert.equal(
    l7('[$k8s.label.app]'),
    want(
      L7,
      ',"k8s_label_names_0":["app"],"k8s_label_values_0":["productpage"],"k8s_label_names_1":["app"],"k8s_label_values_1":["reviews"]',
    ),
  )
  assert.equal(l7('[$k8s.label.tier]'), want(L7, String.raw`,"k8s_label_names_1":["tier"],"k8s_label_values_1":["back\"end\\"]`))
})

test('~$k8s.label.<regex>: anchored ^ver, and unanchored er', () => {
  assert.equal(
    l7('["~$k8s.label.^ver"]'),
    want(L7, ',"k8s_label_names_0":["version"],"k8s_label_values_0":["v1"],"k8s_label_names_1":["version"],"k8s_label_values_1":["v2"]'),
  )
  assert.equal(
    l7('["~$k8s.label.er"]'),
    want(
      L7,
      String
        .raw`,"k8s_label_names_0":["version"],"k8s_label_values_0":["v1"],"k8s_label_names_1":["tier","version"],"k8s_label_values_1":["back\"end\\","v2"]`,
    ),
  )
})

test('~$k8s.label.<regex> uses Go RE2 syntax: (?i), \\z, POSIX classes', () => {
  assert.equal(
    l7("['~$k8s.label.(?i)^APP']"),
    want(
      L7,
      ',"k8s_label_names_0":["app"],"k8s_label_values_0":["productpage"],"k8s_label_names_1":["app"],"k8s_label_values_1":["reviews"]',
    ),
  )
  assert.equal(l7("['~$k8s.label.r\\z']"), want(L7, String.raw`,"k8s_label_names_1":["tier"],"k8s_label_values_1":["back\"end\\"]`))
  assert.equal(
    l7("['~$k8s.label.^[[:alpha:]]{4,}$']"),
    want(
      L7,
      String
        .raw`,"k8s_label_names_0":["version"],"k8s_label_values_0":["v1"],"k8s_label_names_1":["tier","version"],"k8s_label_values_1":["back\"end\\","v2"]`,
    ),
  )
})

test('no label matches: no arrays', () => {
  assert.equal(l7('[$k8s.label.nope]'), want(L7, ''))
  assert.equal(l7('["~$k8s.label.^x"]'), want(L7, ''))
})

test('labels come after the fields and are keyed by the raw pod id, whatever is exported or translated', () => {
  const fields = ',"time":1715133600,"ip4_0":"10.0.0.1","end_time":1715133600000000,"pod_0":"productpage-v1-7f9c","pod_1":"reviews-v2-5d8f"'
  const labels = `,"k8s_label_names_0":["app","version"],"k8s_label_values_0":["productpage","v1"]${SIDE1_ALL}`
  assert.equal(l7('[$tag, $metrics, $k8s.label]'), want(L7, fields + labels))
  assert.equal(l7('[ip4_0, $k8s.label]'), want(L7, `,"ip4_0":"10.0.0.1"${labels}`))
  const raw = ',"time":1715133600,"ip4_0":"10.0.0.1","end_time":1715133600000000,"pod_id_0":153,"pod_id_1":177'
  assert.equal(l7('[$tag, $k8s.label]', '\nuniversal-tag-translate-to-name-disabled: true'), want(L7, raw + labels))
})

test('[$tag, $metrics] without $k8s.label: no labels', () => {
  assert.equal(l7('[$tag, $metrics]')!.includes('k8s_label'), false)
})

test('non-map sources use pod_id and unsuffixed keys', () => {
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    encodeOne('export-fields: [$tag, $k8s.label]', ds, { time: T, pod_id: 153, agent_id: 7 }, { dictionary: DICT }),
    want(
      ds,
      ',"time":1715133600,"pod":"productpage-v1-7f9c","agent":"node-1-V3","k8s_label_names":["app","version"],"k8s_label_values":["productpage","v1"]',
    ),
  )
  const ev = 'event.file_event'
  assert.equal(
    encodeOne('export-fields: [$k8s.label.app]', ev, { time: T, end_time: 1715133600000000, pod_id: 177 }, { dictionary: DICT }),
    want(ev, ',"k8s_label_names":["app"],"k8s_label_values":["reviews"]'),
  )
})

test('map flow_metrics: client pod given as pod_id -> _0 arrays, pod_id_1 -> _1 arrays', () => {
  const ds = 'flow_metrics.application_map.1m'
  assert.equal(
    encodeOne('export-fields: [$k8s.label.version]', ds, { time: T, pod_id: 177, pod_id_1: 153 }, { dictionary: DICT }),
    want(ds, ',"k8s_label_names_0":["version"],"k8s_label_values_0":["v2"],"k8s_label_names_1":["version"],"k8s_label_values_1":["v1"]'),
  )
})

test('a pod without labels, pod id 0 or no pod id: no arrays for that side', () => {
  assert.equal(
    encodeOne('export-fields: [$k8s.label]', L7, { time: T, end_time: 1715133600000000, pod_id_0: 0, pod_id_1: 177 }, { dictionary: DICT }),
    want(L7, SIDE1_ALL),
  )
  assert.equal(
    encodeOne('export-fields: [$k8s.label]', L7, { time: T, end_time: 1715133600000000, pod_id_0: 500 }, { dictionary: DICT }),
    want(L7, ''),
  )
})

test('label names and values are JSON-escaped (Q10 fix)', () => {
  const dictionary = dictionaryFrom({ k8s_labels: { '9': { 'a"b': 'c\\d\n', 'e\tf': '\u0001😀', plain: 'x' } } })
  const ds = 'flow_metrics.network.1s'
  assert.equal(
    encodeOne('export-fields: [$k8s.label]', ds, { time: T, pod_id: 9 }, { dictionary }),
    want(ds, ',"k8s_label_names":["a\\"b","e\\tf","plain"],"k8s_label_values":["c\\\\d\\n","\\u0001😀","x"]'),
  )
})
