// The relay's own metrics in Prometheus text format (exposition format 0.0.4): counters and
// histograms with fixed label names, and gauges read at scrape time. A registry this small is
// written here rather than pulling prom-client (Node-specific, with its own dependency tree)
// into a binary that must also run under Deno.

type LabelValues = readonly string[]

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function labelText(names: readonly string[], values: LabelValues, extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`)
  if (extra !== '') parts.push(extra)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return '+Inf'
  if (n === -Infinity) return '-Inf'
  return String(n)
}

interface Family {
  render(): string
}

export class Counter<L extends string = string> implements Family {
  private readonly values = new Map<string, { labels: LabelValues; value: number }>()
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly L[]) {}

  /** Creates the series at 0 so it shows up before the first increment. */
  touch(...labels: string[]): void {
    this.inc(labels, 0)
  }

  inc(labels: LabelValues, by = 1): void {
    const key = labels.join('\u0000')
    const entry = this.values.get(key)
    if (entry === undefined) this.values.set(key, { labels: [...labels], value: by })
    else entry.value += by
  }

  get(labels: LabelValues): number {
    return this.values.get(labels.join('\u0000'))?.value ?? 0
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`
    for (const { labels, value } of this.values.values()) {
      out += `${this.name}${labelText(this.labelNames, labels)} ${formatNumber(value)}\n`
    }
    return out
  }
}

export class Gauge implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly collect: () => Iterable<readonly [LabelValues, number]>,
  ) {}

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`
    for (const [labels, value] of this.collect()) out += `${this.name}${labelText(this.labelNames, labels)} ${formatNumber(value)}\n`
    return out
  }
}

export const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export class Histogram implements Family {
  private readonly series = new Map<string, { labels: LabelValues; counts: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {}

  observe(labels: LabelValues, value: number): void {
    const key = labels.join('\u0000')
    let s = this.series.get(key)
    if (s === undefined) {
      s = { labels: [...labels], counts: this.buckets.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, s)
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++
    s.sum += value
    s.count++
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => {
        out += `${this.name}_bucket${labelText(this.labelNames, s.labels, `le="${formatNumber(le)}"`)} ${s.counts[i]}\n`
      })
      out += `${this.name}_bucket${labelText(this.labelNames, s.labels, 'le="+Inf"')} ${s.count}\n`
      out += `${this.name}_sum${labelText(this.labelNames, s.labels)} ${formatNumber(s.sum)}\n`
      out += `${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}\n`
    }
    return out
  }
}

export class Registry {
  private readonly families: Family[] = []

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    const c = new Counter(name, help, labelNames)
    this.families.push(c)
    return c
  }

  gauge(name: string, help: string, labelNames: readonly string[], collect: () => Iterable<readonly [LabelValues, number]>): Gauge {
    const g = new Gauge(name, help, labelNames, collect)
    this.families.push(g)
    return g
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets?: readonly number[]): Histogram {
    const h = new Histogram(name, help, labelNames, buckets)
    this.families.push(h)
    return h
  }

  render(): string {
    return this.families.map((f) => f.render()).join('')
  }
}
