// Realistic DeepFlow records for the benchmarks, driven by src/deepflow/facts/schema.json: every
// tag and metric field of the data source gets a value (tags from a topology of pods, services and
// nodes; metrics by sub-category), plus the universal-tag dictionary that names the topology's ids.
// Data sources: flow_metrics.network.1s, the map data sources network_map.1s and application_map.1s
// (both ends' tags `_0`/`_1`, server port, protocol, observation point, L7 protocol, app fields) and
// flow_log.l7_flow_log; recordGenerator() picks the generator of a data source.
// Deterministic (seeded), so the cached inputs under .cache/bench/ are the same on every machine.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface SchemaField {
  name: string
  kind: 'tag' | 'metric'
  type: string
  sub: string | null
}
const SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../src/deepflow/facts/schema.json', import.meta.url)), 'utf8')) as Record<
  string,
  { fields: SchemaField[] }
>

export function schemaFields(ds: string): SchemaField[] {
  const spec = SCHEMA[ds]
  if (spec === undefined) throw new Error(`unknown data source ${ds}`)
  return spec.fields
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const APPS = [
  'productpage',
  'reviews',
  'ratings',
  'details',
  'frontend',
  'cartservice',
  'checkoutservice',
  'paymentservice',
  'shippingservice',
  'emailservice',
  'currencyservice',
  'recommendationservice',
  'adservice',
  'catalog-api',
  'user-profile',
  'auth-gateway',
  'order-router',
  'inventory-sync',
  'pricing-engine',
  'search-indexer',
  'notification-worker',
  'billing-ledger',
  'fraud-scorer',
  'session-store',
  'geo-resolver',
  'media-transcoder',
  'report-builder',
  'audit-trail',
  'feature-flags',
  'config-server',
  'mysql-primary',
  'redis-cache',
  'kafka-broker',
  'zookeeper',
  'coredns',
  'ingress-nginx',
  'istio-ingressgateway',
  'prometheus-server',
  'grafana',
  'loki-distributor',
]
const NAMESPACES = [
  'default',
  'bookinfo',
  'shop',
  'payments',
  'checkout',
  'identity',
  'search',
  'media',
  'billing',
  'risk',
  'platform',
  'data',
  'messaging',
  'kube-system',
  'istio-system',
  'monitoring',
  'logging',
  'ingress',
  'staging',
  'canary',
  'batch',
  'ml-serving',
  'analytics',
  'backoffice',
  'edge',
]
const PROCESSES = [
  'java',
  'envoy',
  'python3',
  'node',
  'nginx',
  'mysqld',
  'redis-server',
  'gunicorn',
  'dotnet',
  'ruby',
  'php-fpm',
  'coredns',
]
const PORTS = [9080, 8080, 80, 443, 8443, 3306, 6379, 5432, 9092, 53, 50051, 27017]
const HEX = '0123456789abcdef'
const hex = (r: () => number, n: number) => Array.from({ length: n }, () => HEX[Math.floor(r() * 16)]).join('')
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!

/** The topology behind the tag values: pods with their group, namespace, node, service. */
export interface Topology {
  readonly pods: number
  readonly groups: number
  readonly nodes: number
  readonly dictionary: Record<string, Record<string, string>>
}

export function topology(pods: number): Topology {
  const r = rng(7)
  const groups = Math.max(1, Math.floor(pods / 4))
  const nodes = Math.max(1, Math.floor(pods / 30))
  const d: Record<string, Record<string, string>> = {
    region: { 1: 'cn-beijing' },
    az: { 1: 'cn-beijing-a', 2: 'cn-beijing-b', 3: 'cn-beijing-c' },
    pod_cluster: { 1: 'prod-k8s-1', 2: 'prod-k8s-2' },
    l3_epc: { 2: 'vpc-prod-1', 3: 'vpc-prod-2' },
    host: {},
    pod_node: {},
    pod_ns: {},
    pod_group: {},
    pod: {},
    subnet: {},
    service: {},
    gprocess: {},
    agent: {},
    device: {},
  }
  NAMESPACES.forEach((ns, i) => {
    d.pod_ns![i + 1] = ns
    d.subnet![4096 + i + 1] = `${ns}-pod-subnet`
  })
  for (let n = 1; n <= nodes; n++) {
    d.pod_node![n] = `k8s-node-${String(n).padStart(3, '0')}.cn-beijing.internal`
    d.host![n] = `host-10-0-${n >> 8}-${n & 255}`
    d.agent![n] = `${d.pod_node![n]}-V${n}`
    d.device![`6:${n}`] = d.host![n]!
  }
  for (let g = 0; g < groups; g++) {
    const name = `${APPS[g % APPS.length]}${g >= APPS.length ? `-${Math.floor(g / APPS.length)}` : ''}-v${1 + (g % 3)}`
    d.pod_group![100 + g] = name
    d.service![500 + g] = name.replace(/-v\d$/, '')
    d.device![`102:${500 + g}`] = d.service![500 + g]!
  }
  for (let p = 0; p < pods; p++) {
    const g = p % groups
    const name = `${d.pod_group![100 + g]}-${hex(r, 9)}-${hex(r, 5)}`
    d.pod![1000 + p] = name
    d.device![`10:${1000 + p}`] = name
    d.gprocess![20000 + p] = pick(r, PROCESSES)
  }
  return { pods, groups, nodes, dictionary: d }
}

/** Universal tags of pod p, under the side suffix (''/'_0'/'_1'). */
function podTags(t: Topology, p: number, side: '' | '_0' | '_1'): Record<string, number> {
  const g = p % t.groups
  const node = 1 + (p % t.nodes)
  const ns = 1 + (g % NAMESPACES.length)
  const cluster = 1 + (ns % 2)
  return {
    [`region_id${side}`]: 1,
    [`az_id${side}`]: 1 + (node % 3),
    [`host_id${side}`]: node,
    [`l3_device_type${side}`]: 10,
    [`l3_device_id${side}`]: 1000 + p,
    [`pod_node_id${side}`]: node,
    [`pod_ns_id${side}`]: ns,
    [`pod_group_id${side}`]: 100 + g,
    [`pod_id${side}`]: 1000 + p,
    [`pod_cluster_id${side}`]: cluster,
    [`l3_epc_id${side}`]: 1 + cluster,
    [`subnet_id${side}`]: 4096 + ns,
    [`service_id${side}`]: 500 + g,
    [`auto_instance_type${side}`]: 10,
    [`auto_instance_id${side}`]: 1000 + p,
    [`auto_service_type${side}`]: 102,
    [`auto_service_id${side}`]: 500 + g,
  }
}

const ip4 = (p: number) => `10.${16 + (p >> 8)}.${p & 255}.${2 + ((p * 7) % 250)}`

/** Metric value of a flow_metrics field for one second of one series. */
function metricValue(f: SchemaField, r: () => number, base: { packets: number; flows: number; req: number }): number {
  const n = f.name
  const rare = (p: number) => (r() < p ? 1 + Math.floor(r() * 3) : 0)
  if (n === 'packet_tx' || n === 'packet_rx') return Math.max(1, Math.round(base.packets * (0.6 + r() * 0.8)))
  if (n.startsWith('byte_') || n.startsWith('l3_byte_') || n.startsWith('l4_byte_')) return Math.round(base.packets * (80 + r() * 1300))
  if (n === 'new_flow' || n === 'closed_flow' || n === 'syn_count' || n === 'synack_count') return Math.round(base.flows * r())
  if (n === 'l7_request' || n === 'l7_response') return base.req
  if (n === 'direction_score') return pick(r, [0, 127, 255])
  if (n === 'flow_load') return base.flows + Math.floor(r() * 40)
  if (n.endsWith('_max')) return Math.floor(200 + r() * 40_000)
  if (n.endsWith('_count')) return Math.floor(r() * 50)
  if (n.endsWith('_sum')) return Math.floor(r() * 1_500_000)
  if (n === 'retrans_tx' || n === 'retrans_rx') return rare(0.2)
  if (f.sub === 'tcp_error' || n.startsWith('l7_') || n.startsWith('retrans_') || n.startsWith('zero_win') || n.startsWith('ooo_')) {
    return rare(0.03)
  }
  return Math.floor(r() * 100)
}

/**
 * flow_metrics.network.1s record k: tag set k % tagSets (pod × role × port, all distinct), at
 * second baseTime + floor(k / tagSets); every metric field of the schema, many of them zero.
 */
export function networkRecord(t: Topology, k: number, tagSets: number, baseTime: number): Record<string, unknown> {
  const s = k % tagSets
  const p = s % t.pods
  const variant = Math.floor(s / t.pods)
  const r = rng(k * 2654435761 + 1)
  const port = PORTS[(p + (variant >> 1)) % PORTS.length]!
  const tags: Record<string, unknown> = {
    time: baseTime + Math.floor(k / tagSets),
    thread_id: 1 + (p % 4),
    ip4: ip4(p),
    is_ipv4: 1,
    ...podTags(t, p, ''),
    gprocess_id: 20000 + p,
    role: variant & 1,
    protocol: port === 53 ? 17 : 6,
    server_port: port,
    agent_id: 1 + (p % t.nodes),
    org_id: 1,
    team_id: 1,
    capture_network_type_id: 3,
    signal_source: 0,
  }
  const base = { packets: Math.floor(1 + r() * 800), flows: Math.floor(1 + r() * 6), req: Math.floor(r() * 120) }
  const out: Record<string, unknown> = {}
  for (const f of schemaFields('flow_metrics.network.1s')) {
    if (f.kind === 'tag') {
      if (tags[f.name] !== undefined) out[f.name] = tags[f.name]
    } else out[f.name] = metricValue(f, r, base)
  }
  return out
}

const HTTP_PATHS = [
  '/api/v1/products/{id}',
  '/api/v1/cart/{id}/items',
  '/reviews/{id}',
  '/ratings/{id}',
  '/api/v2/users/{id}/profile',
  '/checkout/session/{id}',
  '/api/v1/orders/{id}?expand=items,shipping',
  '/static/js/main.{hex}.chunk.js',
  '/healthz',
  '/graphql',
  '/api/v1/search?q=running+shoes&page={n}&size=24',
  '/oauth2/token',
  '/api/v1/inventory/sku/{id}/reserve',
]
const SQL = [
  'SELECT id, name, price, stock FROM products WHERE id = {id} LIMIT 1',
  'SELECT o.id, o.status, o.total FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.user_id = {id} ORDER BY o.created_at DESC LIMIT 20',
  'UPDATE inventory SET reserved = reserved + 1, updated_at = NOW() WHERE sku_id = {id} AND stock - reserved > 0',
  "INSERT INTO audit_log (actor, action, target, payload, created_at) VALUES ('svc-checkout', 'reserve', 'sku:{id}', '{\"qty\":1}', NOW())",
  'COMMIT',
  'SET autocommit=1',
]
const REDIS = ['GET session:{hex}', 'SETEX cart:{id} 3600', 'HGETALL user:{id}:prefs', 'INCRBY rate:{hex} 1', 'MGET price:{id} stock:{id}']
const DNS = [
  'reviews.bookinfo.svc.cluster.local',
  'ratings.bookinfo.svc.cluster.local',
  'mysql-primary.data.svc.cluster.local',
  'api.stripe.com',
  'kafka-0.kafka-headless.messaging.svc.cluster.local',
]
const UA = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'okhttp/4.12.0',
  'grpc-java-netty/1.64.0',
  'Go-http-client/1.1',
  'python-requests/2.32.3',
  'Envoy/1.30.2',
]

