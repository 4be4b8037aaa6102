// A throwaway certificate authority and a server certificate for 127.0.0.1 it signed, made with
// openssl. (A self-signed certificate that is its own CA works with Bun and the JDK, but rustls —
// Deno's TLS — refuses a CA certificate used as the server's own.)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificates {
  readonly dir: string
  /** PEM of the CA to trust. */
  readonly ca: string
  /** PEM of the server certificate and its key. */
  readonly cert: string
  readonly key: string
  readonly certFile: string
  readonly keyFile: string
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'deepflow-relay-certs-'))
  const f = (name: string) => join(dir, name)
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=deepflow-relay test CA',
  )
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('key.pem'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(
    f('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  )
  run(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('cert.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  )
  return {
    dir,
    ca: readFileSync(f('ca.pem'), 'utf8'),
    cert: readFileSync(f('cert.pem'), 'utf8'),
    key: readFileSync(f('key.pem'), 'utf8'),
    certFile: f('cert.pem'),
    keyFile: f('key.pem'),
  }
}
