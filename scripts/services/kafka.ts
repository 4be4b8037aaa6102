// Apache Kafka for the tests: the broker's jars resolved from Maven Central with scripts/kafka/pom.xml
// into .cache/ (a second run downloads nothing), one KRaft node (broker + controller) on loopback with
// listeners PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; a
// self-signed certificate from the JDK's keytool, its CA exported as PEM), stopped and started again
// by process id; client quotas set with Kafka's kafka-configs. `bun scripts/services/kafka.ts` runs one until Ctrl-C.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePorts } from './process.ts'

const execFileAsync = promisify(execFile)
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const POM = join(ROOT, 'scripts', 'kafka', 'pom.xml')
export const KAFKA_VERSION = /<kafka\.version>([^<]+)</.exec(readFileSync(POM, 'utf8'))![1]!
const LIBS = join(ROOT, '.cache', `kafka-${KAFKA_VERSION}`, 'libs')

export const KAFKA_USER = 'relay'
export const KAFKA_PASSWORD = 'relay-secret'

/** The broker's classpath folder, resolved with Maven on first use. */
export function kafkaLibs(): string {
  if (existsSync(join(LIBS, `kafka_2.13-${KAFKA_VERSION}.jar`))) return LIBS
  mkdirSync(LIBS, { recursive: true })
  try {
    execFileSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${LIBS}`], {
      stdio: 'pipe',
      timeout: 600_000,
    })
  } catch (err) {
    const out = err as { stdout?: Buffer; stderr?: Buffer; message: string }
    throw new Error(
      `cannot resolve Apache Kafka ${KAFKA_VERSION} from Maven Central: ${out.message}\n${out.stdout?.toString() ?? ''}${
        out.stderr?.toString() ?? ''
      }`,
    )
  }
  return LIBS
}

export interface KafkaBroker {
  readonly dir: string
  /** Bootstrap addresses by listener. */
  readonly plaintext: string
  readonly saslPlaintext: string
  readonly saslSsl: string
  /** TLS without SASL. */
  readonly ssl: string
  /** PEM of the broker's self-signed certificate (its own CA). */
  readonly caPem: string
  readonly caFile: string
  readonly log: () => string
  /** Stops the broker process (SIGTERM, then SIGKILL after 10 s); data and ports are kept. */
  stop(): Promise<void>
  /** Starts it again on the same ports and data. */
  start(): Promise<void>
  /** Stops it and removes its data. */
  destroy(): Promise<void>
  /**
   * Sets the producer quota (bytes per second) of a client id, or removes it (null), with Kafka's
   * own kafka-configs (kafka.admin.ConfigCommand), without blocking the caller's event loop;
   * resolves once the controller took it (the broker applies it a moment later).
   */
  setProducerQuota(clientId: string, bytesPerSecond: number | null): Promise<void>
  /** Messages of a topic as kcat (librdkafka) reads them, from the beginning. */
  consume(topic: string, expected: number, timeoutMs?: number): Promise<ConsumedMessage[]>
}

export interface ConsumedMessage {
  readonly key: string
  readonly timestamp: number
  readonly headers: string
  readonly partition: number
  readonly value: string
}

const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
`

export async function startKafka(extraProperties: Record<string, string> = {}): Promise<KafkaBroker> {
  const libs = kafkaLibs()
  const cp = `${libs}/*`
  const dir = mkdtempSync(join(tmpdir(), 'deepflow-relay-kafka-'))
  // Held open together, so the kernel cannot hand the same port out twice (it did: the broker
  // then refused to start with two listeners on one port).
  const [plain, controller, saslPlain, saslSsl, ssl] = (await freePorts(5)) as [number, number, number, number, number]
  const keystore = join(dir, 'broker.p12')
  execFileSync('keytool', [
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-keystore',
    keystore,
    '-storetype',
    'PKCS12',
    '-storepass',
    'changeit',
    '-keypass',
    'changeit',
    '-dname',
    'CN=127.0.0.1',
    '-ext',
    'SAN=IP:127.0.0.1,DNS:localhost',
    '-validity',
    '3',
  ], { stdio: 'pipe' })
  const caFile = join(dir, 'ca.pem')
  execFileSync('keytool', ['-exportcert', '-rfc', '-alias', 'broker', '-keystore', keystore, '-storepass', 'changeit', '-file', caFile], {
    stdio: 'pipe',
  })
  const jaasPlain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_USER}="${KAFKA_PASSWORD}";`
  const jaasScram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
  const properties: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controller}`,
    listeners:
      `PLAINTEXT://127.0.0.1:${plain},CONTROLLER://127.0.0.1:${controller},SASL_PLAINTEXT://127.0.0.1:${saslPlain},SASL_SSL://127.0.0.1:${saslSsl},SSL://127.0.0.1:${ssl}`,
    'advertised.listeners':
      `PLAINTEXT://127.0.0.1:${plain},SASL_PLAINTEXT://127.0.0.1:${saslPlain},SASL_SSL://127.0.0.1:${saslSsl},SSL://127.0.0.1:${ssl}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    'log.dirs': join(dir, 'data'),
    'num.partitions': '3',
    // Test records carry 2024 timestamps and Kafka's default retention (7 days, by message
    // time) deletes them at the first retention check, 30 s after start and every 5 min:
    // the last tests of a long file then read an emptied topic. Keep everything.
    'log.retention.ms': '-1',
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'auto.create.topics.enable': 'true',
    'group.initial.rebalance.delay.ms': '0',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'ssl.keystore.location': keystore,
    'ssl.keystore.password': 'changeit',
    'ssl.key.password': 'changeit',
    'ssl.keystore.type': 'PKCS12',
    ...Object.fromEntries(['sasl_plaintext', 'sasl_ssl'].flatMap((l) => [
      [`listener.name.${l}.plain.sasl.jaas.config`, jaasPlain],
      [`listener.name.${l}.scram-sha-256.sasl.jaas.config`, jaasScram],
      [`listener.name.${l}.scram-sha-512.sasl.jaas.config`, jaasScram],
    ])),
    ...extraProperties,
  }
  const config = join(dir, 'server.properties')
  writeFileSync(config, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  writeFileSync(join(dir, 'log4j.properties'), LOG4J)
  const javaArgs = [
    '-Xmx512m',
    '-Xms128m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    cp,
  ]
  const clusterId = execFileSync('java', [...javaArgs, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim()
  execFileSync('java', [
    ...javaArgs,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    '--add-scram',
    `SCRAM-SHA-512=[name=${KAFKA_USER},password=${KAFKA_PASSWORD}]`,
    '--add-scram',
    `SCRAM-SHA-256=[name=${KAFKA_USER},password=${KAFKA_PASSWORD}]`,
  ], { stdio: 'pipe' })

  let child: ChildProcess | undefined
  let output = ''
  const start = async () => {
    const started = output.length
    const proc = spawn('java', [...javaArgs, 'kafka.Kafka', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    const deadline = Date.now() + 90_000
    while (!output.slice(started).includes('Kafka Server started')) {
      if (proc.exitCode !== null) throw new Error(`Kafka exited with ${proc.exitCode} before it was ready:\n${output.slice(-4000)}`)
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`Kafka was not ready within 90 s:\n${output.slice(-4000)}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const stop = async () => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null) return
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()))
    proc.kill('SIGTERM')
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(killer)
  }
  await start()
  const plaintext = `127.0.0.1:${plain}`
  return {
    dir,
    plaintext,
    saslPlaintext: `127.0.0.1:${saslPlain}`,
    saslSsl: `127.0.0.1:${saslSsl}`,
    ssl: `127.0.0.1:${ssl}`,
    caPem: readFileSync(caFile, 'utf8'),
    caFile,
    log: () => output,
    stop,
    start,
    async destroy() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
    async setProducerQuota(clientId, bytesPerSecond) {
      const configs = (...args: string[]) =>
        execFileAsync('java', [
          ...javaArgs,
          'kafka.admin.ConfigCommand',
          '--bootstrap-server',
          plaintext,
          '--entity-type',
          'clients',
          '--entity-name',
          clientId,
          ...args,
        ], { encoding: 'utf8', timeout: 60_000 })
      await configs('--alter', ...(bytesPerSecond === null ? ['--delete-config'] : ['--add-config']), quotaConfig(bytesPerSecond))
    },
    async consume(topic, expected, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        let out = ''
        try {
          out = execFileSync('kcat', [
            '-C',
            '-b',
            plaintext,
            '-t',
            topic,
            '-o',
            'beginning',
            '-e',
            '-q',
            '-Z',
            '-f',
            '%k\\t%T\\t%h\\t%p\\t%s\\n',
          ], { encoding: 'utf8', timeout: 30_000, maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })
        } catch (err) {
          // A topic not created yet reads as empty; anything else is a real failure.
          if (!String((err as { stderr?: string }).stderr).includes('Unknown topic')) throw err
        }
        const messages = out.split('\n').filter((l) => l !== '').map((l) => {
          const [key, ts, headers, partition, ...rest] = l.split('\t')
          return { key: key!, timestamp: Number(ts), headers: headers!, partition: Number(partition), value: rest.join('\t') }
        })
        if (messages.length >= expected || Date.now() > deadline) return messages
        await new Promise((r) => setTimeout(r, 200))
      }
    },
  }
}

function quotaConfig(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? 'producer_byte_rate' : `producer_byte_rate=${bytesPerSecond}`
}

if (import.meta.main) {
  const broker = await startKafka()
  console.error(
    `kafka ${KAFKA_VERSION} ready: PLAINTEXT ${broker.plaintext}, SASL_PLAINTEXT ${broker.saslPlaintext}, SASL_SSL ${broker.saslSsl} (user ${KAFKA_USER}/${KAFKA_PASSWORD}, CA ${broker.caFile}); Ctrl-C stops it`,
  )
  process.on('SIGINT', () => void broker.destroy().then(() => process.exit(0)))
}
