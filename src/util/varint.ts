// Unsigned LEB128 varints (protobuf's, and Kafka's once zig-zagged) of safe integers.

/** Bytes the varint of n (0 ≤ n < 2^53) takes. */
export function varintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    size++
  }
  return size
}

/** A varint of n (0 ≤ n < 2^53) at `at`; returns the position after it. */
export function putVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 128)
  }
  out[at++] = n
  return at
}

/** Zig-zag of a safe integer (Kafka's signed varints): 0, -1, 1, -2, … as 0, 1, 2, 3, … */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1
}
