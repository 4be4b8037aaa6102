// Shared pieces of the OTLP golden tests.
// - A span in a compact, hand-writable form (Expected), and the bytes pdata v1.0.0 would marshal for
//   it (gogoBytes): an independent, test-only port of the gogo-generated MarshalToSizedBuffer rules
//   (pdata/internal/data/protogen/{trace,common,resource}/v1/*.pb.go at pdata/v1.0.0), so that a
//   golden's bytes are checked against its hand-derived structure, not against the encoder itself.
// - decode(): the encoder's bytes read back with src/wire/otlp's standard types into the same form.
// - Golden hex fixtures (fixtures/golden.json): the exact bytes, pinned; OTLP_GOLDEN_UPDATE=1 rewrites them.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { dataSource } from '../../../src/deepflow/schema.ts'
import { compileOtlpSpanEncoder } from '../../../src/encode/otlp/to-otlp-span.ts'
import type { ExporterConfig } from '../../../src/config/types.ts'
import { compileNormalizer } from '../../../src/record/normalize.ts'
import { parseJsonLossless } from '../../../src/record/lossless-json.ts'
import { type Dictionary, EMPTY_DICTIONARY } from '../../../src/translate/dictionary.ts'
import { ExportTraceServiceRequest } from '../../../src/wire/otlp/otlp.ts'
import { dictionaryFrom, exporterFromYaml } from '../../helpers/encode.ts'

export const DS = dataSource('flow_log.l7_flow_log')!
const normalize = compileNormalizer(DS)

/** An attribute value: string, bool, int64 (bigint), double ({ d }). */
export type Attr = string | boolean | bigint | { readonly d: number }
export type Attrs = readonly (readonly [string, Attr])[]

export interface Expected {
  readonly resource: Attrs
  /** Hex; '' for an empty id. */
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly name: string
  /** OTLP SpanKind number. */
  readonly kind: number
  readonly start: bigint
  readonly end: bigint
  readonly attributes: Attrs
  /** Event names (DeepFlow's events have a name only). */
  readonly events: readonly string[]
  /** OTLP StatusCode number (no message). */
  readonly status: number
}

/** The exporter config of an `export-fields` list (opentelemetry exporters use only exportFields). */
export function exporter(exportFields: readonly string[]): ExporterConfig {
  const base = exporterFromYaml('data-sources: [flow_log.l7_flow_log]\nexport-fields: [$metrics]')
  return { ...base, protocol: 'opentelemetry', exportFields }
}

/** A record from JSON text (read as HTTP ingest reads it: long integers exact). */
export function record(json: string | Record<string, unknown>) {
  // An object's undefined values are left out (absent fields).
  const input = typeof json === 'string'
    ? parseJsonLossless(json)
    : Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined))
  const r = normalize(input)
  if (!r.ok) throw new Error(`invalid record: ${r.field ?? ''} ${r.error}`)
  return r.record
}

export interface EncodeOpts {
  readonly dictionary?: Dictionary
  readonly quirks?: boolean
}

export function encode(exportFields: readonly string[], input: string | Record<string, unknown>, opts: EncodeOpts = {}): Uint8Array {
  const enc = compileOtlpSpanEncoder(exporter(exportFields), DS, { current: opts.dictionary ?? EMPTY_DICTIONARY }, {
    deepflowQuirks: opts.quirks ?? false,
  })
  return enc(record(input))
}

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

// ---- the reference marshaller (gogo rules of pdata v1.0.0) ----

