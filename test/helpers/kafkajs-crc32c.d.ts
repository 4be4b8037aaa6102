// kafkajs's CRC-32C (untyped), the reference the tests check the relay's against.
declare module 'kafkajs/src/protocol/recordBatch/crc32C/index.js' {
  const crc32c: (buffer: Buffer) => number
  export default crc32c
}
