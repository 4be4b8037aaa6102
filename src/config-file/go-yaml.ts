// The config file read as deepflow-server reads its server.yaml: Go's gopkg.in/yaml.v2 (YAML 1.1
// scalars), not YAML 1.2. A plain scalar is null (``, `~`, `null`), a bool (`true`, `yes`, `on`,
// `y`, ... as yaml.v2 lists them), a number (`10`, `0x1F`, `0755` octal, `1_000`, `1e3`, `.inf`)
// or a string; a quoted scalar is always a string. Bools and numbers come out as GoScalar, which
// keeps the text: yaml.v2 decodes any non-null scalar into a Go string field as its text
// (`password: 0123` is "0123", `topic: yes` is "yes"), and a number or bool field takes only what
// resolved to one (`queue-count: "4"` fails in Go, and here). Keys are always strings (Go decodes
// them into struct field names and map[string]string), and `<<` merges work as in yaml.v2.
// Duplicate keys are not an error here: yaml.v2 keeps the last one (load.ts warns where the relay
// reads).
import YAML, { LineCounter, type ScalarTag } from 'yaml'

export class GoScalar {
  constructor(
    readonly kind: 'bool' | 'int' | 'float',
    readonly value: number | boolean,
    /** The scalar as written, what a Go string field receives. */
    readonly text: string,
  ) {}

  /** JSON.stringify writes the value. */
  toJSON(): number | boolean {
    return this.value
  }
}

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, Number.NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
])

/** yaml.v2 tries these before numbers: `2026-11-01`, `2026-11-01T00:00:00Z`, ... stay text here. */
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/
/** strconv.ParseInt/ParseUint with base 0, after yaml.v2 removed every `_`. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

function goInt(plain: string): bigint | undefined {
  const m = GO_INT.exec(plain)
  if (m === null) return undefined
  const [, sign, hex, oct, bin, zeroOct, dec] = m
  const n = hex !== undefined
    ? BigInt(`0x${hex}`)
    : oct !== undefined
    ? BigInt(`0o${oct}`)
    : bin !== undefined
    ? BigInt(`0b${bin}`)
    : zeroOct !== undefined
    ? BigInt(`0o${zeroOct.slice(1) || '0'}`)
    : BigInt(dec!)
  const signed = sign === '-' ? -n : n
  // ParseInt (int64), else ParseUint (no sign, uint64).
  if (signed >= INT64_MIN && signed < -INT64_MIN) return signed
  if (sign === '' && signed <= UINT64_MAX) return signed
  return undefined
}

/** yaml.v2's resolve() for a plain scalar that starts with a sign, a digit or a dot. */
export function resolveGoNumber(text: string): GoScalar | string {
  const special = SPECIAL_FLOATS.get(text)
  if (special !== undefined) return new GoScalar('float', special, text)
  if (text.startsWith('.')) {
    return YAML_STYLE_FLOAT.test(text) ? new GoScalar('float', Number(text), text) : text
  }
  if (TIMESTAMP.test(text)) return text
  const plain = text.replaceAll('_', '')
  const int = goInt(plain)
  if (int !== undefined) return new GoScalar('int', Number(int), text)
  if (YAML_STYLE_FLOAT.test(plain)) return new GoScalar('float', Number(plain), text)
  return text
}

const goBool: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (text: string) => new GoScalar('bool', TRUE.has(text), text),
  identify: (value: unknown) => value instanceof GoScalar && value.kind === 'bool',
}

const goNumber: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^[-+.0-9]/,
  resolve: resolveGoNumber,
  identify: (value: unknown) => value instanceof GoScalar && value.kind !== 'bool',
}

const KEPT_TAGS = new Set(['tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:str', 'tag:yaml.org,2002:null'])

export interface GoYamlDocument {
  readonly doc: YAML.Document.Parsed
  readonly lineCounter: LineCounter
}

export function parseGoYaml(text: string): GoYamlDocument {
  const lineCounter = new LineCounter()
  const doc = YAML.parseDocument(text, {
    lineCounter,
    uniqueKeys: false,
    merge: true,
    stringKeys: true,
    customTags: (tags) => [...tags.filter((t) => typeof t !== 'string' && KEPT_TAGS.has(t.tag)), goBool, goNumber],
  })
  return { doc, lineCounter }
}

/**
 * The document as data: mappings as objects, sequences as arrays, strings, null, and GoScalar for
 * bools and numbers. Throws on unresolved aliases and alias bombs.
 */
export function goYamlData(doc: YAML.Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: 100 })
}
