import test from 'node:test'
import assert from 'node:assert/strict'
import { parseJsonLossless, quoteLongIntegers } from '../../src/record/lossless-json.ts'

test('integer literals of 16 or more digits become exact decimal strings', () => {
  assert.deepEqual(parseJsonLossless('{"a":18446744073709551615,"b":-9223372036854775808,"c":9007199254740993,"d":123}'), {
    a: '18446744073709551615',
    b: '-9223372036854775808',
    c: '9007199254740993',
    d: 123,
  })
})

test('digits inside strings, fractions and exponents are left alone', () => {
  const text = '{"s":"12345678901234567890","e":"\\"1234567890123456789","f":1234567890123456.5,"x":1234567890123456789e2}'
  assert.equal(quoteLongIntegers(text), text)
})

test('arrays and nesting are handled', () => {
  assert.equal(
    quoteLongIntegers('[1,[12345678901234567],{"k":[99999999999999999]}]'),
    '[1,["12345678901234567"],{"k":["99999999999999999"]}]',
  )
})
