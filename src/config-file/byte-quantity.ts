// A size in bytes as the relay's own keys take it (relay.memory-limit, an exporter's
// buffer.max-bytes): a number, or a Kubernetes-style quantity (`256Mi`, `1Gi`, `512M`).
import * as v from 'valibot'
import { scalarText } from './go-values.ts'

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
}

/** Bytes as a number or a Kubernetes-style quantity (`268435456`, `256Mi`, `1Gi`, `512M`, `1.5Gi`); undefined when it is neither or not positive. */
export function parseByteQuantity(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(text.trim())
  if (m === null) return undefined
  const bytes = Math.floor(Number(m[1]) * BYTE_UNITS[m[2] ?? '']!)
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined
}

const BYTES = 'a number of bytes or a quantity such as 256Mi or 1Gi'

/** A positive size in bytes; null or absent: undefined (the key's default applies). */
export const byteQuantity = v.pipe(
  v.custom<unknown>((x) => x === null || x === undefined || scalarText(x) !== undefined, `expected ${BYTES}`),
  v.transform((x): string | undefined => (x === null || x === undefined ? undefined : scalarText(x))),
  v.check((s) => s === undefined || parseByteQuantity(s) !== undefined, (i) => `expected ${BYTES}, got ${i.received}`),
  v.transform((s): number | undefined => (s === undefined ? undefined : parseByteQuantity(s)!)),
)
