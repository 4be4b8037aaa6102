// kafkajs's Produce response decoders (untyped), which the transport pairs with its own request
// bodies: they read the per-partition error codes into kafkajs's errors and, from v6, the
// throttle time kafkajs's connection honours.
declare module 'kafkajs/src/protocol/requests/produce/*/response.js' {
  const response: { decode(raw: Buffer): Promise<unknown>; parse(decoded: unknown): Promise<unknown> }
  export default response
}
