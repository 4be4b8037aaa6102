// export-empty-tag and export-empty-metrics-disabled, exactly as DeepFlow (§2.3 steps 5-6, Q16 kept).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { T, TS_UTC } from './fixtures.ts'

const L7 = 'flow_log.l7_flow_log'
const RECORD = {
  version: '',
  request_type: 'GET',
  response_code: 0,
  app_service: '',
  response_duration: 0,
  request_length: 0,
  direction_score: 0,
  captured_request_byte: 10,
  attribute_names: [],
  attribute_values: ['x'],
  metrics_names: [],
  metrics_values: [],
  time: T,
  tunnel_type: 0,
  end_time: 1715133600000000,
}
const ALL = 'export-fields: [$tag, $metrics]'
const line = (body: string) => `{"datasource":"${L7}",${body},"time_str":"${TS_UTC}"}`

test('defaults: empty string and empty array tags dropped, numeric 0 tags and 0 metrics kept', () => {
  assert.equal(
    encodeOne(ALL, L7, RECORD),
    line(
      '"request_type":"GET","response_code":0,"response_duration":0,"request_length":0,"direction_score":0,"captured_request_byte":10,"attribute_values":["x"],"metrics_names":[],"metrics_values":[],"time":1715133600,"tunnel_type":0,"end_time":1715133600000000',
    ),
  )
})

test('export-empty-tag: true writes "" and [] tags', () => {
  assert.equal(
    encodeOne(`${ALL}\nexport-empty-tag: true`, L7, RECORD),
    line(
      '"version":"","request_type":"GET","response_code":0,"app_service":"","response_duration":0,"request_length":0,"direction_score":0,"captured_request_byte":10,"attribute_names":[],"attribute_values":["x"],"metrics_names":[],"metrics_values":[],"time":1715133600,"tunnel_type":0,"end_time":1715133600000000',
    ),
  )
})

test('export-empty-metrics-disabled: true drops 0 metrics and empty number arrays, keeps metrics_names [] (Q16)', () => {
  assert.equal(
    encodeOne(`${ALL}\nexport-empty-metrics-disabled: true`, L7, RECORD),
    line(
      '"request_type":"GET","response_code":0,"captured_request_byte":10,"attribute_values":["x"],"metrics_names":[],"time":1715133600,"tunnel_type":0,"end_time":1715133600000000',
    ),
  )
})

test('both switched: empty tags written, empty metrics dropped', () => {
  assert.equal(
    encodeOne(`${ALL}\nexport-empty-tag: true\nexport-empty-metrics-disabled: true`, L7, RECORD),
    line(
      '"version":"","request_type":"GET","response_code":0,"app_service":"","captured_request_byte":10,"attribute_names":[],"attribute_values":["x"],"metrics_names":[],"time":1715133600,"tunnel_type":0,"end_time":1715133600000000',
    ),
  )
})

test('export-empty-metrics-disabled on flow_metrics: zero meters dropped, zero tags kept', () => {
  const record = { time: T, byte_tx: 0, byte_rx: 5, rtt_max: 0, retrans_tx: 0, thread_id: 0, server_port: 0, org_id: 0 }
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    encodeOne(`${ALL}\nexport-empty-metrics-disabled: true`, ds, record),
    `{"datasource":"${ds}","time":1715133600,"byte_rx":5,"thread_id":0,"server_port":0,"org_id":0,"time_str":"${TS_UTC}"}`,
  )
  assert.equal(
    encodeOne(ALL, ds, record),
    `{"datasource":"${ds}","time":1715133600,"byte_tx":0,"byte_rx":5,"rtt_max":0,"retrans_tx":0,"thread_id":0,"server_port":0,"org_id":0,"time_str":"${TS_UTC}"}`,
  )
})

test('a 64-bit zero metric given as a string is dropped too; a non-zero one is kept exactly', () => {
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    encodeOne(`export-fields: [$metrics]\nexport-empty-metrics-disabled: true`, ds, {
      time: T,
      byte_tx: '0',
      byte_rx: '18446744073709551615',
    }),
    `{"datasource":"${ds}","byte_rx":18446744073709551615,"time_str":"${TS_UTC}"}`,
  )
})
