// A reader of the Prometheus text format, enough for a kubelet's /metrics/resource: one sample
// per line (name, labels, value, optional timestamp in ms), comments and blank lines skipped. A
// line that does not parse is skipped rather than failing the scrape, as one bad series should
// not hide a node's others.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** ms since the epoch, when the line carries one. */
  timestampMs?: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      while (LABEL.lastIndex < m[2].length && (l = LABEL.exec(m[2]))) labels[l[1]!] = unescape(l[2]!);
    }
    const value = parseValue(m[3]!);
    if (Number.isNaN(value)) continue;
    out.push({ name: m[1]!, labels, value, ...(m[4] ? { timestampMs: Number(m[4]) } : {}) });
  }
  return out;
}
