// One golden per protocol family, with export-fields [$tag.application_layer] (StringsToCategoryBits:
// "$tag.application_layer" -> APPLICATION_LAYER alone) and no dictionary: the resource is the
// l7_protocol name and the SDK attributes (otlp_export.go L249-251), the span has no ids (TRACING_INFO
// is off: pdata's empty ids), no kind, no times, df.span.type (L180, always), the protocol's
// attributes (setXxx L409-546), then net.* (L277-281; no dictionary: no names, only ports and addresses).
import test from 'node:test'
import assert from 'node:assert/strict'
import { sqlSpanNameAndOperation } from '../../../src/encode/otlp/to-otlp-span.ts'
import { assertGolden, type Attrs, decodeOne, encode, type Expected } from './helpers.ts'

const APP = ['$tag.application_layer']
const BASE = {
  time: 1715133600,
  is_ipv4: 1,
  ip4_0: '10.0.0.1',
  ip4_1: '10.0.0.2',
  client_port: 40000,
  protocol: 6,
}

const resource = (l7: string): Attrs => [
  ['df.application.l7_protocol', l7],
  ['telemetry.sdk.name', 'deepflow'],
  ['telemetry.sdk.version', 'v7.1.7.3'],
]

/** setOtherSpanKindHostAndPeer (L375-407): host = client side 0, peer = server side 1. */
const netFromClient = (serverPort: bigint): Attrs => [
  ['net.host.port', 40000n],
  ['net.sock.host.addr', '10.0.0.1'],
  ['net.peer.port', serverPort],
  ['net.sock.peer.addr', '10.0.0.2'],
]
/** setServerSpanKindHostAndPeer (L340-372): host = server side 1, peer = client side 0. */
const netFromServer = (serverPort: bigint): Attrs => [
  ['net.host.port', serverPort],
  ['net.sock.host.addr', '10.0.0.2'],
  ['net.peer.port', 40000n],
  ['net.sock.peer.addr', '10.0.0.1'],
]

function span(l7: string, name: string, status: number, attributes: Attrs, events: string[] = []): Expected {
  return {
    resource: resource(l7),
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name,
    kind: 0,
    start: 0n,
    end: 0n,
    attributes,
    events,
    status,
  }
}

test('HTTP/1: request, no request_id/response_code (nil), status 5 -> UNSET', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 20,
    type: 0,
    version: '1.1',
    request_type: 'GET',
    request_domain: 'api.local',
    request_resource: '/api/v1/x',
    response_status: 5,
    server_port: 80,
    observation_point: 'c',
  })
  assertGolden(
    'proto-http1',
    bytes,
    span('HTTP', 'GET /api/v1/x', 0, [
      ['df.span.type', 'request'],
      ['http.flavor', '1.1'],
      ['http.method', 'GET'],
      ['net.peer.name', 'api.local'], // request_domain; no chost/pod_node to replace it
      ['df.http.path', '/api/v1/x'],
      ...netFromClient(80n),
    ]),
  )
})

test('HTTP2: server side, response code 503, server error -> ERROR, exception event, proxy client', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 21,
    type: 1,
    version: '2',
    request_type: 'POST',
    request_resource: '/upload',
    request_id: 17,
    response_code: 503,
    response_status: 3,
    response_exception: 'Service Unavailable',
    http_proxy_client: '1.2.3.4',
    server_port: 443,
    observation_point: 's-p',
  })
  assertGolden(
    'proto-http2',
    bytes,
    span(
      'HTTP2',
      'POST /upload',
      2,
      [
        ['df.span.type', 'response'],
        ['http.flavor', '2'],
        ['http.method', 'POST'],
        ['df.http.path', '/upload'],
        ['df.global.request_id', 17n],
        ['http.status_code', 503n],
        ['df.http.proxy_client', '1.2.3.4'],
        ...netFromServer(443n),
      ],
      ['Service Unavailable'],
    ),
  )
})

test('HTTP with is_tls 1: HTTP_TLS, still the HTTP mapping; empty type and resource name the span " "', () => {
  const bytes = encode(APP, { ...BASE, l7_protocol: 20, is_tls: 1, type: 2, response_status: 0, server_port: 8443, observation_point: 'c' })
  // L442: strings.Join(["", ""], " ") is a single space.
  assertGolden('proto-http-tls', bytes, span('HTTP_TLS', ' ', 1, [['df.span.type', 'session'], ...netFromClient(8443n)]))
  // is_tls must be exactly 1 (L249: l7.IsTLS == 1)
  const two = decodeOne(encode(APP, { ...BASE, l7_protocol: 20, is_tls: 2 }))
  assert.equal(two.resource[0]![1], 'HTTP')
})

