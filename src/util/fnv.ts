// FNV-1a, 32 bits: a fast, stable hash of text, for choosing a record's queue by its series.

export const FNV_OFFSET = 0x811c9dc5

export function fnv1a(hash: number, text: string): number {
  let h = hash
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}
