// The universal tags of one side of an l7_flow_log record, as DeepFlow's OTLP encoder reads them:
// UniversalTagsManager.QueryUniversalTags (server/ingester/exporters/universal_tag/universal_tag.go
// L198-267, called by log_data/export.go L76-88). Ids are named through the relay's dictionary
// with the Kafka exporter's translators (translate/translators.ts): the same dictionary kinds, host
// and service also found as devices, a name given in place of an id kept. What the OTLP encoder
// then needs is Go's view of a missing name: "" (an attribute left out), never the raw id.
//
// Two Go rules the translators do not follow, so they are done here (note 3 of the reference):
// - the auto_instance/auto_service of type 0 (internet, also what an absent type is) or 255 (ip)
//   is the side's IP text (getAuto L255-262: is_ipv4 false, its zero value, reads the IPv6 field,
//   whose zero value nil prints "<nil>"), whatever the id;
// - the *_type tags are deviceTypeStrings[t], "" for an unlisted type (L157-178).
// Without a dictionary (no universal-tags file: universalTagMaps[orgId] == nil, L204-207) every tag
// is "". The dictionary is the record's organisation's (translate/dictionary.ts dictionaryOfOrg).
import type { DataSourceSpec } from '../../deepflow/schema.ts'
import { DEVICE_TYPES, RELAY_DEVICE_TYPES } from '../../deepflow/enums.ts'
import type { Value } from '../../record/values.ts'
import { type Dictionary, EMPTY_DICTIONARY } from '../../translate/dictionary.ts'
import { compileTranslator, type TranslateContext, type Translator } from '../../translate/translators.ts'
import { ip4Text } from './go-text.ts'
import { byName, enumValue, smallInt } from './record-values.ts'

/** The tag order of putUniversalTags (otlp_export.go L53-105) and their attribute key stems. */
export const UTAG_KEYS = [
  'region',
  'az',
  'host',
  'vpc',
  'subnet',
  'pod_cluster',
  'pod_ns',
  'pod_node',
  'pod_group',
  'pod',
  'service',
  'chost',
  'router',
  'dhcpgw',
  'pod_service',
  'redis',
  'rds',
  'lb',
  'natgw',
  'auto_instance_type',
  'auto_instance',
  'auto_service_type',
  'auto_service',
] as const

export const T_POD_NODE = 7
export const T_CHOST = 11
export const T_AUTO_INSTANCE = 20
export const T_AUTO_SERVICE = 22

/** The fields named by translators, in UTAG_KEYS order up to service (vpc is l3_epc_id). */
const DIRECT_FIELDS = [
  'region_id',
  'az_id',
  'host_id',
  'l3_epc_id',
  'subnet_id',
  'pod_cluster_id',
  'pod_ns_id',
  'pod_node_id',
  'pod_group_id',
  'pod_id',
  'service_id',
] as const

/** fillDevice (L236-253): which tag the l3 device's name goes to, by l3_device_type. */
const DEVICE_TAG: ReadonlyMap<number, number> = new Map([
  [1, UTAG_KEYS.indexOf('chost')], // TYPE_VM
  [5, UTAG_KEYS.indexOf('router')], // TYPE_VROUTER
  [9, UTAG_KEYS.indexOf('dhcpgw')], // TYPE_DHCP_GW
  [11, UTAG_KEYS.indexOf('pod_service')], // TYPE_POD_SERVICE
  [12, UTAG_KEYS.indexOf('redis')], // TYPE_REDIS_INSTANCE
  [13, UTAG_KEYS.indexOf('rds')], // TYPE_RDS_INSTANCE
  [15, UTAG_KEYS.indexOf('lb')], // TYPE_LB
])

const TYPE_INTERNET = 0
const TYPE_IP = 255
const DEVICE_TYPE_BY_NAME = byName(DEVICE_TYPES)

export interface UniversalTags {
  /** Tags of side 0 and side 1, indexed as UTAG_KEYS; all "" without a dictionary. */
  readonly side: readonly [string[], string[]]
  /** tags0[utag.Vtap]: the agent's name. */
  agent: string
}

/** Fills `out` from a record; the arrays are reused record after record. */
export type UniversalTagReader = (values: readonly (Value | undefined)[], dict: Dictionary, out: UniversalTags) => void

