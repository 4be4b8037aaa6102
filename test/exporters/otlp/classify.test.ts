// Classification alone (no network), per the OTLP specification: every gRPC code, RetryInfo in a
// google.rpc.Status (encoded by the test receiver's own protobufjs definitions, not the relay's),
// the HTTP statuses, the error text of an HTTP body, and partial_success.
import test from 'node:test'
import assert from 'node:assert/strict'
import {
  classifyGrpcError,
  classifyHttpError,
  deliveredResult,
  GRPC_CODES,
  grpcCodeName,
  httpErrorText,
  partialSuccess,
} from '../../../src/exporters/otlp/classify.ts'
import { decodeRpcStatus } from '../../../src/exporters/otlp/rpc-status.ts'
import { encodeRpcStatus, exportResponseBytes } from '../../helpers/otlp-receiver.ts'

const NOW = 1_700_000_000_000
const RETRYABLE = ['CANCELLED', 'DEADLINE_EXCEEDED', 'ABORTED', 'OUT_OF_RANGE', 'UNAVAILABLE', 'DATA_LOSS']

test('gRPC: the spec table: six codes retryable, the others final (rejected_by_endpoint)', () => {
  assert.equal(GRPC_CODES.length, 17)
  for (let code = 1; code <= 16; code++) {
    const name = grpcCodeName(code)
    const r = classifyGrpcError(code, 'why', null)
    if (RETRYABLE.includes(name)) assert.deepEqual(r, { status: 'retryable', error: `gRPC ${name}: why` }, name)
    else assert.deepEqual(r, { status: 'failed', error: `gRPC ${name}: why`, reason: 'rejected_by_endpoint' }, name)
  }
  assert.equal(grpcCodeName(14), 'UNAVAILABLE')
  assert.equal(grpcCodeName(42), 'CODE_42')
  assert.equal(classifyGrpcError(42, '', null).status, 'failed')
  assert.deepEqual(classifyGrpcError(3, '', null), { status: 'failed', error: 'gRPC INVALID_ARGUMENT', reason: 'rejected_by_endpoint' })
})

test('gRPC RESOURCE_EXHAUSTED: retryable after the RetryInfo delay when the server sends one, final without', () => {
  assert.deepEqual(classifyGrpcError(8, 'slow down', encodeRpcStatus(8, 'slow down', 2500)), {
    status: 'retryable',
    error: 'gRPC RESOURCE_EXHAUSTED: slow down',
    retryAfterMs: 2500,
  })
  assert.deepEqual(classifyGrpcError(8, 'grpc: received message larger than max (9 vs. 4)', null), {
    status: 'failed',
    error: 'gRPC RESOURCE_EXHAUSTED: grpc: received message larger than max (9 vs. 4)',
    reason: 'rejected_by_endpoint',
  })
  // status details without a RetryInfo: no sign the server can recover
  assert.equal(classifyGrpcError(8, '', encodeRpcStatus(8, 'full')).status, 'failed')
  // bytes that are no Status: as if absent
  assert.equal(classifyGrpcError(8, '', new Uint8Array([0xff, 0xff, 0xff])).status, 'failed')
  // a zero delay still says the server can recover
  assert.deepEqual(classifyGrpcError(8, '', encodeRpcStatus(8, '', 0)), {
    status: 'retryable',
    error: 'gRPC RESOURCE_EXHAUSTED',
    retryAfterMs: 0,
  })
})

test('gRPC: a RetryInfo delay is honoured on any retryable code (UNAVAILABLE, the spec throttling)', () => {
  assert.deepEqual(classifyGrpcError(14, 'busy', encodeRpcStatus(14, 'busy', 30_000)), {
    status: 'retryable',
    error: 'gRPC UNAVAILABLE: busy',
    retryAfterMs: 30_000,
  })
  // a final code stays final whatever the details say
  assert.equal(classifyGrpcError(3, 'bad', encodeRpcStatus(3, 'bad', 1000)).status, 'failed')
})

