// FNV-1a, 32 bits: a fast, stable hash of text, for choosing a record's queue by its series.

export const FNV_OFFSET = 0x811c9dc5

const FNV_PRIME = 0x01000193

export function fnv1a(hash: number, text: string): number {
  let h = hash
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME)
  return h >>> 0
}

/** fnv1a over bytes [from, to) (the same hash as fnv1a of their text when it is ASCII). */
export function fnv1aBytes(hash: number, bytes: Uint8Array, from: number, to: number): number {
  let h = hash
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME)
  return h >>> 0
}
