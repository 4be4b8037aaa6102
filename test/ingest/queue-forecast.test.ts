// The guess of what a body will take in an exporter's queues (ingest/queue-forecast.ts): nothing
// before one request was learnt; then bytes queued per byte of body, a moving average weighing the
// newest request by a quarter, kept at 90 % of it; apart per exporter, data source and body kind.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createQueueForecast, forecastKey, SLACK } from '../../src/ingest/queue-forecast.ts'

const NET = 'flow_metrics.network.1s'

test('nothing is guessed before a request was learnt; then 90 % of bytes queued per byte of body', () => {
  const f = createQueueForecast()
  const key = forecastKey('rw', NET, false)
  assert.equal(f.expect(key, 1_000_000), 0)
  f.learn(key, 1000, 3500)
  assert.equal(SLACK, 0.9)
  assert.equal(f.expect(key, 1_000_000), 3_150_000)
})

test('a moving average: the newest request weighs a quarter', () => {
  const f = createQueueForecast()
  const key = forecastKey('rw', NET, false)
  f.learn(key, 1000, 4000)
  f.learn(key, 1000, 2000)
  assert.equal(f.expect(key, 1000), Math.floor((4 + 0.25 * (2 - 4)) * 1000 * 0.9))
  f.learn(key, 0, 5000)
  assert.equal(f.expect(key, 1000), 3150, 'an empty body teaches nothing')
})

test('exporters, data sources and compressed bodies are learnt apart', () => {
  const f = createQueueForecast()
  f.learn(forecastKey('rw', NET, false), 100, 350)
  assert.equal(f.expect(forecastKey('rw', NET, true), 100), 0)
  assert.equal(f.expect(forecastKey('stdout', NET, false), 100), 0)
  assert.equal(f.expect(forecastKey('rw', 'flow_log.l7_flow_log', false), 100), 0)
  assert.equal(f.expect(forecastKey('rw', NET, false), 100), 315)
})
