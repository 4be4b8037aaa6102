// What stops the relay from being built or started is a StartError with a message for the operator
// (main.ts prints it and exits 1): a source or a remote-write exporter in a runtime without an HTTP
// client, a failing start step.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelay, type RelayDeps, StartError } from '../../src/relay/relay.ts'
import { asStartError } from '../../src/relay/start-error.ts'
import { createManualClock } from '../helpers/manual-clock.ts'

const DS = 'flow_metrics.network.1m'
const SOURCE = `sources:\n  - clickhouse:\n      url: http://ch:8123\n      data-sources: [${DS}]\n      cursor-file: /c.json\n`
const STDOUT = `  - {protocol: stdout, enabled: true, data-sources: [${DS}], export-fields: [$metrics]}\n`
const RW = `  - {protocol: prometheus, enabled: true, endpoints: [http://rw/w], data-sources: [${DS}], export-fields: [byte_tx]}\n`

/** A runtime without an HTTP client (no `fetch`). */
const deps = (): RelayDeps => ({
  clock: createManualClock(),
  log: createLogger({ write: () => {}, now: () => 0, level: 'error' }),
  writeStdout: async () => {},
  readTextFile: () => Promise.reject(new Error('ENOENT')),
  fileMtime: () => Promise.resolve(undefined),
})

const startError = (message: string) => (err: unknown) => err instanceof StartError && err.message === message

test('without an HTTP client, a source or a remote-write exporter is a StartError naming it', () => {
  assert.throws(
    () => createRelay(parseConfig(`${SOURCE}exporters:\n${STDOUT}`, 'x.yaml'), deps()),
    startError('sources: clickhouse-0: no HTTP client in this runtime'),
  )
  assert.throws(
    () => createRelay(parseConfig(`exporters:\n${RW}`, 'x.yaml'), deps()),
    startError('exporter "prometheus-0": no HTTP client in this runtime'),
  )
  assert.equal(createRelay(parseConfig(`exporters:\n${STDOUT}`, 'x.yaml'), deps()).exporters.length, 1)
})

test('asStartError: what a step throws becomes a StartError with its message; a StartError passes as it is', () => {
  assert.equal(asStartError(() => 7), 7)
  assert.throws(() => asStartError(() => JSON.parse('{')), (err: unknown) => err instanceof StartError && /JSON/.test(err.message))
  assert.throws(() =>
    asStartError(() => {
      throw 'plain'
    }), startError('plain'))
  const own = new StartError('own')
  assert.throws(() =>
    asStartError(() => {
      throw own
    }), (err: unknown) => err === own)
})
