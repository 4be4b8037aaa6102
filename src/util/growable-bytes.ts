// A reusable byte buffer that an encoder writes into: grown (doubled) when a write needs more room,
// never shrunk, emptied by reset(). The encoders that build one output at a time share it
// (encode/line-writer.ts: a JSON line; wire/remote-write/labels-writer.ts: a record's labels).

export class GrowableBytes {
  /** The bytes written: buf[0, length). */
  buf = new Uint8Array(4096)
  length = 0

  /** Starts the next output (the buffer is reused). */
  reset(): void {
    this.length = 0
  }

  /** Makes sure `n` more bytes fit after `length`. */
  protected room(n: number): void {
    const need = this.length + n
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.buf.subarray(0, this.length))
    this.buf = grown
  }
}
