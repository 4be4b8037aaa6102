import test from 'node:test'
import assert from 'node:assert/strict'
import { snappyBlockCompress as compress } from '../../../src/util/snappy.ts'
import { classifyKafkaError } from '../../../src/exporters/kafka/classify.ts'
import { snappyCompress, snappyDecompress } from '../../../src/exporters/kafka/snappy-codec.ts'
import { topicOf } from '../../../src/exporters/kafka/kafka-sink.ts'
import { exporterFromYaml } from '../../helpers/encode.ts'

test('kafkajs errors are classified by what should happen to the batch', () => {
  const cases: [unknown, string][] = [
    [{ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false }, 'too_large'],
    [
      { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: { name: 'KafkaJSProtocolError', type: 'RECORD_LIST_TOO_LARGE' } },
      'too_large',
    ],
    [{ name: 'KafkaJSSASLAuthenticationError', retriable: false }, 'authentication'],
    [{ name: 'KafkaJSNonRetriableError', originalError: { name: 'KafkaJSSASLAuthenticationError' } }, 'authentication'],
    [{ name: 'KafkaJSConnectionError', retriable: true }, 'connection'],
    [
      { name: 'KafkaJSNonRetriableError', retriable: false, originalError: { name: 'KafkaJSConnectionError', retriable: true } },
      'connection',
    ],
    [{ name: 'KafkaJSRequestTimeoutError', retriable: true }, 'timeout'],
    [{
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: { name: 'KafkaJSProtocolError', type: 'NOT_LEADER_FOR_PARTITION', retriable: true },
    }, 'retriable'],
    [{ name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false }, 'rejected'],
    [{ name: 'KafkaJSProtocolError', type: 'INVALID_TOPIC_EXCEPTION', retriable: false }, 'rejected'],
    [new Error('socket hang up'), 'retriable'],
  ]
  for (const [err, kind] of cases) assert.equal(classifyKafkaError(err), kind, JSON.stringify(err))
})

test('snappy: raw block format out (as sarama writes it), not xerial framing', () => {
  const text = new TextEncoder().encode('{"datasource":"flow_log.l7_flow_log"}'.repeat(50))
  const raw = snappyCompress(text)
  // A raw snappy block opens with the uncompressed length as a varint: 1850 = 0xba 0x0e.
  assert.equal(text.length, 1850)
  assert.deepEqual([...raw.subarray(0, 2)], [0xba, 0x0e])
  // xerial framing would open with its 8-byte magic and a 16-byte header instead.
  assert.notDeepEqual([...raw.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
  // and the whole output is exactly one block of the snappy block compressor
  assert.deepEqual(raw, compress(new Uint8Array(text)))
})

test('snappy in: raw blocks and xerial-framed chunks are both read', () => {
  const text = new TextEncoder().encode('{"datasource":"flow_log.l7_flow_log"}'.repeat(50))
  assert.deepEqual(snappyDecompress(compress(new Uint8Array(text))), text)
  const chunk = compress(new Uint8Array(text))
  const framed = new Uint8Array(16 + 4 + chunk.length)
  framed.set([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
  new DataView(framed.buffer).setUint32(16, chunk.length)
  framed.set(chunk, 20)
  assert.deepEqual(snappyDecompress(framed), text)
})

test('topic: deepflow.<data-source> unless the exporter sets one', () => {
  assert.equal(
    topicOf(exporterFromYaml('data-sources: [event.file_event]\nexport-fields: [$tag]'), 'event.file_event'),
    'deepflow.event.file_event',
  )
  assert.equal(topicOf(exporterFromYaml('data-sources: [event.file_event]\nexport-fields: [$tag]\ntopic: all'), 'event.file_event'), 'all')
})
