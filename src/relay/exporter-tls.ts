// An exporter's TLS settings made usable: reads its tls.ca-file (through the injected reader) and
// fills the settings its sink reads at send time (BuiltExporter.tls). Done when the relay starts and
// for each exporter a reload builds; an unreadable CA file is a StartError naming the exporter.
import type { BuiltExporter } from '../exporters/build-exporter.ts'
import { StartError } from './start-error.ts'

export async function loadExporterTls({ exporter, tls }: BuiltExporter, readTextFile: (path: string) => Promise<string>): Promise<void> {
  const e = exporter.config
  if (e.tls === null) return
  let ca: string | null = null
  if (e.tls.caFile !== null) {
    try {
      ca = await readTextFile(e.tls.caFile)
    } catch (err) {
      throw new StartError(
        `exporter "${e.name}": tls.ca-file: cannot read ${e.tls.caFile}: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }
  tls.current = { ca, insecureSkipVerify: e.tls.insecureSkipVerify }
}
