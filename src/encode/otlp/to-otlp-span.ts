// One flow_log.l7_flow_log record → the OTLP span DeepFlow's Go code makes of it (L7FlowLog.EncodeToOtlp,
// server/ingester/flow_log/log_data/otlp_export.go L124-300 at 2026e9de3), encoded as the bytes of an
// ExportTraceServiceRequest holding that record's one ResourceSpans (one ScopeSpans with an empty
// scope, one span), byte for byte as pdata v1.0.0 marshals it (span-writer.ts). Concatenated
// encodings are one request with that many ResourceSpans, as DeepFlow batches them.
//
// Attributes are written in Go's order; writing a key again updates its value in place, keeping its
// first position (pdata Map.Put*; a JS Map's set() does the same). Only export-fields' CATEGORY bits
// gate attributes (categories.ts). Field values absent from the record are Go zero values, except
// the fields DeepFlow keeps as nil pointers (request_id, response_code, request_length,
// response_length, sql_affected_rows): absent stays absent, present is written even when 0.
//
// deepflowQuirks false (the default) makes three fixes; true gives DeepFlow's exact bytes:
// 1. a span that is not from OpenTelemetry and has no span_id gets no parent (DeepFlow makes it its
//    own parent, deepflow#4252);
// 2. df.capture_info.capture_nic is left out where DeepFlow writes "Invalid TapPort type is N."
//    (every eBPF record: capture_nic_type 7);
// 3. df.universal_tag.auto_*_type of a pod-group workload (types 130-135) is "pod_group" where
//    DeepFlow writes "" (deepflow#11874; universal-tags.ts).
// Where DeepFlow's Go panics (a tunnel_type past 4 under $tag.tunnel_info, a SkyWalking trace id
// with a single dot, metrics_values shorter than metrics_names) the relay writes what it can instead
// (attribute left out, empty trace id, the pairs that exist): no record makes encoding throw.
import type { ExporterConfig } from '../../config/types.ts'
import { enumTable } from '../../deepflow/enums.ts'
import type { DataSourceSpec } from '../../deepflow/schema.ts'
import type { DeepFlowRecord } from '../../record/normalize.ts'
import type { Value } from '../../record/values.ts'
import { type Dictionary, type DictionaryHolder, dictionaryOfOrg } from '../../translate/dictionary.ts'
import {
  APPLICATION_LAYER,
  CAPTURE_INFO,
  FLOW_INFO,
  K8S_LABEL,
  METRICS,
  NATIVE_TAG,
  NETWORK_LAYER,
  SERVICE_INFO,
  stringsToCategoryBits,
  TRACING_INFO,
  TRANSPORT_LAYER,
  TUNNEL_INFO,
  UNIVERSAL_TAG,
} from './categories.ts'
import {
  goToUpper,
  goTrimSpace,
  ip4Text,
  ipProtocolName,
  l7ProtocolName,
  logMessageStatusName,
  logMessageTypeLower,
  natSourceName,
  signalSourceName,
  TAP_PORT_TYPES_NAMED,
  TAP_SIDE_NAMES,
  tapPortTypeName,
  tapPortValueToString,
  tunnelTypeName,
} from './go-text.ts'
import { AttrList, BOOL, createWriter, DOUBLE, INT, STRING, writeSpanRequest } from './span-writer.ts'
import { byName, enumValue, type Int64, int64, intValue, nanosFromMicros, smallInt, stringValue } from './record-values.ts'
import { EMPTY_ID, orEmpty, spanIdOf, traceIdOf, uint64BigEndian } from './trace-ids.ts'
import {
  compileUniversalTags,
  newUniversalTags,
  T_AUTO_INSTANCE,
  T_AUTO_SERVICE,
  T_CHOST,
  T_POD_NODE,
  UTAG_KEYS,
} from './universal-tags.ts'

export interface OtlpSpanOptions {
  /** true: DeepFlow's exact bytes, its quirks included (a relay-only switch); false (default): the relay's fixes. */
  readonly deepflowQuirks: boolean
}

/** One record -> the bytes of an ExportTraceServiceRequest holding exactly that record's one ResourceSpans (field 1). Concatenations of these are a valid request. */
export type OtlpSpanEncoder = (record: DeepFlowRecord) => Uint8Array

type Attrs = AttrList

