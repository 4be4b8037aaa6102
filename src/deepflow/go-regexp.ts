// DeepFlow compiles filter and k8s-label patterns with Go's regexp (RE2 syntax). JavaScript's
// RegExp accepts nearly all of it; this maps the RE2 spellings JS lacks: leading inline flags
// `(?i)`, `(?s)`, `(?m)`, named groups `(?P<name>...)`, the anchors `\A` and `\z`, and
// ASCII classes inside brackets (`[[:alpha:]]`).

export type CompiledRegexp = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly error: string }

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/

/** RE2's ASCII character classes, as the ranges they stand for inside a bracket expression. */
const ASCII_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
}

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
  body = body.replace(/\[:(\^?)([a-z]+):\]/g, (whole, negated: string, name: string) => {
    const ranges = ASCII_CLASSES[name]
    return ranges === undefined || negated !== '' ? whole : ranges
  })
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
