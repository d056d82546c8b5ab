// How client-go's JSONPath PrintResults writes one value: maps and lists as Go's encoding/json
// writes them (keys sorted, <, > and & escaped), everything else as Go's fmt.Fprint does (floats
// in %v form, so 1.5e+06 rather than 1500000). A CRD's "string" printer column shows this text.
import { GoFloat, isGoInt } from './evaluate.js';

export function jsonPathValueText(value: unknown): string {
  if (value instanceof GoFloat) return goFloat(value.value);
  if (value === null || value === undefined) return '<no value>';
  if (typeof value === 'object') return goJSON(value);
  if (typeof value === 'number') return isGoInt(value) ? BigInt(value).toString() : goFloat(value);
  return String(value);
}

/** encoding/json.Marshal of plain JSON. */
export function goJSON(value: unknown): string {
  const text = JSON.stringify(sortKeys(value)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(v: unknown): unknown {
  if (v instanceof GoFloat) return v.value;
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** fmt's %v of a float64: the shortest digits, in %e form below 1e-4 or from 1e+06 on. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = n < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}
