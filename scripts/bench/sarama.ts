// The sarama contender of the Kafka path: scripts/bench/sarama-producer/main.go (DeepFlow's own
// Kafka client and producer settings) built offline with Debian's Go and sarama packages into
// .cache/sarama-producer/<hash>/ (the hash of main.go, the Go version and the sarama package
// version: a change to any rebuilds it; not under .cache/bench, whose stale entries data.ts sweeps),
// then run like kcat: exec → exit, /proc for CPU and peak RSS.
import { createHash } from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ProducerRun, runToExit } from './contenders.ts'

export const GO_BIN = '/usr/bin/go'
/** Where Debian's golang-github-shopify-sarama-dev puts its sources (import path github.com/Shopify/sarama). */
export const GOPATH = '/usr/share/gocode'
export const SARAMA_IMPORT = 'github.com/Shopify/sarama'
export const SARAMA_PACKAGES = ['golang-go', 'golang-github-shopify-sarama-dev', 'gcc', 'libc6-dev']
const SOURCE_DIR = fileURLToPath(new URL('./sarama-producer', import.meta.url))
const BUILD_CACHE = fileURLToPath(new URL('../../.cache/sarama-producer', import.meta.url))

/** DeepFlow's queue-count and batch-size defaults, which sarama-producer mirrors. */
export const SARAMA_QUEUES = 4
export const SARAMA_BATCH = 1024

const dpkgVersion = (pkg: string): string => {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.trim() : 'unknown'
}

/** Throws, naming the Debian packages, when Go or Debian's sarama (or cgo's C compiler) is missing. */
export function requireSarama(): void {
  const missing = [
    existsSync(GO_BIN) ? '' : GO_BIN,
    existsSync(join(GOPATH, 'src', SARAMA_IMPORT, 'sync_producer.go')) ? '' : join(GOPATH, 'src', SARAMA_IMPORT),
    existsSync('/usr/bin/gcc') ? '' : '/usr/bin/gcc (cgo: sarama imports github.com/DataDog/zstd)',
  ].filter((m) => m !== '')
  if (missing.length > 0) {
    throw new Error(`the sarama contender cannot be built, missing ${missing.join(', ')}: apt-get install -y ${SARAMA_PACKAGES.join(' ')}`)
  }
}

/** "github.com/Shopify/sarama 1.22.1 (Debian golang-github-shopify-sarama-dev 1.22.1-1), go1.19.8". */
export function saramaVersion(): string {
  const deb = dpkgVersion('golang-github-shopify-sarama-dev')
  const go = spawnSync(GO_BIN, ['version'], { encoding: 'utf8', timeout: 30_000 }).stdout?.trim().split(' ')[2] ?? 'unknown'
  return `${SARAMA_IMPORT} ${deb.replace(/-[^-]*$/, '')} (Debian golang-github-shopify-sarama-dev ${deb}), built with ${go}`
}

/**
 * The sarama-producer binary for the current main.go, Go and sarama, built when not yet cached,
 * then copied into `privateDir` (the run's own directory: the shared cache may be rebuilt or
 * swept while the benchmark runs); returns the copy.
 */
export function ensureSaramaProducer(privateDir: string, log: (m: string) => void): string {
  requireSarama()
  const source = readFileSync(join(SOURCE_DIR, 'main.go'))
  const goVersion = execFileSync(GO_BIN, ['version'], { encoding: 'utf8' })
  const key = createHash('sha256').update(source).update(goVersion).update(dpkgVersion('golang-github-shopify-sarama-dev'))
    .digest('hex').slice(0, 12)
  const dir = join(BUILD_CACHE, key)
  const bin = join(dir, 'sarama-producer')
  const copy = join(privateDir, 'sarama-producer')
  if (existsSync(bin)) {
    copyFileSync(bin, copy)
    return copy
  }
  log(`building ${bin} (go build, GOPATH=${GOPATH})`)
  mkdirSync(dir, { recursive: true })
  // Built beside, then renamed: a concurrent run never sees half a binary.
  const tmp = `${bin}.${process.pid}.tmp`
  const r = spawnSync(GO_BIN, ['build', '-o', tmp, '.'], {
    cwd: SOURCE_DIR,
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: join(BUILD_CACHE, 'go-build'), GOFLAGS: '' },
    encoding: 'utf8',
    timeout: 600_000,
  })
  if (r.status !== 0) {
    rmSync(tmp, { force: true })
    throw new Error(`go build of ${SOURCE_DIR} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`)
  }
  renameSync(tmp, bin)
  copyFileSync(bin, copy)
  return copy
}

export function saramaArgs(broker: string, topic: string, file: string): string[] {
  return ['-brokers', broker, '-topic', topic, '-file', file, '-queues', String(SARAMA_QUEUES), '-batch', String(SARAMA_BATCH)]
}

/** sarama-producer producing every line of `file`, measured like kcat. */
export function runSarama(bin: string, broker: string, topic: string, file: string): Promise<ProducerRun> {
  return runToExit('sarama-producer', bin, saramaArgs(broker, topic, file))
}