class Buf {
  readonly bytes: number[] = []
  varint(v: bigint): this {
    let u = BigInt.asUintN(64, v)
    while (u >= 0x80n) {
      this.bytes.push(Number(u & 0x7fn) | 0x80)
      u >>= 7n
    }
    this.bytes.push(Number(u))
    return this
  }
  tag(field: number, wire: number): this {
    return this.varint(BigInt((field << 3) | wire))
  }
  fixed64(v: bigint): this {
    let u = BigInt.asUintN(64, v)
    for (let i = 0; i < 8; i++) {
      this.bytes.push(Number(u & 0xffn))
      u >>= 8n
    }
    return this
  }
  ld(field: number, body: readonly number[]): this {
    this.tag(field, 2).varint(BigInt(body.length))
    this.bytes.push(...body)
    return this
  }
  str(field: number, s: string): this {
    return this.ld(field, [...new TextEncoder().encode(s)])
  }
}

function anyValue(v: Attr): number[] {
  const b = new Buf()
  // common.pb.go AnyValue_*Value.MarshalToSizedBuffer: the oneof member is always written.
  if (typeof v === 'string') b.str(1, v)
  else if (typeof v === 'boolean') b.tag(2, 0).varint(v ? 1n : 0n)
  else if (typeof v === 'bigint') b.tag(3, 0).varint(v)
  else {
    const dv = new DataView(new ArrayBuffer(8))
    dv.setFloat64(0, v.d, true)
    b.tag(4, 1).bytes.push(...new Uint8Array(dv.buffer))
  }
  return b.bytes
}

function keyValue(k: string, v: Attr): number[] {
  const b = new Buf()
  if (k !== '') b.str(1, k) // KeyValue: key when not empty
  b.ld(2, anyValue(v)) // value always
  return b.bytes
}

const idBytes = (h: string) => Array.from({ length: h.length / 2 }, (_, i) => Number.parseInt(h.slice(2 * i, 2 * i + 2), 16))

/** The ExportTraceServiceRequest bytes pdata v1.0.0 writes for one expected span. */
export function gogoBytes(e: Expected): Uint8Array {
  const resource = new Buf()
  for (const [k, v] of e.resource) resource.ld(1, keyValue(k, v))
  const span = new Buf()
  span.ld(1, idBytes(e.traceId)) // trace.pb.go L1114-1123: always (0a 00 when empty)
  span.ld(2, idBytes(e.spanId)) // L1104-1113
  span.ld(4, idBytes(e.parentSpanId)) // L1087-1096
  if (e.name !== '') span.str(5, e.name) // L1080-1086
  if (e.kind !== 0) span.tag(6, 0).varint(BigInt(e.kind)) // L1075-1079
  if (e.start !== 0n) span.tag(7, 1).fixed64(e.start) // L1069-1074
  if (e.end !== 0n) span.tag(8, 1).fixed64(e.end) // L1063-1068
  for (const [k, v] of e.attributes) span.ld(9, keyValue(k, v))
  for (const name of e.events) span.ld(11, new Buf().str(2, name).bytes) // Span_Event: name only
  const status = new Buf()
  if (e.status !== 0) status.tag(3, 0).varint(BigInt(e.status))
  span.ld(15, status.bytes) // L996-1005: always
  const scopeSpans = new Buf().ld(1, []).ld(2, span.bytes) // ScopeSpans: scope always (empty)
  const resourceSpans = new Buf().ld(1, resource.bytes).ld(2, scopeSpans.bytes) // resource always
  return new Uint8Array(new Buf().ld(1, resourceSpans.bytes).bytes)
}

// ---- reading bytes back ----

interface Long {
  low: number
  high: number
}
const long = (v: unknown, signed: boolean): bigint => {
  if (typeof v === 'number') return BigInt(v)
  const l = v as Long
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0)
  return signed ? BigInt.asIntN(64, u) : u
}

// deno-lint-ignore no-explicit-any
function attrsOf(kvs: any[] | undefined): [string, Attr][] {
  return (kvs ?? []).map((kv) => {
    const v = kv.value
    const a: Attr = v.value === 'string_value'
      ? v.string_value
      : v.value === 'bool_value'
      ? v.bool_value
      : v.value === 'int_value'
      ? long(v.int_value, true)
      : { d: v.double_value }
    return [kv.key, a]
  })
}

