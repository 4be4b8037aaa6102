// Whether each disk buffer's directory can be used, asked of the file system before the relay runs
// (`check`, the start, a reload: main.ts's loadConfig): `<path>/<exporter name>/` must be a
// directory this process may write in, or else its nearest existing parent must be (the relay
// creates the rest at start); so must each queue directory that is already there. A problem names
// `exporters[i].buffer.path`, the path at fault and why: `/var/lib/x: not writable (EACCES)`,
// `/srv/buf is a file, not a directory; /srv/buf/kafka-0 cannot be created`.
import { dirname } from 'node:path'
import { exporterBufferDir, queueBufferDir } from '../buffer/layout.ts'
import type { Config } from '../config/types.ts'
import type { DirProbe } from '../runtime/dir-probe.ts'
import type { ConfigProblem } from './problems.ts'

/** Why `dir` cannot be used (created, then written in), or undefined when it can. */
function dirProblem(dir: string, probe: DirProbe): string | undefined {
  for (let p = dir;; p = dirname(p)) {
    const kind = probe.kind(p)
    const then = p === dir ? '' : `; ${dir} cannot be created`
    if (kind === 'missing') {
      if (dirname(p) === p) return `${p} does not exist${then}`
      continue
    }
    if (kind === 'directory') {
      const why = probe.unwritable(p)
      return why === undefined ? undefined : `${p}: not writable (${why})${then}`
    }
    if (kind === 'file') return `${p} is a file, not a directory${then}`
    if (kind === 'other') return `${p} is not a directory${then}`
    return `${p}: cannot be read (${kind.error})${then}`
  }
}

/** The problems of the disk buffers' directories of the exporters that run; none for buffers in memory. */
export function bufferPathProblems(config: Pick<Config, 'exporters' | 'exportersPath'>, probe: DirProbe): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  for (const e of config.exporters) {
    if (e.buffer.type !== 'disk') continue
    const dir = exporterBufferDir(e.buffer.path, e.name)
    let why = dirProblem(dir, probe)
    for (let q = 0; why === undefined && q < e.queueCount; q++) {
      const queueDir = queueBufferDir(dir, q)
      if (probe.kind(queueDir) !== 'missing') why = dirProblem(queueDir, probe)
    }
    if (why !== undefined) problems.push({ path: [...config.exportersPath, e.index, 'buffer', 'path'], message: why })
  }
  return problems
}
