// otlpEndpoint: the form of an endpoint picks its transport (host:port → OTLP/gRPC, an http(s) URL →
// OTLP/HTTP), and anything else is an error that quotes the value (the config check shows it).
import test from 'node:test'
import assert from 'node:assert/strict'
import { otlpEndpoint } from '../../../src/exporters/otlp/endpoint.ts'

test('host:port is OTLP/gRPC: names, IPv4 and bracketed IPv6 addresses', () => {
  assert.deepEqual(otlpEndpoint('otel-collector:4317'), {
    kind: 'grpc',
    host: 'otel-collector',
    port: 4317,
    authority: 'otel-collector:4317',
  })
  assert.deepEqual(otlpEndpoint('10.1.2.3:4317'), { kind: 'grpc', host: '10.1.2.3', port: 4317, authority: '10.1.2.3:4317' })
  assert.deepEqual(otlpEndpoint('[::1]:4317'), { kind: 'grpc', host: '::1', port: 4317, authority: '[::1]:4317' })
  assert.deepEqual(otlpEndpoint('[fd00:1::2]:55680'), { kind: 'grpc', host: 'fd00:1::2', port: 55680, authority: '[fd00:1::2]:55680' })
  assert.deepEqual(otlpEndpoint('collector.observability.svc.cluster.local:4317'), {
    kind: 'grpc',
    host: 'collector.observability.svc.cluster.local',
    port: 4317,
    authority: 'collector.observability.svc.cluster.local:4317',
  })
  assert.deepEqual(otlpEndpoint(' localhost:1 '), { kind: 'grpc', host: 'localhost', port: 1, authority: 'localhost:1' })
})

test('an http:// or https:// URL is OTLP/HTTP, posted to as it is (nothing appended)', () => {
  assert.deepEqual(otlpEndpoint('http://collector:4318/v1/traces'), { kind: 'http', url: 'http://collector:4318/v1/traces' })
  assert.deepEqual(otlpEndpoint('HTTPS://Collector.example/v1/traces'), { kind: 'http', url: 'https://collector.example/v1/traces' })
  assert.deepEqual(otlpEndpoint('https://[::1]:4318/otlp/v1/traces?tenant=a'), {
    kind: 'http',
    url: 'https://[::1]:4318/otlp/v1/traces?tenant=a',
  })
  assert.deepEqual(otlpEndpoint('http://collector:4318'), { kind: 'http', url: 'http://collector:4318/' })
})

test('anything else is an error naming the value and why', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['collector', /no port/],
    ['collector:', /port "" is not a number/],
    ['collector:0', /port 0 is not in 1–65535/],
    ['collector:65536', /port 65536 is not in 1–65535/],
    ['collector:43l7', /port "43l7" is not a number/],
    [':4317', /no host/],
    ['::1:4317', /IPv6 address needs brackets/],
    ['[::1:4317', /unclosed "\["/],
    ['[::1]4317', /no port after the IPv6 address/],
    ['[zz::1]:4317', /"zz::1" is not an IPv6 address/],
    ['999.1.2.3:4317', /"999.1.2.3" is not a host name or an IP address/],
    ['bad host:4317', /"bad host" is not a host name/],
    ['collector:4317/v1/traces', /is not a number/],
    ['collector/v1:4317', /it has a path/],
    ['grpc://collector:4317', /unknown scheme "grpc:\/\/"/],
    ['http://', /not a valid URL/],
    ['https://collector:4318/v1/traces#x', /#fragment/],
  ]
  for (const [text, why] of cases) {
    const parsed = otlpEndpoint(text)
    assert.ok('error' in parsed, `${JSON.stringify(text)} should be refused`)
    assert.match(parsed.error, why, text)
    assert.ok(parsed.error.startsWith(`opentelemetry endpoint "${text}": `), parsed.error)
  }
})