interface SideFields {
  readonly direct: readonly (Translator | null)[]
  readonly l3Device: Translator | null
  readonly l3DeviceType: number
  readonly auto: readonly { readonly id: number; readonly type: number; readonly typeTag: number; readonly tag: number }[]
  readonly ip4: number
  readonly ip6: number
}

const NAMES = { enumNames: false, universalNames: true }

function nameOf(r: Value | undefined): string {
  return typeof r === 'string' ? r : ''
}

export function newUniversalTags(): UniversalTags {
  return { side: [new Array<string>(UTAG_KEYS.length).fill(''), new Array<string>(UTAG_KEYS.length).fill('')], agent: '' }
}

/**
 * `deepflowQuirks` false names the pod-group workload types 130-135 "pod_group" (README O14); true
 * leaves them "" as deviceTypeStrings does.
 */
export function compileUniversalTags(ds: DataSourceSpec, opts: { readonly deepflowQuirks: boolean }): UniversalTagReader {
  const typeNames = opts.deepflowQuirks ? DEVICE_TYPES : RELAY_DEVICE_TYPES
  const index = (name: string) => ds.byName.get(name)?.index ?? -1
  const translator = (name: string): Translator | null => {
    const field = ds.byName.get(name)
    return field === undefined ? null : compileTranslator(ds, field, NAMES)
  }
  const sides: SideFields[] = ['_0', '_1'].map((s) => ({
    direct: DIRECT_FIELDS.map((f) => translator(f + s)),
    l3Device: translator(`l3_device_id${s}`),
    l3DeviceType: index(`l3_device_type${s}`),
    auto: [
      // QueryUniversalTags L228-231: service then instance, each type then name.
      {
        id: index(`auto_service_id${s}`),
        type: index(`auto_service_type${s}`),
        typeTag: UTAG_KEYS.indexOf('auto_service_type'),
        tag: T_AUTO_SERVICE,
      },
      {
        id: index(`auto_instance_id${s}`),
        type: index(`auto_instance_type${s}`),
        typeTag: UTAG_KEYS.indexOf('auto_instance_type'),
        tag: T_AUTO_INSTANCE,
      },
    ],
    ip4: index(`ip4${s}`),
    ip6: index(`ip6${s}`),
  }))
  const agent = translator('agent_id')
  const isIpv4 = index('is_ipv4')
  const ctx: TranslateContext = { dict: EMPTY_DICTIONARY, universalKey: false }

  return (values, dict, out) => {
    if (dict === EMPTY_DICTIONARY) {
      out.side[0].fill('')
      out.side[1].fill('')
      out.agent = ''
      return
    }
    ctx.dict = dict
    const v4 = smallInt(values[isIpv4]) !== 0
    for (let s = 0; s < 2; s++) {
      const f = sides[s]!
      const tags = out.side[s]!
      tags.fill('')
      for (let i = 0; i < f.direct.length; i++) {
        const t = f.direct[i]
        if (t !== null && t !== undefined) tags[i] = nameOf(t(values, ctx))
      }
      // fillDevice(tags, l3DeviceType, deviceMap[type<<32|l3DeviceID]) (L213, L226).
      const deviceTag = DEVICE_TAG.get(enumValue(values[f.l3DeviceType], DEVICE_TYPE_BY_NAME))
      if (deviceTag !== undefined && f.l3Device !== null) tags[deviceTag] = nameOf(f.l3Device(values, ctx))
      for (const a of f.auto) {
        const typeValue = values[a.type]
        const t = typeof typeValue === 'string' ? (DEVICE_TYPE_BY_NAME.get(typeValue) ?? -1) : smallInt(typeValue)
        tags[a.typeTag] = typeNames.get(String(t)) ?? ''
        if (t === TYPE_IP || t === TYPE_INTERNET) {
          // getAuto L256-262: the IP, whatever the id.
          if (v4) tags[a.tag] = ip4Text(smallInt(values[f.ip4]))
          else {
            const ip6 = values[f.ip6]
            tags[a.tag] = typeof ip6 === 'string' ? ip6 : '<nil>'
          }
        } else {
          const id = values[a.id]
          // L266: deviceMap[type<<32|id]; a name given in place of the id is kept.
          if (typeof id === 'string') tags[a.tag] = id
          else tags[a.tag] = dict.deviceName(t, typeof id === 'number' || typeof id === 'bigint' ? id : 0) ?? ''
        }
      }
    }
    out.agent = agent === null ? '' : nameOf(agent(values, ctx))
  }
}
