// Debian's ClickHouse server (clickhouse-server 18.16) on free loopback ports with a temporary data
// directory, for the ClickHouse source's tests: startClickHouse() returns its HTTP URL, a query
// helper and stop().
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { freePorts, type Service, startService } from './process.ts'

export const CLICKHOUSE_BIN = '/usr/sbin/clickhouse-server'

export interface ClickHouse extends Service {
  readonly url: string
  /** Runs a statement over HTTP; throws with ClickHouse's message on error. */
  query(sql: string): Promise<string>
}

export async function startClickHouse(): Promise<ClickHouse> {
  const [http, tcp, interserver] = (await freePorts(3)) as [number, number, number]
  const url = `http://127.0.0.1:${http}/`
  const service = await startService('clickhouse', CLICKHOUSE_BIN, (dir) => {
    for (const d of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, d), { recursive: true })
    return [
      '--config-file=/etc/clickhouse-server/config.xml',
      '--',
      `--path=${join(dir, 'data')}/`,
      `--tmp_path=${join(dir, 'tmp')}/`,
      `--user_files_path=${join(dir, 'user_files')}/`,
      `--format_schema_path=${join(dir, 'format_schemas')}/`,
      `--http_port=${http}`,
      `--tcp_port=${tcp}`,
      `--interserver_http_port=${interserver}`,
      '--listen_host=127.0.0.1',
      `--logger.log=${join(dir, 'clickhouse.log')}`,
      `--logger.errorlog=${join(dir, 'clickhouse.err.log')}`,
    ]
  }, `${url}ping`)
  return {
    ...service,
    url,
    async query(sql) {
      const res = await fetch(url, { method: 'POST', body: sql })
      const text = await res.text()
      if (!res.ok) throw new Error(`clickhouse: ${text.trim()}\nquery: ${sql}`)
      return text
    },
  }
}
