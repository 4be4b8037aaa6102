// The memory a memory cgroup charges the process and cannot take back: its anonymous resident set
// (heap, malloc, buffers; RssAnon + RssShmem of /proc/self/status). The whole resident set also
// counts file pages, such as the mapped executable (about 40 MB of the relay's binary), which the
// kernel can drop and which may be charged to whoever read the file first.

/** RssAnon + RssShmem of a /proc/<pid>/status text, in bytes; undefined when it has neither. */
export function anonymousResidentBytes(status: string): number | undefined {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)
    return m === null ? undefined : Number(m[1]) * 1024
  }
  const anon = kb('RssAnon')
  return anon === undefined ? undefined : anon + (kb('RssShmem') ?? 0)
}
