// DeepFlow's enum display-name tables (raw value -> name) and the universal-tag device-type table.
import enumsJson from './facts/enums.json' with { type: 'json' }
import deviceTypesJson from './facts/device-types.json' with { type: 'json' }

export type NameTable = ReadonlyMap<string, string>

const enums = new Map<string, NameTable>()
for (const [name, table] of Object.entries(enumsJson as Record<string, unknown>)) {
  if (name.startsWith('_')) continue
  enums.set(name, new Map(Object.entries(table as Record<string, string>)))
}

export function enumTable(name: string): NameTable {
  const table = enums.get(name)
  if (table === undefined) throw new Error(`enums.json has no table ${name}`)
  return table
}

/** DeviceType id -> string, as universal_tag.go's deviceTypeStrings (unlisted ids have no name). */
export const DEVICE_TYPES: NameTable = new Map(
  Object.entries((deviceTypesJson as { device_types: Record<string, string> }).device_types),
)

/**
 * The pod-group workload types (deployment 130, statefulset 131, replication controller 132, daemon
 * set 133, replica-set controller 134, clone set 135: RESOURCE_POD_GROUP_TYPE_MAP of the
 * controller), which deviceTypeStrings leaves out, so DeepFlow writes "" and drops the
 * auto_service_type/auto_instance_type of every workload (deepflowio/deepflow#11874). The relay
 * names them as ClickHouse's flow_tag.node_type_map does (tagrecorder RESOURCE_TYPE_TO_NODE_TYPE):
 * "pod_group".
 */
export const POD_GROUP_WORKLOAD_TYPES: NameTable = new Map(['130', '131', '132', '133', '134', '135'].map((t) => [t, 'pod_group']))

/** DEVICE_TYPES with the pod-group workload types named: what the relay writes (README quirk Q20). */
export const RELAY_DEVICE_TYPES: NameTable = new Map([...DEVICE_TYPES, ...POD_GROUP_WORKLOAD_TYPES])

export const DEVICE_TYPE_HOST = 6
export const DEVICE_TYPE_SERVICE = 102
/** auto_instance/auto_service of these types resolve to the record's IP as text. */
export const DEVICE_TYPE_INTERNET = 0
export const DEVICE_TYPE_IP = 255
