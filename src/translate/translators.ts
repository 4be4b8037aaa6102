// Per-field translation, compiled once per (exporter, data source), applied to the raw value:
// to_string (ip4, mac, ip6) > universal tag (unless disabled) > enum (unless disabled).
// Differences from deepflow-server, on purpose:
// - an enum or device-type value with no name keeps its raw value (a number stays a number; Q11:
//   DeepFlow turns it into "" and drops it);
// - a universal id with no name in the dictionary keeps its key and raw id (DeepFlow drops it);
//   id 0 means "none" and becomes an empty tag, as in DeepFlow;
// - IPv6 addresses are emitted (Q6); event gprocess ids are translated (Q19).
import type { DataSourceSpec, FieldSpec } from '../deepflow/schema.ts'
import {
  DEVICE_TYPE_HOST,
  DEVICE_TYPE_INTERNET,
  DEVICE_TYPE_IP,
  DEVICE_TYPE_SERVICE,
  enumTable,
  type NameTable,
  RELAY_DEVICE_TYPES,
} from '../deepflow/enums.ts'
import { formatIp4, formatMac, type Value } from '../record/values.ts'
import type { Dictionary, IdKind, IdNames } from './dictionary.ts'
import { byNumber } from '../util/number-keys.ts'

export interface TranslateContext {
  dict: Dictionary
  /** Set by a universal translator when it found a name: the Kafka key then loses its `_id`. */
  universalKey: boolean
}

export type Translator = (values: readonly (Value | undefined)[], ctx: TranslateContext) => Value | undefined

export interface TranslateOptions {
  readonly enumNames: boolean
  readonly universalNames: boolean
}

const TYPE_KINDS = new Set(['l3_device_type', 'auto_instance_type', 'auto_service_type'])
const DIRECT_KINDS = new Set<string>([
  'region',
  'az',
  'pod_node',
  'pod_ns',
  'pod_group',
  'pod',
  'pod_cluster',
  'l3_epc',
  'subnet',
  'gprocess',
  'agent',
])

function enumTranslator(index: number, table: NameTable): Translator {
  const numbers = byNumber(table)
  return (values) => {
    const v = values[index]
    if (typeof v === 'number') return numbers.get(v) ?? v
    if (typeof v === 'bigint') return table.get(String(v)) ?? v
    if (typeof v === 'string') return table.get(v) ?? v
    return v
  }
}

const DEVICE_TYPE_NAMES = byNumber(RELAY_DEVICE_TYPES)

function suffixOf(name: string): string {
  const m = /_[01]$/.exec(name)
  return m === null ? '' : m[0]
}

function isId(v: Value | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint'
}

/**
 * What a universal id becomes once looked up: 0 means "none" (an empty tag), an id with a name its
 * name, one without its raw id. A plain function, not a closure per record.
 */
function named(ctx: TranslateContext, id: number | bigint, name: string | undefined): Value {
  if (id === 0 || id === 0n) {
    ctx.universalKey = true
    return ''
  }
  if (name === undefined) return id
  ctx.universalKey = true
  return name
}

/** A value that is not an id (a name already, or absent) is written as it is; a string counts as named. */
function notAnId(ctx: TranslateContext, v: Value | undefined): Value | undefined {
  if (typeof v === 'string') ctx.universalKey = true
  return v
}

/**
 * The names of `kind` in the context's dictionary, taken once per dictionary (a reload swaps the
 * dictionary: the next record takes the new one's).
 */
function idsOf(kind: Exclude<IdKind, 'device'>): (dict: Dictionary) => IdNames {
  let dict: Dictionary | undefined
  let names: IdNames | undefined
  return (d) => {
    if (d !== dict) {
      dict = d
      names = d.ids(kind)
    }
    return names!
  }
}

function universalTranslator(ds: DataSourceSpec, field: FieldSpec, kind: string): Translator {
  const i = field.index
  if (TYPE_KINDS.has(kind)) {
    return (values) => {
      const v = values[i]
      if (typeof v === 'number') return DEVICE_TYPE_NAMES.get(v) ?? v
      return typeof v === 'bigint' ? (RELAY_DEVICE_TYPES.get(String(v)) ?? v) : v
    }
  }
  const suffix = suffixOf(field.name)
  const indexOf = (name: string) => ds.byName.get(name)?.index

  if (DIRECT_KINDS.has(kind)) {
    const names = idsOf(kind as Exclude<IdKind, 'device'>)
    return (values, ctx) => {
      const v = values[i]
      return isId(v) ? named(ctx, v, names(ctx.dict).get(v)) : notAnId(ctx, v)
    }
  }
  if (kind === 'host' || kind === 'service') {
    const names = idsOf(kind)
    const type = kind === 'host' ? DEVICE_TYPE_HOST : DEVICE_TYPE_SERVICE
    return (values, ctx) => {
      const v = values[i]
      return isId(v) ? named(ctx, v, names(ctx.dict).get(v) ?? ctx.dict.deviceName(type, v)) : notAnId(ctx, v)
    }
  }
  const typeIndex = indexOf(kind === 'l3_device' ? `l3_device_type${suffix}` : `${kind}_type${suffix}`)
  if (kind === 'l3_device') {
    return (values, ctx) => {
      const v = values[i]
      if (!isId(v)) return notAnId(ctx, v)
      const t = typeIndex === undefined ? undefined : values[typeIndex]
      return named(ctx, v, isId(t) ? ctx.dict.deviceName(t, v) : undefined)
    }
  }
  if (kind === 'auto_instance' || kind === 'auto_service') {
    const ip4 = indexOf(`ip4${suffix}`)
    const ip6 = indexOf(`ip6${suffix}`)
    const isIpv4 = indexOf('is_ipv4')
    return (values, ctx) => {
      const v = values[i]
      if (!isId(v)) return notAnId(ctx, v)
      const t = typeIndex === undefined ? undefined : values[typeIndex]
      if (t === DEVICE_TYPE_IP || t === DEVICE_TYPE_INTERNET) {
        ctx.universalKey = true
        const v6 = isIpv4 !== undefined && values[isIpv4] === 0
        const ip = v6 ? (ip6 === undefined ? undefined : values[ip6]) : (ip4 === undefined ? undefined : values[ip4])
        if (typeof ip === 'number') return formatIp4(ip)
        return typeof ip === 'string' ? ip : ''
      }
      return named(ctx, v, isId(t) ? ctx.dict.deviceName(t, v) : undefined)
    }
  }
  throw new Error(`schema.json names an unknown universal tag kind ${kind}`)
}

/** The translator of a field, or null when the raw value is written as it is. */
export function compileTranslator(ds: DataSourceSpec, field: FieldSpec, opts: TranslateOptions): Translator | null {
  const t = field.translate
  const i = field.index
  if (t === null) return null
  if ('format' in t) {
    if (t.format === 'ip6') return null
    const format = t.format === 'ip4' ? formatIp4 : formatMac
    return (values) => {
      const v = values[i]
      return typeof v === 'number' ? format(v) : v
    }
  }
  if ('universal' in t) {
    if (opts.universalNames) return universalTranslator(ds, field, t.universal)
    if (field.enumFallback !== null && opts.enumNames) return enumTranslator(i, enumTable(field.enumFallback))
    return null
  }
  return opts.enumNames ? enumTranslator(i, enumTable(t.enum)) : null
}
