// Shared inputs of the golden tests: one universal-tag dictionary and a JSON-text record reader.
// Expected lines in the *.test.ts files are derived by hand from src/deepflow/facts/*.json and
// /work/shared/reference/deepflow-exporters.md plus the relay's product rules, never pasted from output.
import { dictionaryFrom } from '../../helpers/encode.ts'
import { parseJsonLossless } from '../../../src/record/lossless-json.ts'

/** A record given as JSON text and read the way HTTP ingest reads it (16+ digit integers stay exact). */
export const fromJson = (text: string): unknown => parseJsonLossless(text)

export const T = 1715133600 // 2024-05-08 02:00:00 UTC
export const TS_UTC = '2024-05-08 02:00:00 +0000 UTC'

/** A platform dictionary: client pod 153 (productpage), server pod 177 (reviews). */
export const DICT = dictionaryFrom({
  region: { '1': 'region-1' },
  az: { '1': 'az-1' },
  host: { '4': 'hv-4' },
  pod_node: { '1': 'node-1', '2': 'node-2' },
  pod_ns: { '1': 'default' },
  pod_group: { '33': 'productpage-v1', '34': 'reviews-v2' },
  pod: { '153': 'productpage-v1-7f9c', '177': 'reviews-v2-5d8f' },
  pod_cluster: { '1': 'k8s-1' },
  l3_epc: { '1': 'vpc-1' },
  subnet: { '1': 'pod-subnet' },
  service: { '201': 'details' },
  gprocess: { '11': 'python3', '12': 'java' },
  agent: { '7': 'node-1-V3' },
  device: {
    '10:153': 'productpage-v1-7f9c',
    '10:177': 'reviews-v2-5d8f',
    '6:5': 'host-5',
    '102:176': 'reviews',
    '1:21': 'vm-21',
  },
  k8s_labels: {
    '153': { version: 'v1', app: 'productpage' },
    '177': { version: 'v2', app: 'reviews', tier: 'back"end\\' },
  },
})
