// The normalize step and the normaliser's reason codes (labels of
// deepflow_relay_records_rejected_total), with the sentences shown to clients.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dataSource } from '../../src/deepflow/schema.ts'
import { jsonRecords } from '../../src/ingest/json-records.ts'
import { normalizeAll } from '../../src/ingest/normalize-step.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'

const normalize = compileNormalizer(dataSource('flow_metrics.network.1m')!)

test('accepted records keep the input they came from; refused ones carry a reason code and the client sentence', () => {
  const inputs = [
    { id: 'a', v: { time: 1715133600, byte_tx: 1, extra: 1, more: 2 } },
    { id: 'b', v: { byte_tx: 1 } },
    { id: 'c', v: [1] },
    { id: 'd', v: { time: 1715133600, byte_tx: 'many' } },
    { id: 'f', v: { time: 'soon' } },
  ]
  const out = normalizeAll(normalize, inputs, (i) => i.v)
  assert.deepEqual(out.inputs.map((i) => i.id), ['a'])
  assert.equal(out.records.length, 1)
  assert.equal(out.unknownFields, 2)
  assert.deepEqual(out.refused.map(({ input, ...r }) => ({ id: input.id, ...r })), [
    { id: 'b', reason: 'missing_field', field: 'time', error: 'required field is missing' },
    { id: 'c', reason: 'not_an_object', error: 'expected a JSON object, got an array' },
    { id: 'd', reason: 'invalid_value', field: 'byte_tx', error: 'expected an unsigned 64-bit integer, got "many"' },
    { id: 'f', reason: 'invalid_value', field: 'time', error: 'expected an unsigned 32-bit integer, got "soon"' },
  ])
})

test('a JSON body: parser and normaliser errors together, by position; reasons in the order they were found', () => {
  const out = jsonRecords(normalize, {
    candidates: [{ position: { line: 1 }, value: { byte_tx: 1 } }, { position: { line: 3 }, value: { time: 1715133600 } }],
    errors: [{ position: { line: 2 }, reason: 'invalid_json', error: 'invalid JSON: x' }],
  })
  assert.equal(out.records.length, 1)
  assert.deepEqual(out.errors, [
    { position: { line: 1 }, reason: 'missing_field', field: 'time', error: 'required field is missing' },
    { position: { line: 2 }, reason: 'invalid_json', error: 'invalid JSON: x' },
  ])
  assert.deepEqual(out.reasons, ['invalid_json', 'missing_field'])
})
