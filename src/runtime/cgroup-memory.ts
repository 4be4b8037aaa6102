// The memory limit of the relay's own cgroup, found the way the JVM's container support and Go's
// automemlimit find it: /proc/self/cgroup names the process's cgroup in each hierarchy and
// /proc/self/mountinfo says where that hierarchy is mounted (inside a container the cgroup is
// usually the mount's root, `/`; on a host it is a sub-cgroup). The limit is the smallest one on the
// way from the cgroup up to the mount's root, since a parent's limit binds its children.
//
// cgroup v2 (`memory.max`, `max` = none) is read when the unified hierarchy has the memory
// controller for this cgroup (the file exists); otherwise cgroup v1 (`memory.limit_in_bytes`, where
// "no limit" is a number near 2^63). Files are read through `read` (the runtime's; fixtures in tests).

/** The text of a small system file, or undefined when it cannot be read. */
export type ReadSystemFile = (path: string) => Promise<string | undefined>

export type CgroupMemory =
  /** No memory cgroup to read (not Linux, no cgroup filesystem mounted, no memory controller). */
  | { readonly found: false }
  /** `limit` null: the cgroup sets none. `file`: where the binding limit was read (the cgroup's own file when none). */
  | { readonly found: true; readonly version: 1 | 2; readonly limit: number | null; readonly file: string }

/** cgroup v1 writes "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages): anything this large is none. */
const V1_UNLIMITED = 2 ** 62

interface Mount {
  readonly root: string
  readonly point: string
  readonly fsType: string
  readonly superOptions: readonly string[]
}

/** mountinfo escapes space, tab, newline and backslash as \040, \011, \012, \134. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** Lines of /proc/self/mountinfo: ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = []
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ')
    if (sep < 0) continue
    const head = line.slice(0, sep).split(' ')
    const tail = line.slice(sep + 3).split(' ')
    if (head.length < 6 || tail.length < 3) continue
    mounts.push({
      root: unescapeMountPath(head[3]!),
      point: unescapeMountPath(head[4]!),
      fsType: tail[0]!,
      superOptions: tail[2]!.split(','),
    })
  }
  return mounts
}

/** Lines of /proc/self/cgroup: ID:CONTROLLERS:PATH (v2: `0::PATH`). */
export function parseProcCgroup(text: string): { readonly id: string; readonly controllers: readonly string[]; readonly path: string }[] {
  const entries = []
  for (const line of text.split('\n')) {
    const first = line.indexOf(':')
    const second = line.indexOf(':', first + 1)
    if (first < 0 || second < 0) continue
    const controllers = line.slice(first + 1, second)
    entries.push({ id: line.slice(0, first), controllers: controllers === '' ? [] : controllers.split(','), path: line.slice(second + 1) })
  }
  return entries
}

/** The cgroup's directory under the mount: its path relative to the mount's root; the mount point itself when it lies outside. */
function cgroupDir(mount: Mount, path: string): string {
  const root = mount.root === '/' ? '' : mount.root
  if (path.startsWith('/..')) return mount.point
  if (root !== '' && path !== root && !path.startsWith(`${root}/`)) return mount.point
  const rest = path.slice(root.length).replace(/\/+$/, '')
  return mount.point.replace(/\/+$/, '') + rest
}

/** The directories from `dir` up to `top`, inclusive. */
function upTo(dir: string, top: string): string[] {
  const dirs = [dir]
  const base = top.replace(/\/+$/, '')
  let d = dir
  while (d.length > base.length && d.includes('/')) {
    d = d.slice(0, d.lastIndexOf('/'))
    if (d.length < base.length) break
    dirs.push(d === '' ? '/' : d)
  }
  return dirs
}

/** The smallest limit on the way up: null when no file was there, limit null when none of them sets one. */
async function smallest(dirs: readonly string[], name: string, read: ReadSystemFile, parse: (text: string) => number | null) {
  let found: { limit: number | null; file: string } | null = null
  for (const dir of dirs) {
    const file = `${dir}/${name}`
    const text = await read(file)
    if (text === undefined) continue
    const limit = parse(text.trim())
    if (found === null) found = { limit, file }
    else if (limit !== null && (found.limit === null || limit < found.limit)) found = { limit, file }
  }
  return found
}

const parseV2 = (t: string): number | null => (t === 'max' || !/^\d+$/.test(t) ? null : Number(t))
const parseV1 = (t: string): number | null => (!/^\d+$/.test(t) || Number(t) >= V1_UNLIMITED ? null : Number(t))

/** The process's own cgroup directories that may hold a memory limit: the unified (v2) one first, then v1's memory one. */
export async function ownCgroupDirs(
  read: ReadSystemFile,
): Promise<{ readonly version: 1 | 2; readonly dir: string; readonly mountPoint: string }[]> {
  const cgroupText = await read('/proc/self/cgroup')
  const mountText = await read('/proc/self/mountinfo')
  if (cgroupText === undefined || mountText === undefined) return []
  const entries = parseProcCgroup(cgroupText)
  const mounts = parseMountinfo(mountText)
  const dirs: { version: 1 | 2; dir: string; mountPoint: string }[] = []
  const v2 = entries.find((e) => e.id === '0' && e.controllers.length === 0)
  const v2Mount = mounts.find((m) => m.fsType === 'cgroup2')
  if (v2 !== undefined && v2Mount !== undefined) dirs.push({ version: 2, dir: cgroupDir(v2Mount, v2.path), mountPoint: v2Mount.point })
  const v1 = entries.find((e) => e.controllers.includes('memory'))
  const v1Mount = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes('memory'))
  if (v1 !== undefined && v1Mount !== undefined) dirs.push({ version: 1, dir: cgroupDir(v1Mount, v1.path), mountPoint: v1Mount.point })
  return dirs
}

export async function cgroupMemory(read: ReadSystemFile): Promise<CgroupMemory> {
  for (const { version, dir, mountPoint } of await ownCgroupDirs(read)) {
    const found = version === 2
      ? await smallest(upTo(dir, mountPoint), 'memory.max', read, parseV2)
      : await smallest(upTo(dir, mountPoint), 'memory.limit_in_bytes', read, parseV1)
    if (found !== null) return { found: true, version, ...found }
  }
  return { found: false }
}
