// Combining filters (exporters.go IsExportItem) with DeepFlow's Q1 and Q2 fixed: `or` rejects when
// nothing matches; a group none of whose fields exist in the data source is skipped whatever its
// position. Legacy tag-filters that name a field of the data source take precedence over groups.
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne, encodeRecords, exporterFromYaml } from '../helpers/encode.ts'

const L7 = 'flow_log.l7_flow_log'
const L4 = 'flow_log.l4_flow_log'
const NETWORK = 'flow_metrics.network.1m'
const NETWORK_MAP = 'flow_metrics.network_map.1m'
const APP_MAP = 'flow_metrics.application_map.1m'
const LOG_TIME = { time: 1715133600, end_time: 1715133600000000 }
const GET = { ...LOG_TIME, request_type: 'GET', server_port: 443 }

const f = (field: string, operator: string, ...values: string[]) =>
  JSON.stringify({ 'field-name': field, operator, 'field-values': values })
const group = (type: 'and' | 'or', ...filters: string[]) =>
  `  - tag-filter-condition: {type: ${type}}\n    tag-filters: [${filters.join(', ')}]`

function keeps(ds: string, entryYaml: string, record: object): boolean {
  return encodeOne(`export-fields: [$tag]\n${entryYaml}`, ds, record) !== null
}
/** Exporter over several data sources; one record through one of them. */
function keepsIn(sources: string[], entryYaml: string, ds: string, record: object): boolean {
  const e = exporterFromYaml(`data-sources: [${sources.join(', ')}]\nexport-fields: [$tag]\n${entryYaml}`)
  return encodeRecords(e, ds, [record])[0] !== null
}

test('no filters: every record is exported', () => {
  assert.equal(keeps(L7, '', GET), true)
})

test('legacy tag-filters without a condition are AND-ed', () => {
  assert.equal(keeps(L7, `tag-filters: [${f('request_type', '=', 'GET')}, ${f('server_port', '=', '443')}]`, GET), true)
  assert.equal(keeps(L7, `tag-filters: [${f('request_type', '=', 'GET')}, ${f('server_port', '=', '80')}]`, GET), false)
  assert.equal(keeps(L7, `tag-filters: [${f('request_type', '=', 'PUT')}, ${f('server_port', '=', '443')}]`, GET), false)
})

test('legacy tag-filters with type: and', () => {
  const cond = 'tag-filter-condition: {type: and}\n'
  assert.equal(keeps(L7, `${cond}tag-filters: [${f('request_type', '=', 'GET')}, ${f('server_port', '=', '443')}]`, GET), true)
  assert.equal(keeps(L7, `${cond}tag-filters: [${f('request_type', '=', 'GET')}, ${f('server_port', '=', '80')}]`, GET), false)
})

test('legacy tag-filters with type: or keep the record when one filter matches', () => {
  const cond = 'tag-filter-condition: {type: or}\n'
  assert.equal(keeps(L7, `${cond}tag-filters: [${f('request_type', '=', 'PUT')}, ${f('server_port', '=', '443')}]`, GET), true)
  assert.equal(keeps(L7, `${cond}tag-filters: [${f('request_type', '=', 'GET')}, ${f('server_port', '=', '80')}]`, GET), true)
})

test('legacy tag-filters with type: or REJECT the record when no filter matches (fix of Q1)', () => {
  const cond = 'tag-filter-condition: {type: or}\n'
  assert.equal(keeps(L7, `${cond}tag-filters: [${f('request_type', '=', 'PUT')}, ${f('server_port', '=', '80')}]`, GET), false)
})

test('a single legacy filter with type: or rejects when it does not match', () => {
  assert.equal(keeps(L7, `tag-filter-condition: {type: or}\ntag-filters: [${f('request_type', '=', 'PUT')}]`, GET), false)
})

test('groups are OR-ed: one matching group is enough', () => {
  const groups = (a: string, b: string) => `tag-filters-groups:\n${group('and', a)}\n${group('and', b)}`
  assert.equal(keeps(L7, groups(f('request_type', '=', 'PUT'), f('server_port', '=', '443')), GET), true)
  assert.equal(keeps(L7, groups(f('request_type', '=', 'GET'), f('server_port', '=', '80')), GET), true)
  assert.equal(keeps(L7, groups(f('request_type', '=', 'PUT'), f('server_port', '=', '80')), GET), false)
})

test('each group uses its own condition: an and group and an or group', () => {
  const yaml = (andB: string, orA: string, orB: string) =>
    `tag-filters-groups:\n${group('and', f('request_type', '=', 'GET'), andB)}\n${group('or', orA, orB)}`
  // and group fails (server_port 80), or group has one match
  assert.equal(keeps(L7, yaml(f('server_port', '=', '80'), f('request_type', '=', 'PUT'), f('server_port', '=', '443')), GET), true)
  // and group fails, or group has no match
  assert.equal(keeps(L7, yaml(f('server_port', '=', '80'), f('request_type', '=', 'PUT'), f('server_port', '=', '8080')), GET), false)
  // and group matches
  assert.equal(keeps(L7, yaml(f('server_port', '=', '443'), f('request_type', '=', 'PUT'), f('server_port', '=', '8080')), GET), true)
})