function putStr(m: Attrs, key: string, value: string): void {
  m.put(key, STRING, value)
}
/** putStrWithoutEmpty (otlp_export.go L41-45). */
function putStrWithoutEmpty(m: Attrs, key: string, value: string): void {
  if (value !== '') m.put(key, STRING, value)
}
function putInt(m: Attrs, key: string, value: Int64): void {
  m.put(key, INT, value)
}
/** putIntWithoutZero (L47-51): the int64 value is compared with 0. */
function putIntWithoutZero(m: Attrs, key: string, value: Int64): void {
  if (value !== 0) m.put(key, INT, value)
}

// Span kinds and status codes (OTLP enum numbers, as ptrace's).
const SPAN_KIND_UNSPECIFIED = 0
const SPAN_KIND_SERVER = 2
const SPAN_KIND_CLIENT = 3
const STATUS_CODE_UNSET = 0
const STATUS_CODE_OK = 1
const STATUS_CODE_ERROR = 2

/** responseStatusToSpanStatus (L606-615). */
function spanStatusCode(responseStatus: number): number {
  switch (responseStatus) {
    case 0: // STATUS_OK
      return STATUS_CODE_OK
    case 1: // STATUS_ERROR
    case 3: // STATUS_SERVER_ERROR
    case 4: // STATUS_CLIENT_ERROR
      return STATUS_CODE_ERROR
    default:
      return STATUS_CODE_UNSET
  }
}

/** tapSideToSpanKind (L625-632). */
function tapSideToSpanKind(tapSide: string): number {
  if (tapSide.startsWith('c')) return SPAN_KIND_CLIENT
  if (tapSide.startsWith('s')) return SPAN_KIND_SERVER
  return SPAN_KIND_UNSPECIFIED
}

/** getFirstPartAfterKey (L550-557). */
function firstPartAfterKey(key: string, parts: readonly string[]): string {
  for (let i = 0; i < parts.length; i++) {
    if (goToUpper(parts[i]!) === key && parts.length > i + 1) return parts[i + 1]!
  }
  return ''
}

/** getSQLSpanNameAndOperation (L561-604): [span name, db.operation]. */
export function sqlSpanNameAndOperation(sqlText: string): [string, string] {
  const sql = goTrimSpace(sqlText)
  if (sql === '') return ['unknow', ''] // L563-565 (sic)
  let parts = sql.split(' ')
  if (parts.length <= 2) return [parts[0]!, parts[0]!]
  const command = parts[0]!
  parts = parts.slice(1)
  let dbTable = ''
  switch (goToUpper(command)) {
    case 'SELECT':
    case 'DELETE':
      dbTable = firstPartAfterKey('FROM', parts)
      break
    case 'INSERT':
      dbTable = firstPartAfterKey('INTO', parts)
      break
    case 'UPDATE':
      dbTable = parts[0]!
      break
    case 'CREATE':
    case 'DROP': {
      const createType = goToUpper(parts[0]!)
      if (createType === 'DATABASE' || createType === 'TABLE') {
        // ignore 'if not exists' or 'if exists'
        dbTable = goToUpper(parts[1]!) === 'IF' ? firstPartAfterKey('EXISTS', parts) : parts[1]!
      }
      break
    }
    case 'ALTER':
      dbTable = firstPartAfterKey('TABLE', parts)
      break
  }
  if (dbTable === '') return [command, command]
  const paren = dbTable.indexOf('(')
  if (paren > 0) dbTable = dbTable.slice(0, paren)
  else dbTable = dbTable.replace(/;+$/, '') // strings.TrimRight(dbTable, ";")
  return [`${command} ${dbTable}`, command]
}

// The L7Protocol values EncodeToOtlp switches on (L254-273; datatype/flow.go L151-182).
const L7_DNS = 120
const L7_HTTP_1 = 20
const L7_HTTP_2 = 21
const L7_DUBBO = 40
const L7_GRPC = 41
const L7_KAFKA = 100
const L7_MQTT = 101
const L7_MYSQL = 60
const L7_REDIS = 80
const L7_POSTGRE = 61

const SIGNAL_SOURCE_OTEL = 4
const EPC_FROM_INTERNET = -2 // datatype/endpoint.go L29
const CK_VERSION = 'v7.1.7.3' // server/ingester/common/const.go L20

