// relay.universal-tags: a file, the word clickhouse (the first ClickHouse source's connection), or
// {clickhouse: {url, user, password, database, org-id, refresh}}; problems name the YAML path.
import test from 'node:test'
import assert from 'node:assert/strict'
import YAML from 'yaml'
import { parseConfig } from '../../src/config-file/load.ts'
import { renderEffectiveConfig } from '../../src/cli/effective-config.ts'
import { formatted } from './helpers.ts'

const EXPORTERS = `exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag]}
`
const SOURCE = `sources:
  - clickhouse: {url: 'http://ch:8123', user: reader, password: s3cret, data-sources: [flow_log.l7_flow_log]}
`
const withTags = (value: string, source = SOURCE) => `relay:\n  universal-tags: ${value}\n${source}${EXPORTERS}`

test('a file path, relative to the config file', () => {
  assert.deepEqual(parseConfig(withTags('tags.json', ''), '/etc/relay/relay.yaml').relay.universalTags, {
    kind: 'file',
    path: '/etc/relay/tags.json',
  })
  assert.deepEqual(parseConfig(withTags('./clickhouse', ''), '/etc/relay/relay.yaml').relay.universalTags, {
    kind: 'file',
    path: '/etc/relay/clickhouse',
  })
})

test("the word clickhouse: the first source's connection, refreshed every 60 s, by each record's org", () => {
  assert.deepEqual(parseConfig(withTags('clickhouse'), 'r.yaml').relay.universalTags, {
    kind: 'clickhouse',
    url: 'http://ch:8123',
    user: 'reader',
    password: 's3cret',
    database: null,
    orgId: null,
    refresh: 60,
  })
})

test('the word clickhouse without a ClickHouse source is an error that says what to write', () => {
  assert.deepEqual(formatted(withTags('clickhouse', '')), [
    'relay.universal-tags: clickhouse reuses the connection of the first ClickHouse source, and sources: has none; ' +
    'write {clickhouse: {url: http://…:8123}}, or ./clickhouse for a file of that name (line 2)',
  ])
})

test('{clickhouse: …}: its own connection, a pinned organisation or database, its refresh', () => {
  assert.deepEqual(
    parseConfig(withTags('{clickhouse: {url: "https://other:8443", user: u, password: p, org-id: 12, refresh: 5}}'), 'r.yaml').relay
      .universalTags,
    { kind: 'clickhouse', url: 'https://other:8443', user: 'u', password: 'p', database: '0012_flow_tag', orgId: 12, refresh: 5 },
  )
  // No url: the source's url, user and password.
  assert.deepEqual(parseConfig(withTags('{clickhouse: {database: my_tags}}'), 'r.yaml').relay.universalTags, {
    kind: 'clickhouse',
    url: 'http://ch:8123',
    user: 'reader',
    password: 's3cret',
    database: 'my_tags',
    orgId: null,
    refresh: 60,
  })
  // A url without user or password: ClickHouse's default user, no password.
  assert.deepEqual(parseConfig(withTags('{clickhouse: {url: "http://x:8123", org-id: 1}}', ''), 'r.yaml').relay.universalTags, {
    kind: 'clickhouse',
    url: 'http://x:8123',
    user: 'default',
    password: '',
    database: 'flow_tag',
    orgId: 1,
    refresh: 60,
  })
})

test('{clickhouse: …} problems name the key and the value', () => {
  assert.deepEqual(formatted(withTags('{clickhouse: {refresh: 0.5, org-id: 2000, url: "ftp://x"}}')), [
    'relay.universal-tags.clickhouse.url: expected an http:// or https:// URL, got "ftp://x" (line 2)',
    'relay.universal-tags.clickhouse.org-id: expected an organisation id from 1 to 1024, got 2000 (line 2)',
    'relay.universal-tags.clickhouse.refresh: expected a number of seconds, at least 1, got 0.5 (line 2)',
  ])
  assert.deepEqual(formatted(withTags('{clickhouse: {database: a, org-id: 2}}')), [
    'relay.universal-tags.clickhouse.org-id: give database or org-id, not both (line 2)',
  ])
  assert.deepEqual(formatted(withTags('{clickhouse: {}}', '')), [
    "relay.universal-tags.clickhouse.url: expected the URL of ClickHouse's HTTP interface (no ClickHouse source to take it from) (line 2)",
  ])
  assert.deepEqual(formatted(withTags('{clickhouse: {refesh: 5}}')), [
    'relay.universal-tags.clickhouse.refesh: unknown key; did you mean "refresh"? (valid keys: url, user, password, database, org-id, refresh) (line 2)',
  ])
  assert.deepEqual(formatted(withTags('{click: {}}')), [
    'relay.universal-tags.click: unknown key (valid keys: clickhouse) (line 2)',
  ])
  assert.deepEqual(formatted(withTags('[a, b]')), [
    'relay.universal-tags: expected a file path, the word clickhouse, or {clickhouse: {url, …}}, got a list (line 2)',
  ])
})

test('check shows the ClickHouse connection with its password masked', () => {
  const doc = YAML.parse(renderEffectiveConfig(parseConfig(withTags('{clickhouse: {org-id: 2, refresh: 30}}'), 'r.yaml'))) as {
    relay: Record<string, unknown>
  }
  assert.deepEqual(doc.relay['universal-tags'], {
    clickhouse: { url: 'http://ch:8123', user: 'reader', password: '******', 'org-id': 2, refresh: 30 },
  })
  const text = renderEffectiveConfig(parseConfig(withTags('clickhouse'), 'r.yaml'))
  assert.ok(!text.includes('s3cret'), text)
})

test('a password written into the URL is masked too', () => {
  const text = renderEffectiveConfig(parseConfig(withTags('{clickhouse: {url: "http://reader:pw-in-url@ch:8123/"}}', ''), 'r.yaml'))
  assert.ok(!text.includes('pw-in-url'), text)
  assert.match(text, /url: http:\/\/reader:\*{6}@ch:8123\//)
})
