// A JSON body through the normaliser, record by record (scanJsonRecords): the normaliser's reason
// codes (labels of deepflow_relay_records_rejected_total) with the sentences shown to clients,
// parser and normaliser errors together by position, a whole-body refusal after records were handed on.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dataSource } from '../../src/deepflow/schema.ts'
import { scanJsonRecords } from '../../src/ingest/json-records.ts'
import { DEFAULTS } from '../../src/config/defaults.ts'
import type { DeepFlowRecord } from '../../src/record/normalize.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'

const normalize = compileNormalizer(dataSource('flow_metrics.network.1m')!)

test('refused records carry a reason code and the client sentence; the unknown keys of accepted ones are counted', () => {
  const inputs = [
    { time: 1715133600, byte_tx: 1, extra: 1, more: 2 },
    { byte_tx: 1 },
    [1],
    { time: 1715133600, byte_tx: 'many' },
    { time: 'soon' },
  ]
  const added: DeepFlowRecord[] = []
  const out = scanJsonRecords(inputs.map((i) => JSON.stringify(i)).join('\n'), DEFAULTS.relay.limits, normalize, (r) => added.push(r))
  assert.ok(out.ok)
  assert.equal(added.length, 1)
  assert.equal(out.unknownFields, 2)
  assert.deepEqual(out.errors, [
    { position: { line: 2 }, reason: 'missing_field', field: 'time', error: 'required field is missing' },
    { position: { line: 3 }, reason: 'not_an_object', error: 'expected a JSON object, got an array' },
    { position: { line: 4 }, reason: 'invalid_value', field: 'byte_tx', error: 'expected an unsigned 64-bit integer, got "many"' },
    { position: { line: 5 }, reason: 'invalid_value', field: 'time', error: 'expected an unsigned 32-bit integer, got "soon"' },
  ])
})

test('a JSON body: each valid record handed on as its line is parsed; parser and normaliser errors together, by position; reasons in the order they were found', () => {
  const added: [number, DeepFlowRecord][] = []
  let line = 0
  const text = '{"byte_tx": 1}\n{"time": \n{"time": 1715133600}\n{"time": 1715133601, "byte_tx": 2}\n'
  const out = scanJsonRecords(text, DEFAULTS.relay.limits, normalize, (record) => added.push([++line, record]))
  assert.ok(out.ok)
  assert.deepEqual(added.map(([n, r]) => [n, r.timeUs]), [[1, 1715133600e6], [2, 1715133601e6]])
  assert.deepEqual(out.errors.map((e) => ({ ...e, error: e.error.slice(0, 13) })), [
    { position: { line: 1 }, reason: 'missing_field', field: 'time', error: 'required fiel' },
    { position: { line: 2 }, reason: 'invalid_json', error: 'invalid JSON:' },
  ])
  assert.deepEqual(out.reasons, ['invalid_json', 'missing_field'])
})

test('a body refused whole (too many records) after records were handed on: the refusal, nothing else', () => {
  const added: DeepFlowRecord[] = []
  const limits = { ...DEFAULTS.relay.limits, maxRecordsPerRequest: 2 }
  const out = scanJsonRecords('{"time": 1}\n{"time": 2}\n{"time": 3}\n', limits, normalize, (r) => added.push(r))
  assert.equal(out.ok, false)
  assert.equal(added.length, 2, 'the caller voids what it staged')
})
