// relay.memory-limit: the budget in bytes, written as a number or a Kubernetes-style quantity;
// absent or null leaves the budget to the cgroup. Anything else is refused with its line.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { parseByteQuantity } from '../../src/config-file/schema.ts'
import { exportersYaml, formatted, STDOUT } from './helpers.ts'

const withLimit = (value: string) => `relay:\n  memory-limit: ${value}\n${exportersYaml([STDOUT])}`

test('numbers and quantities: binary (Ki, Mi, Gi, Ti) and decimal (k, K, M, G, T) units, fractions floored', () => {
  const cases: [string, number][] = [
    ['268435456', 268435456],
    ['256Mi', 256 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['64Ki', 65536],
    ['2Ti', 2 * 2 ** 40],
    ['512M', 512e6],
    ['1G', 1e9],
    ['100k', 100_000],
    ['100K', 100_000],
    ['0.5Ki', 512],
    ['1.0001', 1],
  ]
  for (const [text, bytes] of cases) {
    assert.equal(parseByteQuantity(text), bytes, text)
    assert.equal(parseConfig(withLimit(text), '/r.yaml').relay.memoryLimit, bytes, text)
  }
  assert.equal(parseConfig(withLimit('"256Mi"'), '/r.yaml').relay.memoryLimit, 256 * 2 ** 20)
})

test('absent or null: no relay limit (the cgroup decides)', () => {
  assert.equal(parseConfig(exportersYaml([STDOUT]), '/r.yaml').relay.memoryLimit, null)
  assert.equal(parseConfig(withLimit('null'), '/r.yaml').relay.memoryLimit, null)
  assert.equal(parseConfig(withLimit('~'), '/r.yaml').relay.memoryLimit, null)
})

test('not a size: refused with the value and the line', () => {
  const expected = (
    got: string,
  ) => [`relay.memory-limit: expected a number of bytes or a quantity such as 256Mi or 1Gi, got ${got} (line 2)`]
  assert.deepEqual(formatted(withLimit('lots')), expected('"lots"'))
  assert.deepEqual(formatted(withLimit('256MB')), expected('"256MB"'))
  assert.deepEqual(formatted(withLimit('0')), expected('"0"'))
  assert.deepEqual(formatted(withLimit('-1Gi')), expected('"-1Gi"'))
  assert.deepEqual(formatted(withLimit('0.1')), expected('"0.1"'))
  assert.deepEqual(formatted(withLimit('[1]')), [
    'relay.memory-limit: expected a number of bytes or a quantity such as 256Mi or 1Gi, got a list (line 2)',
  ])
})