/** Every span of request bytes, in the Expected form. */
export function decodeAll(bytes: Uint8Array): Expected[] {
  // deno-lint-ignore no-explicit-any
  const req = ExportTraceServiceRequest.decode(bytes) as any
  const out: Expected[] = []
  for (const rs of req.resource_spans) {
    for (const ss of rs.scope_spans) {
      for (const s of ss.spans) {
        out.push({
          resource: attrsOf(rs.resource?.attributes),
          traceId: hex(s.trace_id),
          spanId: hex(s.span_id),
          parentSpanId: hex(s.parent_span_id),
          name: s.name,
          kind: s.kind,
          start: long(s.start_time_unix_nano, false),
          end: long(s.end_time_unix_nano, false),
          attributes: attrsOf(s.attributes),
          // deno-lint-ignore no-explicit-any
          events: s.events.map((e: any) => e.name),
          status: s.status?.code ?? 0,
        })
      }
    }
  }
  return out
}

export function decodeOne(bytes: Uint8Array): Expected {
  const all = decodeAll(bytes)
  assert.equal(all.length, 1)
  return all[0]!
}

// ---- golden fixtures ----

const FIXTURE = new URL('./fixtures/golden.json', import.meta.url)
const UPDATE = typeof process !== 'undefined' && process.env.OTLP_GOLDEN_UPDATE === '1'
let fixtures: Record<string, string> = {}
try {
  fixtures = JSON.parse(readFileSync(FIXTURE, 'utf8'))
} catch {
  if (!UPDATE) throw new Error('test/encode/otlp/fixtures/golden.json is missing (OTLP_GOLDEN_UPDATE=1 writes it)')
}

/**
 * A golden: the encoder's bytes decode to `expected`, equal the bytes pdata writes for `expected`
 * (gogoBytes) and the hex pinned under `name` in fixtures/golden.json.
 */
export function assertGolden(name: string, bytes: Uint8Array, expected: Expected): void {
  assert.deepEqual(decodeOne(bytes), expected, `${name}: decoded structure`)
  assert.equal(hex(bytes), hex(gogoBytes(expected)), `${name}: bytes as pdata v1.0.0 marshals the expected span`)
  if (UPDATE) {
    fixtures[name] = hex(bytes)
    const sorted = Object.fromEntries(Object.entries(fixtures).sort(([a], [b]) => (a < b ? -1 : 1)))
    writeFileSync(FIXTURE, JSON.stringify(sorted, null, 2) + '\n')
  } else {
    assert.equal(hex(bytes), fixtures[name], `${name}: pinned bytes (fixtures/golden.json)`)
  }
}

/** The platform dictionary of the goldens: client pod 153 on node-1, server pod 177 on node-2, VM 21. */
export const DICT = dictionaryFrom({
  region: { '1': 'region-1' },
  az: { '1': 'az-1', '2': 'az-2' },
  host: { '4': 'hv-4' },
  pod_node: { '1': 'node-1', '2': 'node-2' },
  pod_ns: { '1': 'default' },
  pod_group: { '33': 'productpage-v1', '34': 'reviews-v2' },
  pod: { '153': 'productpage-v1-7f9c', '177': 'reviews-v2-5d8f' },
  pod_cluster: { '1': 'k8s-1' },
  l3_epc: { '1': 'vpc-1' },
  subnet: { '1': 'pod-subnet' },
  service: { '201': 'details' },
  agent: { '7': 'node-1-V3' },
  device: {
    '10:153': 'productpage-v1-7f9c',
    '10:177': 'reviews-v2-5d8f',
    '6:5': 'host-5',
    '102:176': 'reviews',
    '1:21': 'vm-21',
    '14:2': 'node-2-dev',
  },
  k8s_labels: {
    '153': { version: 'v1', app: 'productpage', empty: '' },
    '177': { app: 'reviews' },
  },
})
