// A URL as the relay shows it (status page, `check`): a password written into it
// (http://user:pass@host) masked like the other secrets.

export function withoutPassword(url: string): string {
  try {
    const u = new URL(url)
    if (u.password === '') return url
    u.password = '******'
    return u.toString()
  } catch {
    return url
  }
}
