// What a request carries besides its body: OTLP/HTTP headers (the protocol's own cannot be
// overridden by extra-headers) and gRPC metadata (keys lower-cased; reserved or impossible ones left
// out, each with its reason).
import test from 'node:test'
import assert from 'node:assert/strict'
import { grpcMetadata, otlpHttpHeaders } from '../../../src/exporters/otlp/request.ts'

test('OTLP/HTTP headers: extra-headers first, then Content-Type and User-Agent, which they cannot override', () => {
  assert.deepEqual(
    otlpHttpHeaders(
      { Authorization: 'Bearer t', 'X-Scope-OrgID': 'a', 'content-type': 'application/json', 'User-Agent': 'x', Host: 'h' },
      '1.2.3',
    ),
    { Authorization: 'Bearer t', 'X-Scope-OrgID': 'a', 'Content-Type': 'application/x-protobuf', 'User-Agent': 'deepflow-relay/1.2.3' },
  )
  assert.deepEqual(otlpHttpHeaders({ 'Content-Encoding': 'gzip', 'Content-Length': '1' }, '1'), {
    'Content-Type': 'application/x-protobuf',
    'User-Agent': 'deepflow-relay/1',
  })
})

test('gRPC metadata: keys lower-cased; grpc-, pseudo, transport and invalid keys left out with why; -bin values are bytes', () => {
  const plan = grpcMetadata({
    Authorization: 'Bearer t',
    'X-Scope-OrgID': 'tenant-1',
    'grpc-timeout': '1S',
    'Grpc-Encoding': 'gzip',
    ':authority': 'elsewhere',
    'Content-Type': 'application/json',
    TE: 'gzip',
    'user-agent': 'evil',
    Host: 'h',
    Connection: 'close',
    'x bad': 'v',
    'x-ünicode': 'v',
    'x-note': 'café',
    'trace-context-bin': 'ab',
  })
  assert.deepEqual(plan.entries, [
    ['authorization', 'Bearer t'],
    ['x-scope-orgid', 'tenant-1'],
    ['trace-context-bin', new TextEncoder().encode('ab')],
  ])
  assert.deepEqual(plan.skipped, [
    { key: 'grpc-timeout', why: 'gRPC reserves the grpc- prefix' },
    { key: 'Grpc-Encoding', why: 'gRPC reserves the grpc- prefix' },
    { key: ':authority', why: 'an HTTP/2 pseudo-header, set by gRPC' },
    { key: 'Content-Type', why: 'set by gRPC itself' },
    { key: 'TE', why: 'set by gRPC itself' },
    { key: 'user-agent', why: 'set by gRPC itself' },
    { key: 'Host', why: 'set by gRPC itself' },
    { key: 'Connection', why: 'set by gRPC itself' },
    { key: 'x bad', why: 'a gRPC metadata key has only letters, digits, "-", "_" and "."' },
    { key: 'x-ünicode', why: 'a gRPC metadata key has only letters, digits, "-", "_" and "."' },
    { key: 'x-note', why: 'its value is not printable ASCII (use a -bin key for bytes)' },
  ])
})