test('Dubbo: rpc.*, name resource/type, request_id and response_code', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 40,
    type: 2,
    version: '2.0.2',
    request_type: 'sayHello',
    request_resource: 'com.example.DemoService',
    request_domain: 'demo',
    request_id: 7,
    response_code: 20,
    response_status: 0,
    server_port: 20880,
    observation_point: 'c-p',
  })
  assertGolden(
    'proto-dubbo',
    bytes,
    span('Dubbo', 'com.example.DemoService/sayHello', 1, [
      ['df.span.type', 'session'],
      ['rpc.system', 'apache_dubbo'],
      ['rpc.service', 'com.example.DemoService'],
      ['rpc.method', 'sayHello'],
      ['df.request_domain', 'demo'],
      ['df.dubbo.version', '2.0.2'],
      ['df.global.request_id', 7n],
      ['df.response_code', 20n],
      ...netFromClient(20880n),
    ]),
  )
})

test('gRPC: rpc.system grpc, http.flavor, no response code attribute, client error -> ERROR, event', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 41,
    type: 2,
    version: '2',
    request_type: 'SayHello',
    request_resource: '/helloworld.Greeter',
    request_domain: 'greeter:50051',
    request_id: 3,
    response_code: 5,
    response_status: 4,
    response_exception: 'NOT_FOUND',
    server_port: 50051,
    observation_point: 's',
  })
  assertGolden(
    'proto-grpc',
    bytes,
    span(
      'gRPC',
      '/helloworld.Greeter/SayHello',
      2,
      [
        ['df.span.type', 'session'],
        ['rpc.system', 'grpc'],
        ['rpc.service', '/helloworld.Greeter'],
        ['rpc.method', 'SayHello'],
        ['http.flavor', '2'],
        ['df.request_domain', 'greeter:50051'],
        ['df.global.request_id', 3n],
        ...netFromServer(50051n),
      ],
      ['NOT_FOUND'],
    ),
  )
})

test('Kafka: messaging.system, name = topic, response_code 0 written (present)', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 100,
    type: 2,
    request_type: 'Produce',
    request_resource: 'orders',
    request_id: 12345,
    response_code: 0,
    response_status: 0,
    server_port: 9092,
    observation_point: 'c',
  })
  assertGolden(
    'proto-kafka',
    bytes,
    span('Kafka', 'orders', 1, [
      ['df.span.type', 'session'],
      ['messaging.system', 'kafka'],
      ['df.kafka.request_type', 'Produce'],
      ['df.global.request_id', 12345n],
      ['df.global.request_resource', 'orders'],
      ['df.kafka.response_code', 0n],
      ...netFromClient(9092n),
    ]),
  )
})

test('MQTT: no request_id ever, timeout -> UNSET', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 101,
    type: 2,
    request_type: 'PUBLISH',
    request_resource: 'sensors/temp',
    request_domain: 'broker',
    request_id: 9,
    response_code: 0,
    response_status: 2,
    server_port: 1883,
    observation_point: 'c',
  })
  assertGolden(
    'proto-mqtt',
    bytes,
    span('MQTT', 'sensors/temp', 0, [
      ['df.span.type', 'session'],
      ['messaging.system', 'mqtt'],
      ['df.mqtt.request_type', 'PUBLISH'],
      ['df.mqtt.request_resource', 'sensors/temp'],
      ['df.mqtt.request_domain', 'broker'],
      ['df.mqtt.response_code', 0n],
      ...netFromClient(1883n),
    ]),
  )
})

test('MySQL: db.*, name "<CMD> <db.table>" from the SQL', () => {
  const sql = 'SELECT * FROM shop.orders WHERE id = 1'
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 60,
    type: 2,
    request_type: 'COM_QUERY',
    request_resource: sql,
    response_status: 0,
    server_port: 3306,
    observation_point: 'c',
  })
  assertGolden(
    'proto-mysql',
    bytes,
    span('MySQL', 'SELECT shop.orders', 1, [
      ['df.span.type', 'session'],
      ['db.system', 'mysql'],
      ['db.operation', 'SELECT'],
      ['db.statement', sql],
      ['df.mysql.request_type', 'COM_QUERY'],
      ...netFromClient(3306n),
    ]),
  )
})

test('PostgreSQL: db.system postgresql, client error -> ERROR with the exception event', () => {
  const sql = 'UPDATE accounts SET balance = 0'
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 61,
    type: 2,
    request_type: 'QUERY',
    request_resource: sql,
    response_status: 4,
    response_exception: 'ERROR: permission denied',
    server_port: 5432,
    observation_point: 's',
  })
  assertGolden(
    'proto-postgresql',
    bytes,
    span(
      'PostgreSQL',
      'UPDATE accounts',
      2,
      [
        ['df.span.type', 'session'],
        ['db.system', 'postgresql'],
        ['db.operation', 'UPDATE'],
        ['db.statement', sql],
        ['df.postgresql.request_type', 'QUERY'],
        ...netFromServer(5432n),
      ],
      ['ERROR: permission denied'],
    ),
  )
})

test('Redis: db.operation = request_type, name = request_type', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 80,
    type: 2,
    request_type: 'GET',
    request_resource: 'GET user:1',
    response_status: 0,
    server_port: 6379,
    observation_point: 'c',
  })
  assertGolden(
    'proto-redis',
    bytes,
    span('Redis', 'GET', 1, [
      ['df.span.type', 'session'],
      ['db.system', 'redis'],
      ['db.operation', 'GET'],
      ['db.statement', 'GET user:1'],
      ...netFromClient(6379n),
    ]),
  )
})