function fill(tpl: string, r: () => number): string {
  return tpl.replace(/\{id\}/g, () => String(1 + Math.floor(r() * 999_999))).replace(/\{hex\}/g, () => hex(r, 12)).replace(
    /\{n\}/g,
    () => String(1 + Math.floor(r() * 40)),
  )
}
const uuid = (r: () => number) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`

/** flow_log.l7_flow_log record k: an HTTP, gRPC, MySQL, Redis or DNS session between two pods. */
export function l7Record(t: Topology, k: number, baseTime: number): Record<string, unknown> {
  const r = rng(k * 2246822519 + 3)
  const c = Math.floor(r() * t.pods)
  const s = (c + 1 + Math.floor(r() * (t.pods - 1))) % t.pods
  const kind = pick(r, ['http', 'http', 'http', 'grpc', 'mysql', 'redis', 'dns'])
  const start = (baseTime + Math.floor(k / 2000)) * 1_000_000 + Math.floor(r() * 1_000_000)
  const duration = Math.floor(150 + r() * 80_000)
  const server = t.dictionary.service![500 + (s % t.groups)]!
  const ok = r() > 0.04
  const traceId = hex(r, 32)
  const rec: Record<string, unknown> = {
    _id: (7376470921311000000n + BigInt(k)).toString(),
    time: Math.floor((start + duration) / 1_000_000),
    type: 2,
    is_tls: 0,
    is_async: 0,
    is_reversed: 0,
    response_status: ok ? 0 : pick(r, [3, 4, 2]),
    trace_id: traceId,
    span_id: hex(r, 16),
    parent_span_id: hex(r, 16),
    span_kind: pick(r, [2, 3]),
    x_request_id_0: uuid(r),
    x_request_id_1: uuid(r),
    app_service: server,
    app_instance: t.dictionary.pod![1000 + s]!,
    response_duration: duration,
    request_length: Math.floor(r() * 4000),
    response_length: Math.floor(r() * 60_000),
    direction_score: 255,
    captured_request_byte: Math.floor(r() * 1024),
    captured_response_byte: Math.floor(r() * 1024),
    attribute_names: ['http.user_agent', 'net.peer.name', 'k8s.namespace'],
    attribute_values: [pick(r, UA), `${server}.svc.cluster.local`, t.dictionary.pod_ns![1 + ((s % t.groups) % 25)] ?? 'default'],
    ip4_0: ip4(c),
    ip4_1: ip4(s),
    is_ipv4: 1,
    protocol: kind === 'dns' ? 17 : 6,
    client_port: 32768 + Math.floor(r() * 28000),
    flow_id: (5000000000000000n + BigInt(k * 3)).toString(),
    capture_network_type_id: 3,
    nat_source: 0,
    signal_source: pick(r, [0, 3]),
    tunnel_type: 0,
    capture_nic: 1 + Math.floor(r() * 64),
    observation_point: pick(r, ['c-p', 's-p', 'c', 's', 'c-nd', 's-nd']),
    agent_id: 1 + (c % t.nodes),
    req_tcp_seq: Math.floor(r() * 4e9),
    resp_tcp_seq: Math.floor(r() * 4e9),
    start_time: start,
    end_time: start + duration,
    gprocess_id_0: 20000 + c,
    gprocess_id_1: 20000 + s,
    process_id_0: 1000 + Math.floor(r() * 60000),
    process_id_1: 1000 + Math.floor(r() * 60000),
    process_kname_0: t.dictionary.gprocess![20000 + c],
    process_kname_1: t.dictionary.gprocess![20000 + s],
    syscall_trace_id_request: (9000000000000n + BigInt(k)).toString(),
    syscall_trace_id_response: (9000000000000n + BigInt(k) + 1n).toString(),
    syscall_thread_0: Math.floor(r() * 60000),
    syscall_thread_1: Math.floor(r() * 60000),
    syscall_cap_seq_0: Math.floor(r() * 1e6),
    syscall_cap_seq_1: Math.floor(r() * 1e6),
    pod_group_type_0: 130,
    pod_group_type_1: 130,
    epc_id_0: 2,
    epc_id_1: 2,
    org_id: 1,
    team_id: 1,
    ...podTags(t, c, '_0'),
    ...podTags(t, s, '_1'),
  }
  if (kind === 'http' || kind === 'grpc') {
    const path = fill(pick(r, HTTP_PATHS), r)
    const grpcMethod = `/${server.replace(/-/g, '.')}.v1.${pick(r, ['Get', 'List', 'Create', 'Update'])}Item`
    Object.assign(rec, {
      l7_protocol: kind === 'http' ? pick(r, [20, 21]) : 41,
      version: kind === 'http' ? pick(r, ['1.1', '2']) : '2',
      request_type: kind === 'http' ? pick(r, ['GET', 'GET', 'POST', 'PUT', 'DELETE']) : 'POST',
      request_domain: `${server}.svc.cluster.local:${PORTS[s % 5]}`,
      request_resource: kind === 'http' ? path : grpcMethod,
      endpoint: kind === 'http' ? path.split('?')[0]!.replace(/\/\d+/g, '/{id}') : grpcMethod,
      server_port: PORTS[s % 5],
      response_code: kind === 'http' ? (ok ? pick(r, [200, 200, 201, 204, 304]) : pick(r, [500, 502, 503, 404, 429])) : (ok ? 0 : 14),
      http_proxy_client: r() < 0.3 ? ip4(c) : '',
      request_id: Math.floor(r() * 1e9),
      response_exception: ok ? '' : pick(r, [
        'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
        'Internal Server Error',
        'deadline exceeded after 4.999s',
      ]),
    })
  } else if (kind === 'mysql') {
    Object.assign(rec, {
      l7_protocol: 60,
      version: '8.0.36',
      request_type: 'COM_QUERY',
      request_domain: 'mysql-primary.data',
      request_resource: fill(pick(r, SQL), r),
      endpoint: '',
      server_port: 3306,
      sql_affected_rows: Math.floor(r() * 20),
      response_code: ok ? 0 : 1213,
      response_exception: ok ? '' : 'Deadlock found when trying to get lock; try restarting transaction',
      response_result: '',
    })
  } else if (kind === 'redis') {
    const cmd = fill(pick(r, REDIS), r)
    Object.assign(rec, {
      l7_protocol: 80,
      request_type: cmd.split(' ')[0],
      request_resource: cmd,
      server_port: 6379,
      response_result: ok ? pick(r, ['OK', '+OK', ':1', '$128']) : '',
      response_exception: ok ? '' : 'WRONGTYPE Operation against a key holding the wrong kind of value',
    })
  } else {
    const q = pick(r, DNS)
    Object.assign(rec, {
      l7_protocol: 120,
      request_type: pick(r, ['A', 'AAAA', 'SRV']),
      request_domain: q,
      request_resource: q,
      server_port: 53,
      response_code: ok ? 0 : 3,
      response_result: ok ? ip4(s) : '',
      response_exception: ok ? '' : 'NXDomain',
    })
  }
  for (const key of Object.keys(rec)) if (rec[key] === '' || rec[key] === undefined) delete rec[key]
  return rec
}

/** What an observation point (tap_side) implies: eBPF sides see processes, NIC sides see packets. */
interface Side {
  readonly point: string
  /** Which end's node captured it: 0 client, 1 server. */
  readonly end: 0 | 1
  readonly signal: number
  readonly nicType: number
}
const SIDES: readonly Side[] = [
  { point: 'c-p', end: 0, signal: 3, nicType: 7 },
  { point: 's-p', end: 1, signal: 3, nicType: 7 },
  { point: 'c', end: 0, signal: 0, nicType: 0 },
  { point: 's', end: 1, signal: 0, nicType: 0 },
  { point: 'c-nd', end: 0, signal: 0, nicType: 0 },
  { point: 's-nd', end: 1, signal: 0, nicType: 0 },
]
/** The L7 protocol a server port speaks (DeepFlow's l7_protocol ids). */
const L7_BY_PORT: Record<number, number> = {
  9080: 20,
  8080: 20,
  80: 20,
  443: 21,
  8443: 21,
  3306: 60,
  6379: 80,
  5432: 61,
  9092: 100,
  53: 120,
  50051: 41,
  27017: 81,
}

/**
 * Tag set s of a map data source: client pod s % pods calls a server pod chosen by the variant
 * floor(s / pods) (its port and protocol follow from the server), seen at the variant's
 * observation point; every (client, variant) pair is a distinct tag set (variants < SIDES.length).
 */
function mapTags(t: Topology, s: number, baseTime: number, k: number, tagSets: number) {
  const c = s % t.pods
  const variant = Math.floor(s / t.pods)
  let sv = (c + 1 + variant * 37 + ((c * 13) % 7)) % t.pods
  if (sv === c) sv = (sv + 1) % t.pods
  // Consecutive variants of one client get distinct sides; every side occurs across clients.
  const side = SIDES[(variant + c) % SIDES.length]!
  const port = PORTS[sv % PORTS.length]!
  const observer = side.end === 0 ? c : sv
  const tags: Record<string, unknown> = {
    time: baseTime + Math.floor(k / tagSets),
    thread_id: 1 + (c % 4),
    ip4_0: ip4(c),
    ip4_1: ip4(sv),
    is_ipv4: 1,
    ...podTags(t, c, '_0'),
    ...podTags(t, sv, '_1'),
    protocol: port === 53 ? 17 : 6,
    server_port: port,
    agent_id: 1 + (observer % t.nodes),
    org_id: 1,
    team_id: 1,
    capture_nic: side.nicType === 7 ? 0 : 1 + ((observer * 5) % 64),
    capture_nic_type: side.nicType,
    nat_source: 0,
    tunnel_type: side.point.endsWith('-nd') ? 1 : 0,
    observation_point: side.point,
    capture_network_type_id: 3,
    signal_source: side.signal,
  }
  if (side.signal === 3) {
    tags.gprocess_id_0 = 20000 + c
    tags.gprocess_id_1 = 20000 + sv
  }
  return { tags, c, sv, port }
}

/** Every schema field of `ds`: tags from `tags` (absent ones left out), metrics from `metric`. */
function fromSchema(ds: string, tags: Record<string, unknown>, metric: (f: SchemaField) => number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of schemaFields(ds)) {
    if (f.kind === 'tag') {
      if (tags[f.name] !== undefined) out[f.name] = tags[f.name]
    } else out[f.name] = metric(f)
  }
  return out
}

/**
 * flow_metrics.network_map.1s record k: the traffic of tag set k % tagSets (client pod → server
 * pod:port at one observation point, see mapTags) in second baseTime + floor(k / tagSets); every
 * metric field of the schema, valued by sub-category as in networkRecord.
 */
export function networkMapRecord(t: Topology, k: number, tagSets: number, baseTime: number): Record<string, unknown> {
  const { tags } = mapTags(t, k % tagSets, baseTime, k, tagSets)
  const r = rng(k * 2654435761 + 5)
  const base = { packets: Math.floor(1 + r() * 800), flows: Math.floor(1 + r() * 6), req: Math.floor(r() * 120) }
  return fromSchema('flow_metrics.network_map.1s', tags, (f) => metricValue(f, r, base))
}

/**
 * flow_metrics.application_map.1s record k: tag set k % tagSets as in networkMapRecord, plus the
 * server's L7 protocol (from its port), app service and instance, and an endpoint (HTTP paths,
 * gRPC methods; none for databases, caches, DNS); request/response counts, response time sum, max
 * and count, and rare client/server errors and timeouts.
 */
export function applicationMapRecord(t: Topology, k: number, tagSets: number, baseTime: number): Record<string, unknown> {
  const s = k % tagSets
  const { tags, sv, port } = mapTags(t, s, baseTime, k, tagSets)
  const l7 = L7_BY_PORT[port] ?? 0
  const service = t.dictionary.service![500 + (sv % t.groups)]!
  const er = rng(s * 40503 + 11)
  if (l7 === 20 || l7 === 21) tags.endpoint = pick(er, HTTP_PATHS).split('?')[0]!
  else if (l7 === 41) tags.endpoint = `/${service.replace(/-/g, '.')}.v1.${pick(er, ['Get', 'List', 'Create', 'Update'])}Item`
  Object.assign(tags, { l7_protocol: l7, app_service: service, app_instance: t.dictionary.pod![1000 + sv], biz_type: 0 })
  const r = rng(k * 2246822519 + 7)
  const request = Math.floor(1 + r() * 400)
  const serverError = r() < 0.1 ? Math.floor(r() * 5) : 0
  const clientError = r() < 0.05 ? Math.floor(r() * 3) : 0
  const timeout = r() < 0.02 ? 1 : 0
  const response = Math.max(0, request - timeout - (r() < 0.1 ? 1 : 0))
  const rrtMax = Math.floor(300 + r() * 250_000)
  const values: Record<string, number> = {
    request,
    response,
    direction_score: pick(r, [0, 127, 255]),
    rrt_max: rrtMax,
    rrt_sum: Math.floor(response * rrtMax * (0.2 + r() * 0.5)),
    rrt_count: response,
    client_error: clientError,
    server_error: serverError,
    timeout,
  }
  return fromSchema('flow_metrics.application_map.1s', tags, (f) => {
    const v = values[f.name]
    if (v === undefined) throw new Error(`applicationMapRecord: no value for ${f.name}`)
    return v
  })
}

/** Record k of `ds` (flow_metrics: of tag set k % tagSets, in second baseTime + floor(k / tagSets)). */
export type RecordGenerator = (t: Topology, k: number, tagSets: number, baseTime: number) => Record<string, unknown>

export const GENERATED_DATA_SOURCES = [
  'flow_metrics.network.1s',
  'flow_metrics.network_map.1s',
  'flow_metrics.application_map.1s',
  'flow_log.l7_flow_log',
] as const
export type GeneratedDataSource = (typeof GENERATED_DATA_SOURCES)[number]

export function recordGenerator(ds: GeneratedDataSource): RecordGenerator {
  switch (ds) {
    case 'flow_metrics.network.1s':
      return networkRecord
    case 'flow_metrics.network_map.1s':
      return networkMapRecord
    case 'flow_metrics.application_map.1s':
      return applicationMapRecord
    case 'flow_log.l7_flow_log':
      return (t, k, _tagSets, baseTime) => l7Record(t, k, baseTime)
  }
}
