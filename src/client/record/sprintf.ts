// Go's fmt.Sprintf for the verbs event messages use (%v %s %d %q %f %x %t %%), since callers
// port messages from upstream controllers ("Created pod: %v"). Flags and widths are accepted and
// ignored except precision for %f.
const verb = /%([-+# 0]*)(\d*)(?:\.(\d+))?([vsdqfxXt%])/g;

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.message;
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  const out = format.replace(verb, (_m, _flags: string, _width: string, precision: string | undefined, v: string) => {
    if (v === '%') return '%';
    if (i >= args.length) return `%!${v}(MISSING)`;
    const arg = args[i++];
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
  });
  if (i < args.length) return `${out}%!(EXTRA ${args.slice(i).map(show).join(', ')})`;
  return out;
}
