import test from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from '../../src/observe/metrics.ts'

test('counters, gauges and histograms render in the Prometheus text format', () => {
  const r = new Registry()
  const c = r.counter('x_total', 'X.', ['a'])
  c.inc(['q"uote\\'], 2)
  r.gauge('g', 'G.', [], () => [[[], 1.5]])
  const h = r.histogram('d_seconds', 'D.', ['e'], [0.1, 1])
  h.observe(['e1'], 0.5)
  assert.equal(
    r.render(),
    [
      '# HELP x_total X.',
      '# TYPE x_total counter',
      'x_total{a="q\\"uote\\\\"} 2',
      '# HELP g G.',
      '# TYPE g gauge',
      'g 1.5',
      '# HELP d_seconds D.',
      '# TYPE d_seconds histogram',
      'd_seconds_bucket{e="e1",le="0.1"} 0',
      'd_seconds_bucket{e="e1",le="1"} 1',
      'd_seconds_bucket{e="e1",le="+Inf"} 1',
      'd_seconds_sum{e="e1"} 0.5',
      'd_seconds_count{e="e1"} 1',
      '',
    ].join('\n'),
  )
})
