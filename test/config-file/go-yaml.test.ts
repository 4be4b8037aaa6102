// Plain scalars resolved as gopkg.in/yaml.v2 resolves them (resolve.go: its resolveMap, then
// timestamps, strconv.ParseInt/ParseUint with base 0 after removing `_`, then YAML-style floats),
// and what a quoted scalar, an empty value and a key become.
import test from 'node:test'
import assert from 'node:assert/strict'
import { GoScalar, goYamlData, parseGoYaml } from '../../src/config-file/go-yaml.ts'

const value = (text: string): unknown => {
  const { doc } = parseGoYaml(`v: ${text}\n`)
  assert.deepEqual(doc.errors, [], text)
  return (goYamlData(doc) as { v: unknown }).v
}
const go = (kind: GoScalar['kind'], v: number | boolean, text: string) => new GoScalar(kind, v, text)

/** [YAML text, what yaml.v2 resolves it to] */
const CASES: [string, unknown][] = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((t): [string, unknown] => [t, go('bool', true, t)]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((t): [string, unknown] => [t, go('bool', false, t)]),
  ...['', '~', 'null', 'Null', 'NULL'].map((t): [string, unknown] => [t, null]),
  ['tRUE', 'tRUE'],
  ['yES', 'yES'],
  ['10', go('int', 10, '10')],
  ['+10', go('int', 10, '+10')],
  ['-10', go('int', -10, '-10')],
  ['0', go('int', 0, '0')],
  ['0755', go('int', 493, '0755')],
  ['0o17', go('int', 15, '0o17')],
  ['0x1F', go('int', 31, '0x1F')],
  ['0b101', go('int', 5, '0b101')],
  ['-0b11', go('int', -3, '-0b11')],
  ['1_000', go('int', 1000, '1_000')],
  ['09', go('float', 9, '09')],
  ['1.5', go('float', 1.5, '1.5')],
  ['1e3', go('float', 1000, '1e3')],
  ['.5', go('float', 0.5, '.5')],
  ['-.5', go('float', -0.5, '-.5')],
  ['.inf', go('float', Infinity, '.inf')],
  ['-.Inf', go('float', -Infinity, '-.Inf')],
  ['.NaN', go('float', Number.NaN, '.NaN')],
  ['18446744073709551615', go('int', 18446744073709551615, '18446744073709551615')],
  ['18446744073709551616', go('float', 18446744073709551616, '18446744073709551616')],
  // Not numbers: timestamps (yaml.v2 tries them before numbers), addresses, versions, sexagesimals (not YAML 1.1 here).
  ['2026-11-01', '2026-11-01'],
  ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'],
  ['127.0.0.1:9092', '127.0.0.1:9092'],
  ['1.2.3', '1.2.3'],
  ['12:30', '12:30'],
  ['0x', '0x'],
  ['-x', '-x'],
  ['.', '.'],
  ['1e', '1e'],
  ['$tag', '$tag'],
  // Quoted: always a string.
  ['"yes"', 'yes'],
  ["'10'", '10'],
  ['""', ''],
  ['"~"', '~'],
]

for (const [text, expected] of CASES) {
  test(`yaml.v2 resolves ${JSON.stringify(text)} as ${expected instanceof GoScalar ? `${expected.kind} ${String(expected.value)}` : JSON.stringify(expected)}`, () => {
    assert.deepEqual(value(text), expected)
  })
}

test('keys are strings, as Go decodes them into field names and map[string]string keys', () => {
  const { doc } = parseGoYaml('yes: 1\n10: 2\nnull: 3\n')
  assert.deepEqual(Object.keys(goYamlData(doc) as object).sort(), ['10', 'null', 'yes'])
})

test('the last of two equal keys wins, as in yaml.v2 (not an error)', () => {
  const { doc } = parseGoYaml('a: 1\na: 2\n')
  assert.deepEqual(doc.errors, [])
  assert.deepEqual(goYamlData(doc), { a: go('int', 2, '2') })
})