test('a group with type: or rejects when none of its filters match (fix of Q1)', () => {
  const yaml = `tag-filters-groups:\n${group('or', f('request_type', '=', 'PUT'), f('server_port', '=', '80'))}`
  assert.equal(keeps(L7, yaml, GET), false)
})

test('a group without tag-filter-condition is AND-ed', () => {
  const yaml = (port: string) => `tag-filters-groups:\n  - tag-filters: [${f('request_type', '=', 'GET')}, ${f('server_port', '=', port)}]`
  assert.equal(keeps(L7, yaml('443'), GET), true)
  assert.equal(keeps(L7, yaml('80'), GET), false)
})

// mac_0 exists in flow_log.l4_flow_log only; request_type in flow_log.l7_flow_log only.
const BOTH = [L7, L4]
const ABSENT_IN_L7 = group('and', f('mac_0', '=', '00:11:22:33:44:55'))

test('Q2 fix: [failing group, group absent from the data source] rejects', () => {
  const yaml = `tag-filters-groups:\n${group('and', f('request_type', '=', 'PUT'))}\n${ABSENT_IN_L7}`
  assert.equal(keepsIn(BOTH, yaml, L7, GET), false)
})

test('Q2 fix: [group absent from the data source, failing group] rejects', () => {
  const yaml = `tag-filters-groups:\n${ABSENT_IN_L7}\n${group('and', f('request_type', '=', 'PUT'))}`
  assert.equal(keepsIn(BOTH, yaml, L7, GET), false)
})

test('Q2 fix: a matching group is kept in either order next to an absent group', () => {
  assert.equal(keepsIn(BOTH, `tag-filters-groups:\n${group('and', f('request_type', '=', 'GET'))}\n${ABSENT_IN_L7}`, L7, GET), true)
  assert.equal(keepsIn(BOTH, `tag-filters-groups:\n${ABSENT_IN_L7}\n${group('and', f('request_type', '=', 'GET'))}`, L7, GET), true)
})

test('the group absent from L7 decides alone in L4, where the L7-only group is skipped', () => {
  const yaml = `tag-filters-groups:\n${group('and', f('request_type', '=', 'PUT'))}\n${ABSENT_IN_L7}`
  assert.equal(keepsIn(BOTH, yaml, L4, { ...LOG_TIME, mac_0: '00:11:22:33:44:55' }), true)
  assert.equal(keepsIn(BOTH, yaml, L4, { ...LOG_TIME, mac_0: '00:11:22:33:44:66' }), false)
})

test('when every group is absent from the data source, every record is exported', () => {
  const yaml = `tag-filters-groups:\n${ABSENT_IN_L7}\n${group('or', f('mac_1', '=', '1'), f('mac_0', '=', '2'))}`
  const e = exporterFromYaml(`data-sources: [${L7}, ${L4}]\nexport-fields: [$tag]\n${yaml}`)
  assert.deepEqual(encodeRecords(e, L7, [GET, { ...LOG_TIME, request_type: 'PUT' }]).map((line) => line !== null), [true, true])
})

test('filters of a group on fields absent from the data source are ignored, the others decide', () => {
  const yaml = (type: string) => `tag-filters-groups:\n${group(type as 'and', f('request_type', '=', 'GET'), f('mac_0', '=', '99'))}`
  assert.equal(keepsIn(BOTH, yaml('and'), L7, GET), true)
  assert.equal(keepsIn(BOTH, yaml('and'), L7, { ...GET, request_type: 'PUT' }), false)
  assert.equal(keepsIn(BOTH, yaml('or'), L7, { ...GET, request_type: 'PUT' }), false)
})

test('legacy filters on a field of the data source take precedence: groups are ignored (legacy true)', () => {
  const yaml = `tag-filters: [${f('request_type', '=', 'GET')}]\ntag-filters-groups:\n${group('and', f('server_port', '=', '80'))}`
  assert.equal(keeps(L7, yaml, GET), true)
})

test('legacy filters on a field of the data source take precedence: groups are ignored (legacy false)', () => {
  const yaml = `tag-filters: [${f('request_type', '=', 'PUT')}]\ntag-filters-groups:\n${group('and', f('server_port', '=', '443'))}`
  assert.equal(keeps(L7, yaml, GET), false)
})

test('legacy filters whose field is absent from the data source leave the groups in charge', () => {
  const yaml = `tag-filters: [${f('mac_0', '=', '00:11:22:33:44:55')}]\ntag-filters-groups:\n${group('and', f('server_port', '=', '443'))}`
  assert.equal(keepsIn(BOTH, yaml, L7, GET), true)
  assert.equal(keepsIn(BOTH, yaml, L7, { ...GET, server_port: 80 }), false)
})

