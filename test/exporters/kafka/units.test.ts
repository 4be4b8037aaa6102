import test from 'node:test'
import assert from 'node:assert/strict'
import { classifyKafkaError } from '../../../src/exporters/kafka/classify.ts'
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

test('topic: deepflow.<data-source> unless the exporter sets one', () => {
  assert.equal(
    topicOf(exporterFromYaml('data-sources: [event.file_event]\nexport-fields: [$tag]'), 'event.file_event'),
    'deepflow.event.file_event',
  )
  assert.equal(topicOf(exporterFromYaml('data-sources: [event.file_event]\nexport-fields: [$tag]\ntopic: all'), 'event.file_event'), 'all')
})
