// The export-fields category bits DeepFlow's OTLP encoder is given (cfg.ExportFieldCategoryBits),
// as server/ingester/exporters/config/config.go computes them at 2026e9de3. Only these bits gate
// OTLP attributes: plain field names, export-empty-tag and the translation switches do not apply
// (otlp_export.go EncodeToOtlp takes only dataTypeBits).
import categoriesJson from '../../deepflow/facts/categories.json' with { type: 'json' }

const BITS = (categoriesJson as unknown as { bits: Record<string, number> }).bits

function bit(name: string): number {
  const b = BITS[name]
  if (b === undefined) throw new Error(`categories.json has no bit ${name}`)
  return b
}

export const FLOW_INFO = bit('FLOW_INFO')
export const UNIVERSAL_TAG = bit('UNIVERSAL_TAG')
export const NATIVE_TAG = bit('NATIVE_TAG')
export const NETWORK_LAYER = bit('NETWORK_LAYER')
export const TUNNEL_INFO = bit('TUNNEL_INFO')
export const TRANSPORT_LAYER = bit('TRANSPORT_LAYER')
export const APPLICATION_LAYER = bit('APPLICATION_LAYER')
export const SERVICE_INFO = bit('SERVICE_INFO')
export const TRACING_INFO = bit('TRACING_INFO')
export const CAPTURE_INFO = bit('CAPTURE_INFO')
export const METRICS = bit('METRICS')
export const K8S_LABEL = bit('K8S_LABEL')

/** config.go categoryStringMap (L658-682). */
const CATEGORY_STRING_MAP: ReadonlyMap<string, number> = new Map([
  ['$tag', bit('TAG')],
  ['flow_info', FLOW_INFO],
  ['universal_tag', UNIVERSAL_TAG],
  ['native_tag', NATIVE_TAG],
  ['network_layer', NETWORK_LAYER],
  ['tunnel_info', TUNNEL_INFO],
  ['transport_layer', TRANSPORT_LAYER],
  ['application_layer', APPLICATION_LAYER],
  ['service_info', SERVICE_INFO],
  ['tracing_info', TRACING_INFO],
  ['capture_info', CAPTURE_INFO],
  ['event_info', bit('EVENT_INFO')],
  ['data_link_layer', bit('DATA_LINK_LAYER')],
  ['$k8s.label', K8S_LABEL],
  ['$metrics', METRICS],
  ['l3_throughput', bit('L3_THROUGHPUT')],
  ['l4_throughput', bit('L4_THROUGHPUT')],
  ['tcp_slow', bit('TCP_SLOW')],
  ['tcp_error', bit('TCP_ERROR')],
  ['application', bit('APPLICATION')],
  ['throughput', bit('THROUGHPUT')],
  ['error', bit('ERROR')],
  ['delay', bit('DELAY')],
])

/** config.go DefaultExportCategory (L54), used when export-fields is empty (Validate, L568-570). */
export const DEFAULT_EXPORT_CATEGORY: readonly string[] = [
  '$service_info',
  '$tracing_info',
  '$network_layer',
  '$flow_info',
  '$transport_layer',
  '$application_layer',
  '$metrics',
]

/**
 * StringsToCategoryBits (config.go L696-720): entries not starting with "$" are skipped;
 * "$k8s.label" sets K8S_LABEL; otherwise the entry is split on "." and its second part (when not
 * empty) or else its first is looked up, unknown ones ignored. So "$tag.flow_info" and
 * "$metrics.flow_info" are FLOW_INFO, "$k8s.label.app" looks up "label" (nothing), and the
 * default list's "$service_info" etc. are not keys: it resolves to METRICS alone.
 */
export function stringsToCategoryBits(strs: readonly string[]): number {
  const list = strs.length === 0 ? DEFAULT_EXPORT_CATEGORY : strs
  let ret = 0
  for (const str of list) {
    if (!str.startsWith('$')) continue
    if (str === '$k8s.label') {
      ret |= K8S_LABEL
      continue
    }
    const parts = str.split('.')
    const category = parts.length > 1 && parts[1] !== '' ? parts[1]! : parts[0]!
    const t = CATEGORY_STRING_MAP.get(category)
    if (t !== undefined) ret |= t
  }
  return ret
}
