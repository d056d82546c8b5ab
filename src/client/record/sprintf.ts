// Go's fmt.Sprintf for the verbs event messages use (%v %s %d %q %f %x %t %%), since callers
// port messages from upstream controllers ("Created pod: %v"). Flags and widths are accepted and
// ignored except precision for %f.
import { boundedMemo } from '../../api/bounded-memo.js';

const verb = /%([-+# 0]*)(\d*)(?:\.(\d+))?([vsdqfxXt%])/g;

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.message;
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A format cut at its verbs: literal text, then [precision, verb, literal text] per verb. */
type ParsedFormat = [lead: string, ...rest: Array<string | undefined>];

// Formats are few and fixed (the callers' string literals), events many: each is parsed once.
const parse = boundedMemo(1024, (format: string): ParsedFormat => {
  const parts: ParsedFormat = [''];
  let last = 0;
  for (const m of format.matchAll(verb)) {
    parts[parts.length - 1] = format.slice(last, m.index);
    parts.push(m[3], m[4], '');
    last = m.index + m[0].length;
  }
  parts[parts.length - 1] = format.slice(last);
  return parts;
});

function formatOne(v: string, precision: string | undefined, arg: unknown): string {
  switch (v) {
    case 'd':
      return typeof arg === 'number' || typeof arg === 'bigint' ? String(typeof arg === 'number' ? Math.trunc(arg) : arg) : `%!d(${show(arg)})`;
    case 'f':
      return typeof arg === 'number' ? arg.toFixed(precision === undefined ? 6 : Number(precision)) : `%!f(${show(arg)})`;
    case 'q':
      return JSON.stringify(show(arg));
    case 'x':
    case 'X': {
      const s = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(show(arg)).toString('hex');
      return v === 'X' ? s.toUpperCase() : s;
    }
    case 't':
      return typeof arg === 'boolean' ? String(arg) : `%!t(${show(arg)})`;
    default:
      return show(arg);
  }
}

export function sprintf(format: string, ...args: unknown[]): string {
  const parts = parse(format);
  let out = parts[0];
  let i = 0;
  for (let k = 1; k < parts.length; k += 3) {
    const v = parts[k + 1]!;
    if (v === '%') out += '%';
    else if (i >= args.length) out += `%!${v}(MISSING)`;
    else out += formatOne(v, parts[k], args[i++]);
    out += parts[k + 2]!;
  }
  if (i < args.length) return `${out}%!(EXTRA ${args.slice(i).map(show).join(', ')})`;
  return out;
}