test('DNS: no span name, df.dns.response_status always, response code and result', () => {
  const bytes = encode(APP, {
    ...BASE,
    protocol: 17,
    l7_protocol: 120,
    type: 2,
    request_type: 'A',
    request_resource: 'example.com',
    request_id: 4660,
    response_code: 3,
    response_status: 4,
    response_exception: 'NXDomain',
    response_result: '',
    server_port: 53,
    observation_point: 'c',
  })
  assertGolden(
    'proto-dns',
    bytes,
    span(
      'DNS',
      '',
      2,
      [
        ['df.span.type', 'session'],
        ['df.dns.request_type', 'A'],
        ['df.dns.request_resource', 'example.com'],
        ['df.global.request_id', 4660n],
        ['df.dns.response_status', 'Client Error'],
        ['df.dns.response_code', 3n],
        ...netFromClient(53n),
      ],
      ['NXDomain'],
    ),
  )
  const ok = decodeOne(encode(APP, { ...BASE, l7_protocol: 120, response_status: 0, response_result: '93.184.216.34' }))
  assert.deepEqual(ok.attributes.slice(1, 3), [
    ['df.dns.response_status', 'Success'],
    ['df.dns.response_result', '93.184.216.34'],
  ])
})

test('other protocols: only the common attributes, no name, no event; names from datatype.L7Protocol.String', () => {
  const bytes = encode(APP, {
    ...BASE,
    l7_protocol: 81,
    type: 2,
    request_type: 'find',
    request_resource: 'db.users',
    response_exception: 'E11000',
    response_status: 1,
    server_port: 27017,
    observation_point: 'local',
  })
  // response_status 1 (STATUS_ERROR) -> ERROR; 'local' is neither c* nor s*: the "other" sides.
  assertGolden('proto-other', bytes, span('MongoDB', '', 2, [['df.span.type', 'session'], ...netFromClient(27017n)]))
  const l7 = (l7_protocol: number, is_tls = 0) => decodeOne(encode(APP, { ...BASE, l7_protocol, is_tls })).resource[0]![1]
  assert.equal(l7(0), 'N/A') // L7_PROTOCOL_UNKNOWN: default branch
  assert.equal(l7(121, 1), 'TLS') // no _TLS suffix for TLS itself
  assert.equal(l7(47), 'SOME/IP') // not the enum file's "Some/IP"
  assert.equal(l7(49, 1), 'TRIPLE_TLS')
  assert.equal(l7(122), 'N/A') // Ping is not in datatype.L7Protocol.String
  assert.equal(l7(127, 1), 'Custom_TLS')
})

test('SQL span names and operations (getSQLSpanNameAndOperation L561-604)', () => {
  const cases: [string, string, string][] = [
    ['', 'unknow', ''], // L563-565 (sic)
    ['  COMMIT  ', 'COMMIT', 'COMMIT'], // trimmed, one part
    ['BEGIN WORK', 'BEGIN', 'BEGIN'], // two parts or fewer: parts[0]
    ['select * from t where a = 1', 'select t', 'select'],
    ['SELECT a FROM t;;', 'SELECT t', 'SELECT'], // TrimRight ";"
    ['SELECT a FROM', 'SELECT', 'SELECT'], // FROM has no next part
    ['SELECT 1 + 1', 'SELECT', 'SELECT'],
    ['SELECT  a  FROM  t', 'SELECT', 'SELECT'], // split on one space: FROM is followed by ""
    ['SELECT * FROM (SELECT 1) x', 'SELECT (SELECT', 'SELECT'], // "(" at 0 is not cut (i > 0)
    ['DELETE FROM db.t WHERE id = 2', 'DELETE db.t', 'DELETE'],
    ['INSERT INTO t(a,b) VALUES (1,2)', 'INSERT t', 'INSERT'], // cut at "("
    ['insert into t values (1)', 'insert t', 'insert'],
    ['UPDATE users SET a = 1', 'UPDATE users', 'UPDATE'],
    ['CREATE TABLE IF NOT EXISTS foo (id int)', 'CREATE foo', 'CREATE'],
    ['DROP DATABASE test;', 'DROP test', 'DROP'],
    ['drop table if exists t1;', 'drop t1', 'drop'],
    ['CREATE INDEX i ON t', 'CREATE', 'CREATE'],
    ['ALTER TABLE t ADD c int', 'ALTER t', 'ALTER'],
    ['\u0085SELECT a FROM t\u3000', 'SELECT t', 'SELECT'], // unicode.IsSpace: NEL and U+3000 are trimmed
    ['\ufeffSELECT a FROM t', '\ufeffSELECT', '\ufeffSELECT'], // U+FEFF is not a space for Go
    ['SELECT a FROM t WHERE x EXI\ufb06S', 'SELECT t', 'SELECT'],
    ['CREATE TABLE IF NOT EXI\ufb06S t', 'CREATE', 'CREATE'], // Go's ToUpper keeps "ﬆ": no EXISTS
  ]
  for (const [sql, name, op] of cases) assert.deepEqual(sqlSpanNameAndOperation(sql), [name, op], JSON.stringify(sql))
})
