// What `check` asks the file system about a durable buffer's directory (config-file/buffer-paths.ts):
// what is at a path, and whether this process may create files in a directory. Over node:fs, which
// Bun and Deno both provide; main.ts loads it only when a config has a disk buffer (node:fs costs
// the Bun binary resident memory at start). Read only: nothing is created to find out.
import * as fs from 'node:fs'

/** What is at a path; `missing` also when a part of it is not a directory (ENOTDIR). */
export type PathKind = 'directory' | 'file' | 'other' | 'missing' | { readonly error: string }

export interface DirProbe {
  kind(path: string): PathKind
  /** undefined when this process may create files in the directory; else the reason's code (EACCES, EROFS). */
  unwritable(dir: string): string | undefined
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : String(err)
}

export const nodeDirProbe: DirProbe = {
  kind(path) {
    try {
      const st = fs.statSync(path)
      return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other'
    } catch (err) {
      const code = codeOf(err)
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : { error: code }
    }
  },
  unwritable(dir) {
    try {
      fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK)
      return undefined
    } catch (err) {
      return codeOf(err)
    }
  },
}
