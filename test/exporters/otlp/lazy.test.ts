// grpc-js is loaded with an exporter's first gRPC request, never before: only grpc-transport.ts
// imports it, and every other file reaches grpc-transport.ts by a type-only import or a dynamic
// import() (a static one would load grpc-js, about 16 MB and 25 ms in the compiled binary, in every relay).
import test from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../../../src', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

test('only grpc-transport.ts imports @grpc/grpc-js; it is imported dynamically or for types alone', () => {
  const importers: string[] = []
  const staticTransport: string[] = []
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    const name = relative(SRC, file)
    if (/from '@grpc\/grpc-js'|import\('@grpc\/grpc-js'\)|require\('@grpc\/grpc-js'\)/.test(text)) importers.push(name)
    for (const line of text.split('\n')) {
      if (/^import (?!type ).*grpc-transport\.ts'/.test(line) || /^export (?!type ).*from '.*grpc-transport\.ts'/.test(line)) {
        staticTransport.push(`${name}: ${line}`)
      }
    }
  }
  assert.deepEqual(importers, ['exporters/otlp/grpc-transport.ts'])
  assert.deepEqual(staticTransport, [])
  assert.match(readFileSync(join(SRC, 'exporters/otlp/sender.ts'), 'utf8'), /import\('\.\/grpc-transport\.ts'\)/)
})