test('google.rpc.Status: code, message and the RetryInfo delay (seconds and nanos)', () => {
  assert.deepEqual(decodeRpcStatus(encodeRpcStatus(14, 'try later', 1234)), { code: 14, message: 'try later', retryDelayMs: 1234 })
  assert.deepEqual(decodeRpcStatus(encodeRpcStatus(3, 'bad')), { code: 3, message: 'bad', retryDelayMs: undefined })
  assert.deepEqual(decodeRpcStatus(new Uint8Array()), { code: 0, message: '', retryDelayMs: undefined })
  assert.equal(decodeRpcStatus(new Uint8Array([0x0a, 0x05, 0x01])), null)
})

test('HTTP: 429 and every 5xx retryable honouring Retry-After (as remote write); every other status final', () => {
  assert.deepEqual(classifyHttpError(429, '7', 'slow down', NOW), { status: 'retryable', error: 'HTTP 429: slow down', retryAfterMs: 7000 })
  assert.deepEqual(classifyHttpError(503, new Date(NOW + 3000).toUTCString(), '', NOW), {
    status: 'retryable',
    error: 'HTTP 503',
    retryAfterMs: 3000,
  })
  assert.deepEqual(classifyHttpError(502, null, 'bad gateway', NOW), { status: 'retryable', error: 'HTTP 502: bad gateway' })
  assert.deepEqual(classifyHttpError(504, 'soon', '', NOW), { status: 'retryable', error: 'HTTP 504' })
  for (const status of [500, 501, 505, 599]) {
    assert.deepEqual(classifyHttpError(status, null, 'oops', NOW), { status: 'retryable', error: `HTTP ${status}: oops` })
  }
  for (const status of [300, 400, 401, 403, 404, 405, 408, 413, 415, 600]) {
    assert.deepEqual(classifyHttpError(status, '5', 'no', NOW), {
      status: 'failed',
      error: `HTTP ${status}: no`,
      reason: 'rejected_by_endpoint',
    })
  }
})

test('HTTP error text: the google.rpc.Status message of a protobuf body, JSON message, else the text (1 KiB at most)', () => {
  const proto = 'application/x-protobuf'
  assert.equal(httpErrorText(proto, encodeRpcStatus(0, 'span has no trace id')), 'span has no trace id')
  assert.equal(httpErrorText('application/json', new TextEncoder().encode('{"code":3,"message":"bad json"}')), 'bad json')
  assert.equal(httpErrorText('application/json', new TextEncoder().encode('{oops')), '{oops')
  assert.equal(httpErrorText('text/plain', new TextEncoder().encode('upstream down')), 'upstream down')
  assert.equal(httpErrorText(null, new TextEncoder().encode('x'.repeat(5000))).length, 1024)
  // a protobuf content type over bytes that are no Status: the text
  assert.equal(httpErrorText(proto, new TextEncoder().encode('\xff not protobuf')), '\xff not protobuf')
})

test('partial_success: rejected spans counted, a message alone is a warning, empty or absent is full success', () => {
  assert.equal(partialSuccess(new Uint8Array()), null)
  assert.equal(partialSuccess(exportResponseBytes()), null)
  assert.equal(partialSuccess(exportResponseBytes({ rejected: 0, message: '' })), null)
  assert.deepEqual(partialSuccess(exportResponseBytes({ rejected: 3, message: 'spans too old' })), {
    rejected: 3,
    message: 'spans too old',
  })
  assert.deepEqual(partialSuccess(exportResponseBytes({ rejected: 0, message: 'use a newer SDK' })), {
    rejected: 0,
    message: 'use a newer SDK',
  })
  assert.equal(partialSuccess(new Uint8Array([0x0a, 0x09])), null, 'not a response: the status already said delivered')

  assert.deepEqual(deliveredResult(exportResponseBytes()), { status: 'ok' })
  assert.deepEqual(deliveredResult(exportResponseBytes({ rejected: 2, message: 'bad' })), { status: 'ok', rejected: 2, why: 'bad' })
  assert.deepEqual(deliveredResult(exportResponseBytes({ rejected: 0, message: 'hint' })), { status: 'ok', why: 'hint' })
  // an int64 past 2^32 still reads as a number
  assert.equal(partialSuccess(exportResponseBytes({ rejected: 5_000_000_000, message: '' }))?.rejected, 5_000_000_000)
})