test('in the data source where the legacy field exists, the same config ignores the groups', () => {
  const yaml = `tag-filters: [${f('mac_0', '=', '00:11:22:33:44:55')}]\ntag-filters-groups:\n${group('and', f('server_port', '=', '443'))}`
  assert.equal(keepsIn(BOTH, yaml, L4, { ...LOG_TIME, mac_0: '00:11:22:33:44:55', server_port: 80 }), true)
  assert.equal(keepsIn(BOTH, yaml, L4, { ...LOG_TIME, mac_0: '00:11:22:33:44:66', server_port: 443 }), false)
})

test('the legacy condition applies to legacy filters only, groups keep their own', () => {
  const yaml = `tag-filter-condition: {type: or}\ntag-filters: [${f('mac_0', '=', '1')}, ${f('mac_1', '=', '2')}]\ntag-filters-groups:\n${
    group('and', f('request_type', '=', 'GET'), f('server_port', '=', '80'))
  }`
  assert.equal(keepsIn(BOTH, yaml, L7, GET), false)
  assert.equal(keepsIn(BOTH, yaml, L7, { ...GET, server_port: 80 }), true)
})

const MAP_RECORD = { time: 1715133600, pod_id_0: 5, pod_id_1: 7, ip4_0: '10.1.2.3' }

test('*_map flow_metrics: filter field names are the json names (pod_id, ip4)', () => {
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('pod_id', '=', '5')}]`, MAP_RECORD), true)
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('pod_id', '=', '7')}]`, MAP_RECORD), false)
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('ip4', '=', '10.1.2.3')}]`, MAP_RECORD), true)
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('ip4', '=', '10.1.2.4')}]`, MAP_RECORD), false)
})

test('*_map flow_metrics: the _0 spellings (pod_id_0, ip4_0) are accepted too', () => {
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('pod_id_0', '=', '5')}]`, MAP_RECORD), true)
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('pod_id_0', '=', '7')}]`, MAP_RECORD), false)
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('ip4_0', ':', '10.1.*')}]`, MAP_RECORD), true)
})

test('*_map flow_metrics: the server side is pod_id_1', () => {
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('pod_id_1', '=', '7')}]`, MAP_RECORD), true)
  assert.equal(keeps(NETWORK_MAP, `tag-filters: [${f('pod_id_1', '=', '5')}]`, MAP_RECORD), false)
})

test('application_map: pod_id and pod_id_0 both bind to the client side', () => {
  assert.equal(keeps(APP_MAP, `tag-filters: [${f('pod_id', 'in', '5', '6')}]`, MAP_RECORD), true)
  assert.equal(keeps(APP_MAP, `tag-filters: [${f('pod_id_0', 'not in', '5')}]`, MAP_RECORD), false)
})

test('non-map flow_metrics: pod_id is the field', () => {
  assert.equal(keeps(NETWORK, `tag-filters: [${f('pod_id', '=', '5')}]`, { time: 1715133600, pod_id: 5 }), true)
  assert.equal(keeps(NETWORK, `tag-filters: [${f('pod_id', '=', '5')}]`, { time: 1715133600, pod_id: 6 }), false)
})

test('flow logs: _0 is the client side and _1 the server side', () => {
  const record = { ...LOG_TIME, pod_id_0: 5, pod_id_1: 7 }
  assert.equal(keeps(L7, `tag-filters: [${f('pod_id_0', '=', '5')}]`, record), true)
  assert.equal(keeps(L7, `tag-filters: [${f('pod_id_1', '=', '5')}]`, record), false)
  assert.equal(keeps(L4, `tag-filters: [${f('pod_id_1', '=', '7')}]`, record), true)
  assert.equal(keeps(L4, `tag-filters: [${f('pod_id_0', '=', '7')}]`, record), false)
})

test('flow logs: the bare name pod_id is not a field of flow_log.l7_flow_log: the filter does not apply (a warning)', () => {
  const record = { ...LOG_TIME, pod_id_0: 5 }
  assert.equal(keeps(L7, `tag-filters: [${f('pod_id', '=', '6')}]`, record), true)
  assert.equal(keeps(L7, `tag-filters-groups:\n${group('and', f('pod_id', '=', '6'), f('pod_id_0', '=', '6'))}`, record), false)
  assert.equal(keeps(L7, `tag-filters-groups:\n${group('and', f('pod_id', '=', '6'), f('pod_id_0', '=', '5'))}`, record), true)
})

test("a filter without an operator matches every value (DeepFlow's INVALID_OPERATOR_ID): true in an or group, neutral in an and group", () => {
  const record = { ...LOG_TIME, pod_id_0: 5 }
  const noOperator = JSON.stringify({ 'field-name': 'pod_id_0', 'field-values': ['6'] })
  assert.equal(keeps(L7, `tag-filters-groups:\n${group('or', noOperator, f('pod_id_0', '=', '6'))}`, record), true)
  assert.equal(keeps(L7, `tag-filters-groups:\n${group('and', noOperator, f('pod_id_0', '=', '6'))}`, record), false)
  assert.equal(keeps(L7, `tag-filters-groups:\n${group('and', noOperator, f('pod_id_0', '=', '5'))}`, record), true)
})
