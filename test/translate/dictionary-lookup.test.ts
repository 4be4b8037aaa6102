// The dictionary's lookups by number (what translators use) give exactly what a lookup by the id's
// text gives: name(kind, String(id)).
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseDictionary } from '../../src/translate/dictionary.ts'

const parsed = parseDictionary(JSON.stringify({
  pod: { '153': 'productpage', '0153': 'leading-zero', '18446744073709551615': 'max-u64', '1e3': 'exponent' },
  region: { '7': 'region-7' },
  device: { '102:176': 'reviews', '6:9007199254740993': 'big-host', '1:x': 'not-a-number' },
}))
if (!parsed.ok) throw new Error(parsed.error)
const dict = parsed.dictionary

test('ids(kind).get(id) finds the names of numeric ids, and bigints by their text', () => {
  const pods = dict.ids('pod')
  assert.equal(pods.get(153), 'productpage')
  assert.equal(pods.get(153n), 'productpage')
  assert.equal(pods.get(18446744073709551615n), 'max-u64')
  assert.equal(dict.ids('region').get(7), 'region-7')
  assert.equal(dict.ids('az').get(7), undefined)
})

test('keys that are not a number written as String() writes it are never matched by a number', () => {
  // "0153" and "1e3" are not how an id is written: name('pod', String(153)) and String(1000) miss them too.
  assert.equal(dict.ids('pod').get(1000), dict.name('pod', String(1000)))
  assert.equal(dict.ids('pod').get(1000), undefined)
  assert.equal(dict.name('pod', '0153'), 'leading-zero')
})

test('deviceName(type, id) is name("device", "type:id")', () => {
  assert.equal(dict.deviceName(102, 176), 'reviews')
  assert.equal(dict.deviceName(102n, 176), 'reviews')
  assert.equal(dict.deviceName(6, 9007199254740993n), 'big-host')
  assert.equal(dict.deviceName(6, 176), undefined)
  assert.equal(dict.deviceName(1, 0), undefined)
})

test('a dictionary of the wrong shape is refused naming the first bad path', () => {
  const error = (json: unknown) => {
    const r = parseDictionary(JSON.stringify(json))
    return r.ok ? 'accepted' : r.error
  }
  assert.equal(error([1]), '(top level): expected an object of kinds')
  assert.equal(error({ pod: [] }), 'pod: expected a map of id to name')
  assert.equal(error({ pod: { '1': 'a', '2': 3 } }), 'pod.2: expected a name (string)')
  assert.equal(error({ k8s_labels: { '1': 'app' } }), 'k8s_labels.1: expected a map of label name to value')
  assert.equal(error({ k8s_labels: { '1': { app: 'x', tier: null } } }), 'k8s_labels.1.tier: expected a label value (string)')
  assert.equal(error({ k8s_labels: { '1': { app: 'x' } }, region: { '1': 'r' } }), 'accepted')
})
