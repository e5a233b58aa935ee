/** One scrape of `/metrics`: every sample, and the whole text (for `# TYPE` lines and what must not be in it). */
export interface Scrape {
  readonly text: string;
  /** The value of the sample `name` whose labels include all of `labels`, summed over the samples that match (0 if none). */
  value(name: string, labels?: Record<string, string>): number;
  /** Whether a series named `name` is declared (`# TYPE name …`). */
  declares(name: string, type?: string): boolean;
}

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** GETs `/metrics` and parses Prometheus' text format. */
export async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  if (!response.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`/metrics sent ${response.headers.get('content-type')}`);
  const text = await response.text();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return {
    text,
    value(name, wanted = {}) {
      return samples
        .filter((s) => s.name === name && Object.entries(wanted).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    },
    declares(name, type) {
      return new RegExp(`^# TYPE ${name} ${type ?? '\\w+'}$`, 'm').test(text);
    },
  };
}
