// planReload, one row per case: which exporters a reload keeps, replaces, adds and removes (matched
// by name, compared by content wherever they stand), and which settings only a restart applies.
// The configs are parsed from YAML, as the relay gets them.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { planReload, type ReloadPlan } from '../../src/relay/reload-plan.ts'

const DS = 'flow_metrics.network.1m'
const rw = (name: string, url = `http://rw:8428/${name}`) =>
  `  - {protocol: prometheus, enabled: true, name: ${name}, endpoints: [${url}], data-sources: [${DS}], export-fields: [byte_tx]}\n`
const source = (since: number) =>
  `sources:\n  - clickhouse:\n      url: http://ch:8123\n      data-sources: [${DS}]\n      since: ${since}\n      cursor-file: /var/lib/relay/cursor.json\n`
const file = (exporters: string[], head = '') => `${head}exporters:\n${exporters.join('')}`
const AB = file([rw('a'), rw('b')])
const RELAY = 'relay:\n  listen: 127.0.0.1:20480\n  log-level: info\n'

/** [case, running config, next config, the plan] */
const ROWS: [name: string, running: string, next: string, plan: ReloadPlan][] = [
  ['unchanged', AB, AB, { kept: ['a', 'b'], replaced: [], added: [], removed: [], needRestart: [] }],
  ['changed endpoint', AB, file([rw('a'), rw('b', 'http://rw:8428/other')]), {
    kept: ['a'],
    replaced: ['b'],
    added: [],
    removed: [],
    needRestart: [],
  }],
  ['renamed: the old name removed, the new one added', AB, file([rw('a'), rw('c', 'http://rw:8428/b')]), {
    kept: ['a'],
    replaced: [],
    added: ['c'],
    removed: ['b'],
    needRestart: [],
  }],
  ['removed', AB, file([rw('b')]), { kept: ['b'], replaced: [], added: [], removed: ['a'], needRestart: [] }],
  ['added', AB, file([rw('a'), rw('c'), rw('b')]), { kept: ['a', 'b'], replaced: [], added: ['c'], removed: [], needRestart: [] }],
  ['reordered: kept, in the next order', AB, file([rw('b'), rw('a')]), {
    kept: ['b', 'a'],
    replaced: [],
    added: [],
    removed: [],
    needRestart: [],
  }],
  [
    'all at once, in the next order (removed: the running order)',
    file([rw('a'), rw('b'), rw('c'), rw('d')]),
    file([rw('e'), rw('d', 'http://x/d'), rw('c')]),
    {
      kept: ['c'],
      replaced: ['d'],
      added: ['e'],
      removed: ['a', 'b'],
      needRestart: [],
    },
  ],
  [
    'relay settings that apply at a restart only, as written in the file (log-level is not one)',
    file([rw('a')], RELAY),
    file([rw('a')], 'relay:\n  listen: 127.0.0.1:9999\n  log-level: debug\n  auth-token: 0123456789abcdef0123\n  max-body-bytes: 1024\n'),
    { kept: ['a'], replaced: [], added: [], removed: [], needRestart: ['listen', 'auth-token', 'max-body-bytes'] },
  ],
  ['sources changed', file([rw('a')], source(1715130000)), file([rw('a')], source(1715133600)), {
    kept: ['a'],
    replaced: [],
    added: [],
    removed: [],
    needRestart: ['sources'],
  }],
  ['sources added', file([rw('a')]), file([rw('a')], source(1715133600)), {
    kept: ['a'],
    replaced: [],
    added: [],
    removed: [],
    needRestart: ['sources'],
  }],
]

for (const [name, running, next, want] of ROWS) {
  test(`planReload: ${name}`, () => {
    const r = parseConfig(running, 'running.yaml')
    assert.deepEqual(planReload({ exporters: r.exporters, relay: r.relay, sources: r.sources }, parseConfig(next, 'next.yaml')), want)
  })
}