/** Names an enum field may be given as (the relay's enum files, and DeepFlow's own String() names). */
function namesOf(enumName: string, goNames: Iterable<readonly [number, string]> = []): ReadonlyMap<string, number> {
  return byName(enumTable(enumName), goNames)
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const L7_PROTOCOL_BY_NAME = namesOf('l7_protocol', range(128).map((p) => [p, l7ProtocolName(p, false)] as const))
const LOG_TYPE_BY_NAME = namesOf('l7_log_type')
const RESPONSE_STATUS_BY_NAME = namesOf('response_status', range(7).map((s) => [s, logMessageStatusName(s)] as const))
const SPAN_KIND_BY_NAME = namesOf('span_kind')
const SIGNAL_SOURCE_BY_NAME = namesOf('l7_signal_source', range(5).map((s) => [s, signalSourceName(s)] as const))
const NAT_SOURCE_BY_NAME = namesOf('nat_source')
const IP_PROTOCOL_BY_NAME = namesOf('l7_ip_protocol', range(256).map((p) => [p, ipProtocolName(p)] as const))
/** observation_point given as its display name reads back as its code. */
const TAP_SIDE_BY_NAME: ReadonlyMap<string, string> = new Map([...TAP_SIDE_NAMES].map(([code, name]) => [name, code]))

export function compileOtlpSpanEncoder(
  exporter: ExporterConfig,
  ds: DataSourceSpec,
  dictionary: DictionaryHolder,
  opts: OtlpSpanOptions,
): OtlpSpanEncoder {
  const bits = stringsToCategoryBits(exporter.exportFields)
  const want = (bit: number) => (bits & bit) !== 0
  const universalTag = want(UNIVERSAL_TAG)
  const k8sLabel = want(K8S_LABEL)
  const nativeTag = want(NATIVE_TAG)
  const tracingInfo = want(TRACING_INFO)
  const serviceInfo = want(SERVICE_INFO)
  const flowInfo = want(FLOW_INFO)
  const captureInfo = want(CAPTURE_INFO)
  const networkLayer = want(NETWORK_LAYER)
  const tunnelInfo = want(TUNNEL_INFO)
  const transportLayer = want(TRANSPORT_LAYER)
  const applicationLayer = want(APPLICATION_LAYER)
  const metrics = want(METRICS)
  const quirks = opts.deepflowQuirks
  const writer = createWriter()
  // Reused record after record: the attributes are written out before the next record comes.
  const res = new AttrList()
  const attrs = new AttrList()

  const at = (name: string): number => ds.byName.get(name)?.index ?? -1
  const F = {
    orgId: at('org_id'),
    id: at('_id'),
    l7Protocol: at('l7_protocol'),
    version: at('version'),
    type: at('type'),
    isTls: at('is_tls'),
    requestType: at('request_type'),
    requestDomain: at('request_domain'),
    requestResource: at('request_resource'),
    endpoint: at('end_point'),
    requestId: at('request_id'),
    responseStatus: at('response_status'),
    responseCode: at('response_code'),
    responseException: at('response_exception'),
    responseResult: at('response_result'),
    httpProxyClient: at('http_proxy_client'),
    xRequestId0: at('x_request_id_0'),
    xRequestId1: at('x_request_id_1'),
    traceId: at('trace_id'),
    spanId: at('span_id'),
    parentSpanId: at('parent_span_id'),
    spanKind: at('span_kind'),
    appService: at('app_service'),
    appInstance: at('app_instance'),
    responseDuration: at('response_duration'),
    requestLength: at('request_length'),
    responseLength: at('response_length'),
    sqlAffectedRows: at('sql_affected_rows'),
    directionScore: at('direction_score'),
    attributeNames: at('attribute_names'),
    attributeValues: at('attribute_values'),
    metricsNames: at('metrics_names'),
    metricsValues: at('metrics_values'),
    ip40: at('ip4_0'),
    ip41: at('ip4_1'),
    ip60: at('ip6_0'),
    ip61: at('ip6_1'),
    isIpv4: at('is_ipv4'),
    protocol: at('protocol'),
    clientPort: at('client_port'),
    serverPort: at('server_port'),
    flowId: at('flow_id'),
    natSource: at('nat_source'),
    tapPortType: at('capture_nic_type'),
    signalSource: at('signal_source'),
    tunnelType: at('tunnel_type'),
    tapPort: at('capture_nic'),
    tapSide: at('observation_point'),
    reqTcpSeq: at('req_tcp_seq'),
    respTcpSeq: at('resp_tcp_seq'),
    startTime: at('start_time'),
    endTime: at('end_time'),
    processId0: at('process_id_0'),
    processId1: at('process_id_1'),
    processKName0: at('process_kname_0'),
    processKName1: at('process_kname_1'),
    syscallTraceIdRequest: at('syscall_trace_id_request'),
    syscallTraceIdResponse: at('syscall_trace_id_response'),
    syscallThread0: at('syscall_thread_0'),
    syscallThread1: at('syscall_thread_1'),
    syscallCapSeq0: at('syscall_cap_seq_0'),
    syscallCapSeq1: at('syscall_cap_seq_1'),
    l3EpcId0: at('l3_epc_id_0'),
    l3EpcId1: at('l3_epc_id_1'),
    podId0: at('pod_id_0'),
    podId1: at('pod_id_1'),
  }
  const readTags = compileUniversalTags(ds, opts)
  const tags = newUniversalTags()
  const tagsNeeded = universalTag || serviceInfo || captureInfo || applicationLayer
  const utagKeys0 = UTAG_KEYS.map((k) => `df.universal_tag.${k}_0`)
  const utagKeys1 = UTAG_KEYS.map((k) => `df.universal_tag.${k}_1`)

  return (record) => {
    const v = record.values
    const str = (i: number) => stringValue(v[i])
    const dict = dictionaryOfOrg(dictionary, F.orgId < 0 ? undefined : v[F.orgId])
    // L127: tags0, tags1 := l7.QueryUniversalTags(utags) (read only when some section uses them)
    if (tagsNeeded) readTags(v, dict, tags)
    const [tags0, tags1] = tags.side
    res.clear()
    attrs.clear()

    // L129: putUniversalTags (L53-105): side 0's 23 tags, then side 1's.
    if (universalTag) {
      for (let i = 0; i < utagKeys0.length; i++) putStrWithoutEmpty(res, utagKeys0[i]!, tags0[i]!)
      for (let i = 0; i < utagKeys1.length; i++) putStrWithoutEmpty(res, utagKeys1[i]!, tags1[i]!)
    }
    // L130-135: k8s labels of pods 0 and 1 (a Go map there: any order; the dictionary's is by name).
    if (k8sLabel) {
      putK8sLabels(res, dict, v[F.podId0], '_0')
      putK8sLabels(res, dict, v[F.podId1], '_1')
    }

    // L140-144: native tags, only when the two arrays have the same length.
    if (nativeTag) {
      const names = v[F.attributeNames]
      const values = v[F.attributeValues]
      const n = Array.isArray(names) ? names.length : 0
      const m = Array.isArray(values) ? values.length : 0
      if (n === m) {
        for (let i = 0; i < n; i++) {
          putStrWithoutEmpty(attrs, String((names as readonly unknown[])[i]), String((values as readonly unknown[])[i]))
        }
      }
    }

    const id = intValue(v[F.id])
    const tapSide = observationPoint(v[F.tapSide])
    const spanKindFromTapSide = tapSideToSpanKind(tapSide) // L146
    let traceId: Uint8Array = EMPTY_ID
    let spanId: Uint8Array = EMPTY_ID
    let parentSpanId: Uint8Array = EMPTY_ID
    let kind = SPAN_KIND_UNSPECIFIED
    if (tracingInfo) {
      // L148-157
      putStrWithoutEmpty(attrs, 'df.span.x_request_id_0', str(F.xRequestId0))
      putStrWithoutEmpty(attrs, 'df.span.x_request_id_1', str(F.xRequestId1))
      putIntWithoutZero(attrs, 'df.span.syscall_trace_id_request', int64(intValue(v[F.syscallTraceIdRequest])))
      putIntWithoutZero(attrs, 'df.span.syscall_trace_id_response', int64(intValue(v[F.syscallTraceIdResponse])))
      putIntWithoutZero(attrs, 'df.span.syscall_thread_0', int64(intValue(v[F.syscallThread0])))
      putIntWithoutZero(attrs, 'df.span.syscall_thread_1', int64(intValue(v[F.syscallThread1])))
      putIntWithoutZero(attrs, 'df.span.syscall_cap_seq_0', int64(intValue(v[F.syscallCapSeq0])))
      putIntWithoutZero(attrs, 'df.span.syscall_cap_seq_1', int64(intValue(v[F.syscallCapSeq1])))
      const traceIdText = str(F.traceId)
      const spanIdText = str(F.spanId)
      putStrWithoutEmpty(attrs, 'df.span.native.trace_id', traceIdText)
      putStrWithoutEmpty(attrs, 'df.span.native.span_id', spanIdText)

      traceId = orEmpty(traceIdOf(traceIdText, id)) // L159
      // L160: the full uint16 is compared (a signal_source of 260 is named "OTel" but is not this branch).
      if (enumValue(v[F.signalSource], SIGNAL_SOURCE_BY_NAME) === SIGNAL_SOURCE_OTEL) {
        spanId = orEmpty(spanIdOf(spanIdText, id)) // L161
        const parentText = str(F.parentSpanId)
        parentSpanId = parentText === '' ? EMPTY_ID : orEmpty(spanIdOf(parentText, id)) // L162-166
      } else {
        // L168: getSpanID(l7.SpanId, l7.ID()): an empty span_id gives _id itself, the span's own id
        // (L169): the span is its own parent (deepflow#4252). Fix 1: no parent then.
        parentSpanId = spanIdText === '' && !quirks ? EMPTY_ID : orEmpty(spanIdOf(spanIdText, id))
        spanId = orEmpty(uint64BigEndian(id, 8)) // L169
      }
      // L172-176: span_kind when not 0, else from the observation point.
      const spanKind = enumValue(v[F.spanKind], SPAN_KIND_BY_NAME) & 255
      kind = spanKind !== SPAN_KIND_UNSPECIFIED ? spanKind : spanKindFromTapSide
    }

    // L179-181, whatever the categories.
    putStrWithoutEmpty(attrs, 'df.span.type', logMessageTypeLower(enumValue(v[F.type], LOG_TYPE_BY_NAME) & 255))
    putStrWithoutEmpty(attrs, 'df.span.endpoint', str(F.endpoint))

    if (serviceInfo) {
      // L184-198: the auto service/instance of the client side when the observation point starts
      // with "c", else of the server side; then app_service/app_instance, in place, when set.
      const side = tapSide.startsWith('c') ? tags0 : tags1
      putStrWithoutEmpty(res, 'service.name', side[T_AUTO_SERVICE]!)
      putStrWithoutEmpty(res, 'service.instance.id', side[T_AUTO_INSTANCE]!)
      putStrWithoutEmpty(res, 'service.name', str(F.appService))
      putStrWithoutEmpty(res, 'service.instance.id', str(F.appInstance))
      putIntWithoutZero(res, 'process.pid_0', int64(intValue(v[F.processId0])))
      putIntWithoutZero(res, 'process.pid_1', int64(intValue(v[F.processId1])))
      putStrWithoutEmpty(res, 'thread.name_0', str(F.processKName0))
      putStrWithoutEmpty(res, 'thread.name_1', str(F.processKName1))
    }

    let startTime: Int64 = 0
    let endTime: Int64 = 0
    if (flowInfo) {
      // L202-206: end time in ns (EndTime() is a Duration), start/end µs × 1000.
      endTime = nanosFromMicros(intValue(v[F.endTime]))
      startTime = nanosFromMicros(intValue(v[F.startTime]))
      putIntWithoutZero(res, 'df.flow_info.id', int64(id))
      putIntWithoutZero(res, 'df.flow_info.time', endTime)
      putIntWithoutZero(res, 'df.flow_info.flow_id', int64(intValue(v[F.flowId])))
    }

    const tunnelType = smallInt(v[F.tunnelType]) & 255
    if (captureInfo) {
      // L210-217
      putStrWithoutEmpty(res, 'df.capture_info.signal_source', signalSourceName(enumValue(v[F.signalSource], SIGNAL_SOURCE_BY_NAME) & 255))
      putStrWithoutEmpty(res, 'df.capture_info.nat_source', natSourceName(enumValue(v[F.natSource], NAT_SOURCE_BY_NAME) & 255))
      const tapPortType = smallInt(v[F.tapPortType]) & 255
      // Fix 2: not the "Invalid TapPort type is N." text (eBPF: type 7).
      if (quirks || tapPortType < TAP_PORT_TYPES_NAMED) {
        putStrWithoutEmpty(res, 'df.capture_info.capture_nic', tapPortValueToString(smallInt(v[F.tapPort]) >>> 0, tapPortType, tunnelType))
      }
      putStrWithoutEmpty(res, 'df.capture_info.capture_nic_type', tapPortTypeName(tapPortType))
      putStrWithoutEmpty(res, 'df.capture_info.observation_point', TAP_SIDE_NAMES.get(tapSide) ?? tapSide)
      putStrWithoutEmpty(res, 'df.capture_info.agent', tags.agent)
    }

    const isIpv4 = smallInt(v[F.isIpv4]) !== 0
    if (networkLayer) {
      // L221-232: written even when false or empty.
      res.put('df.network.is_ipv4', BOOL, isIpv4)
      res.put('df.network.is_internet_0', BOOL, smallInt(v[F.l3EpcId0]) === EPC_FROM_INTERNET)
      res.put('df.network.is_internet_1', BOOL, smallInt(v[F.l3EpcId1]) === EPC_FROM_INTERNET)
      putStr(res, 'df.network.ip_0', isIpv4 ? ip4Text(smallInt(v[F.ip40])) : ip6Text(v[F.ip60]))
      putStr(res, 'df.network.ip_1', isIpv4 ? ip4Text(smallInt(v[F.ip41])) : ip6Text(v[F.ip61]))
      putStr(res, 'df.network.protocol', ipProtocolName(enumValue(v[F.protocol], IP_PROTOCOL_BY_NAME) & 255))
    }

    if (tunnelInfo && tunnelType !== 0) {
      // L235-239; past 4 Go's TunnelType.String() panics: left out.
      putStrWithoutEmpty(res, 'df.tunnel.tunnel_type', tunnelTypeName(tunnelType) ?? '')
    }

    if (transportLayer) {
      // L241-246
      putIntWithoutZero(res, 'df.transport.client_port', int64(intValue(v[F.clientPort])))
      putIntWithoutZero(res, 'df.transport.server_port', int64(intValue(v[F.serverPort])))
      putIntWithoutZero(res, 'df.transport.req_tcp_seq', int64(intValue(v[F.reqTcpSeq])))
      putIntWithoutZero(res, 'df.transport.resp_tcp_seq', int64(intValue(v[F.respTcpSeq])))
    }

    let name = ''
    let statusCode = STATUS_CODE_UNSET
    const events: string[] = []
    if (applicationLayer) {
      const l7Protocol = enumValue(v[F.l7Protocol], L7_PROTOCOL_BY_NAME) & 255
      // L249-252; is_tls must be exactly 1.
      putStrWithoutEmpty(res, 'df.application.l7_protocol', l7ProtocolName(l7Protocol, smallInt(v[F.isTls]) === 1))
      putStrWithoutEmpty(res, 'telemetry.sdk.name', 'deepflow')
      putStrWithoutEmpty(res, 'telemetry.sdk.version', CK_VERSION)
      statusCode = spanStatusCode(enumValue(v[F.responseStatus], RESPONSE_STATUS_BY_NAME) & 255)

      const requestType = str(F.requestType)
      const requestResource = str(F.requestResource)
      const requestDomain = str(F.requestDomain)
      const exception = str(F.responseException)
      const requestId = v[F.requestId]
      const responseCode = v[F.responseCode]
      const putRequestId = (key: string) => {
        if (requestId !== undefined) putInt(attrs, key, int64(intValue(requestId)))
      }
      const putResponseCode = (key: string) => {
        if (responseCode !== undefined) putInt(attrs, key, int64(intValue(responseCode)))
      }
      const exceptionEvent = () => {
        if (exception !== '') events.push(exception)
      }
      switch (l7Protocol) {
        case L7_DNS: // setDNS L409-425 (no span name)
          putStrWithoutEmpty(attrs, 'df.dns.request_type', requestType)
          putStrWithoutEmpty(attrs, 'df.dns.request_resource', requestResource)
          putRequestId('df.global.request_id')
          putStr(attrs, 'df.dns.response_status', logMessageStatusName(enumValue(v[F.responseStatus], RESPONSE_STATUS_BY_NAME) & 255))
          putResponseCode('df.dns.response_code')
          exceptionEvent()
          putStrWithoutEmpty(attrs, 'df.dns.response_result', str(F.responseResult))
          break
        case L7_HTTP_1:
        case L7_HTTP_2: // setHTTP L427-443
          putStrWithoutEmpty(attrs, 'http.flavor', str(F.version))
          putStrWithoutEmpty(attrs, 'http.method', requestType)
          putStrWithoutEmpty(attrs, 'net.peer.name', requestDomain)
          putStrWithoutEmpty(attrs, 'df.http.path', requestResource)
          putRequestId('df.global.request_id')
          putResponseCode('http.status_code')
          exceptionEvent()
          putStrWithoutEmpty(attrs, 'df.http.proxy_client', str(F.httpProxyClient))
          name = `${requestType} ${requestResource}`
          break
        case L7_DUBBO: // setDubbo L445-462
          putStr(attrs, 'rpc.system', 'apache_dubbo')
          putStrWithoutEmpty(attrs, 'rpc.service', requestResource)
          putStrWithoutEmpty(attrs, 'rpc.method', requestType)
          name = `${requestResource}/${requestType}`
          exceptionEvent()
          putStrWithoutEmpty(attrs, 'df.request_domain', requestDomain)
          putStrWithoutEmpty(attrs, 'df.dubbo.version', str(F.version))
          putRequestId('df.global.request_id')
          putResponseCode('df.response_code')
          break
        case L7_GRPC: // setGRPC L464-478
          putStr(attrs, 'rpc.system', 'grpc')
          putStrWithoutEmpty(attrs, 'rpc.service', requestResource)
          putStrWithoutEmpty(attrs, 'rpc.method', requestType)
          name = `${requestResource}/${requestType}`
          exceptionEvent()
          putStrWithoutEmpty(attrs, 'http.flavor', str(F.version))
          putStrWithoutEmpty(attrs, 'df.request_domain', requestDomain)
          putRequestId('df.global.request_id')
          break
        case L7_KAFKA: // setKafka L480-496
          putStr(attrs, 'messaging.system', 'kafka')
          name = requestResource
          putStrWithoutEmpty(attrs, 'df.kafka.request_type', requestType)
          putRequestId('df.global.request_id')
          putStrWithoutEmpty(attrs, 'df.global.request_resource', requestResource)
          putStrWithoutEmpty(attrs, 'df.kafka.request_domain', requestDomain)
          putResponseCode('df.kafka.response_code')
          exceptionEvent()
          break
        case L7_MQTT: // setMQTT L498-511: no request_id
          putStr(attrs, 'messaging.system', 'mqtt')
          name = requestResource
          putStrWithoutEmpty(attrs, 'df.mqtt.request_type', requestType)
          putStrWithoutEmpty(attrs, 'df.mqtt.request_resource', requestResource)
          putStrWithoutEmpty(attrs, 'df.mqtt.request_domain', requestDomain)
          putResponseCode('df.mqtt.response_code')
          exceptionEvent()
          break
        case L7_MYSQL: // setMySQL L513-524
        case L7_POSTGRE: { // setPostgreSQL L526-536
          const [spanName, operation] = sqlSpanNameAndOperation(requestResource)
          const db = l7Protocol === L7_MYSQL ? 'mysql' : 'postgresql'
          putStrWithoutEmpty(attrs, 'db.system', db)
          putStrWithoutEmpty(attrs, 'db.operation', operation)
          putStrWithoutEmpty(attrs, 'db.statement', requestResource)
          putStrWithoutEmpty(attrs, `df.${db}.request_type`, requestType)
          exceptionEvent()
          name = spanName
          break
        }
        case L7_REDIS: // setRedis L538-546
          putStrWithoutEmpty(attrs, 'db.system', 'redis')
          putStrWithoutEmpty(attrs, 'db.operation', requestType)
          putStrWithoutEmpty(attrs, 'db.statement', requestResource)
          exceptionEvent()
          name = requestType
          break
      }

      // L275-281: host/peer sides by the observation point's kind (not span_kind): SERVER → host
      // is side 1; anything else → host is side 0. net.peer.name set by HTTP above is updated in place.
      const server = spanKindFromTapSide === SPAN_KIND_SERVER
      const [hostTags, peerTags] = server ? [tags1, tags0] : [tags0, tags1]
      const [hostPort, peerPort] = server ? [F.serverPort, F.clientPort] : [F.clientPort, F.serverPort]
      const [hostIp4, peerIp4] = server ? [F.ip41, F.ip40] : [F.ip40, F.ip41]
      const [hostIp6, peerIp6] = server ? [F.ip61, F.ip60] : [F.ip60, F.ip61]
      putStrWithoutEmpty(attrs, 'net.host.name', hostTags[T_CHOST] !== '' ? hostTags[T_CHOST]! : hostTags[T_POD_NODE]!)
      putIntWithoutZero(attrs, 'net.host.port', int64(intValue(v[hostPort])))
      putSockAddr(attrs, 'net.sock.host.addr', isIpv4, v[hostIp4], v[hostIp6])
      putStrWithoutEmpty(attrs, 'net.peer.name', peerTags[T_CHOST] !== '' ? peerTags[T_CHOST]! : peerTags[T_POD_NODE]!)
      putIntWithoutZero(attrs, 'net.peer.port', int64(intValue(v[peerPort])))
      putSockAddr(attrs, 'net.sock.peer.addr', isIpv4, v[peerIp4], v[peerIp6])
    }

    if (metrics) {
      // L283-298
      const putPointer = (key: string, value: Value | undefined) => {
        if (value !== undefined) putInt(attrs, key, int64(intValue(value)))
      }
      putPointer('df.metrics.request_length', v[F.requestLength])
      putPointer('df.metrics.response_length', v[F.responseLength])
      putPointer('df.metrics.sql_affected_rows', v[F.sqlAffectedRows])
      putIntWithoutZero(attrs, 'df.metrics.response_duration_us', int64(intValue(v[F.responseDuration])))
      putIntWithoutZero(attrs, 'df.metrics.direction_score', int64(intValue(v[F.directionScore])))
      const names = v[F.metricsNames]
      const values = v[F.metricsValues]
      if (Array.isArray(names) && names.length > 0) {
        // Go indexes MetricsValues[i] for every name (a shorter values array panics there): the
        // relay writes the pairs that exist.
        const vals: readonly unknown[] = Array.isArray(values) ? values : []
        const n = Math.min(names.length, vals.length)
        for (let i = 0; i < n; i++) {
          const x = vals[i]
          attrs.put(String(names[i]), DOUBLE, typeof x === 'number' ? x : Number(x))
        }
      }
    }

    return writeSpanRequest(writer, res, {
      traceId,
      spanId,
      parentSpanId,
      name,
      kind,
      startTime,
      endTime,
      events,
      statusCode,
    }, attrs)
  }

  /** putK8sLabels (L115-122): df.custom_tag.k8s.labels.<name><suffix>, empty values left out; pod 0 has none. */
  function putK8sLabels(res: Attrs, dict: Dictionary, podId: Value | undefined, suffix: string): void {
    if ((typeof podId !== 'number' && typeof podId !== 'bigint') || podId === 0 || podId === 0n) return
    const labels = dict.k8sLabels(String(podId))
    if (labels === undefined) return
    for (let l = 0; l < labels.length; l += 2) putStrWithoutEmpty(res, `df.custom_tag.k8s.labels.${labels[l]}${suffix}`, labels[l + 1]!)
  }
}

/** The observation point as its code (a display name given instead reads back as its code). */
function observationPoint(v: Value | undefined): string {
  const s = stringValue(v)
  return TAP_SIDE_BY_NAME.get(s) ?? s
}

/** net.IP.String() of an IPv6 field: the relay holds Go's text; absent is Go's nil IP, "<nil>". */
function ip6Text(v: Value | undefined): string {
  return typeof v === 'string' ? v : '<nil>'
}

/**
 * net.sock.*.addr (L347-355 and the three copies after): IPv4 when not 0; IPv6 unless it equals
 * net.IPv6zero. A nil IP (absent) is not equal to IPv6zero (net.IP.Equal compares lengths): "<nil>".
 * "::ffff:0.0.0.0" is not IPv6zero either (Go prints it "0.0.0.0").
 */
function putSockAddr(attrs: Attrs, key: string, isIpv4: boolean, ip4: Value | undefined, ip6: Value | undefined): void {
  if (isIpv4) {
    const n = smallInt(ip4)
    if (n !== 0) putStr(attrs, key, ip4Text(n))
  } else if (ip6 !== '::') {
    putStr(attrs, key, ip6Text(ip6))
  }
}
