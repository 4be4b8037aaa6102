// DeepFlow compiles filter and k8s-label patterns with Go's regexp (RE2 syntax). JavaScript's
// RegExp accepts nearly all of it; this maps the RE2 spellings JS lacks: leading inline flags
// `(?i)`, `(?s)`, `(?m)`, named groups `(?P<name>...)`, and the anchors `\A` and `\z`.

export type CompiledRegexp = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly error: string }

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/

export function compileGoRegexp(source: string): CompiledRegexp {
  let body = source
  let flags = ''
  const m = LEADING_FLAGS.exec(body)
  if (m !== null) {
    for (const f of m[1]!) {
      if (f === 'i' || f === 'm' || f === 's') {
        if (!flags.includes(f)) flags += f
      } else {
        return { ok: false, error: `invalid regular expression ${JSON.stringify(source)}: flag "${f}" is not supported` }
      }
    }
    body = body.slice(m[0].length)
  }
  body = body.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])')
  try {
    return { ok: true, re: new RegExp(body, flags) }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    return { ok: false, error: `invalid regular expression ${JSON.stringify(source)}: ${why}` }
  }
}

/** DeepFlow's wildcard for `:` and `!:`: every `*` becomes `.*`, nothing else is escaped. */
export function wildcardToGoRegexp(pattern: string): string {
  return pattern.replaceAll('*', '.*')
}
