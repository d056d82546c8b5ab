// resource.Quantity, as k8s.io/apimachinery/pkg/api/resource parses and prints it. The value is
// kept exactly (a bigint times a power of ten) so that "0.1", "100m" and "1e-1" compare equal and
// print the way the real API server prints them ("0.5" is stored back as "500m", "1.5Gi" as
// "1536Mi"). Validation, defaulting, quota and the scheduler all read quantities through here.
import { boundedMemo } from '../bounded-memo.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** value = unscaled × 10^scale. `text` is the original string when upstream keeps it verbatim. */
export interface Quantity {
  unscaled: bigint;
  scale: number;
  format: QuantityFormat;
  text?: string;
}

/** Upstream's three parse errors, same wording. */
export const errFormatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const errNumeric = 'unable to parse numeric part of quantity';
export const errSuffix = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const maxInt64 = (1n << 63n) - 1n;
const maxInt32 = 2147483647;
const nanoScale = -9;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

interface Pieces {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Splits "-1.5Gi" into sign, integer digits, fraction digits and suffix, as parseQuantityString. */
function splitQuantity(str: string): Pieces {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  // Leading zeros are dropped; a string of only zeros is zero.
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityParseError(errFormatWrong);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  if (suffix in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[suffix], format: 'DecimalSI' };
  if (suffix in binarySuffixes) return { base: 2, exponent: binarySuffixes[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const exponent = Number(digits);
    // The exponent is an int32 that upstream negates, so MinInt32 is out too.
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > maxInt32) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

const pow10 = (n: number) => 10n ** BigInt(n);
const abs = (v: bigint) => (v < 0n ? -v : v);

/** Whether upstream's int64 fast path would keep the caller's string as the printed form. */
function keepsOriginalText(p: Pieces, base: 10 | 2, exponent: number): boolean {
  const shifted = p.num + p.denom;
  if (base === 10) {
    if (18 - shifted.length < 0) return false;
    const scale = exponent - p.denom.length;
    if (scale < nanoScale) return false;
    const value = BigInt(shifted) * 1n;
    if (value > maxInt64) return false;
    return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  }
  if (p.denom.length > 0) return false;
  const precision = 15 - p.num.length - Math.trunc((exponent * 3) / 10) - 1;
  if (precision < 0) return false;
  const value = BigInt(shifted);
  if (value << BigInt(exponent) > maxInt64) return false;
  return exponent % 10 === 0 && (value & 7n) !== 0n;
}

// Parsed quantities by text: a cluster's objects repeat a few quantities ("100m", "64Mi") and
// every write of a pod parses each several times (defaulting, validation, admission). The
// entries are frozen: a Quantity is a value, nobody may change a parsed one.
const parsedQuantities = boundedMemo(4096, (str): Quantity => Object.freeze(parseQuantityText(str)));

/** resource.ParseQuantity: throws QuantityParseError with upstream's message on bad input. */
export function parseQuantity(str: string): Quantity {
  return parsedQuantities(str);
}

function parseQuantityText(str: string): Quantity {
  if (str.length === 0) throw new QuantityParseError(errFormatWrong);
  if (str === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', text: '0' };
  const pieces = splitQuantity(str);
  const suffix = interpretSuffix(pieces.suffix);
  if (!suffix) throw new QuantityParseError(errSuffix);
  const { base, exponent } = suffix;
  let format = suffix.format;

  let unscaled = BigInt(pieces.num + pieces.denom);
  let scale = -pieces.denom.length;
  if (base === 10) scale += exponent;
  else unscaled <<= BigInt(exponent);

  // Non-zero values are rounded up (away from zero) to the nano scale: asking for a sliver of a
  // resource must still get some.
  if (unscaled !== 0n && scale < nanoScale) {
    const divisor = pow10(nanoScale - scale);
    unscaled = (unscaled + divisor - 1n) / divisor;
    scale = nanoScale;
  }
  if (format === 'BinarySI') {
    if (compareMagnitude(unscaled, scale, maxInt64, 0) > 0) {
      unscaled = maxInt64;
      scale = 0;
    } else if (unscaled !== 0n && compareMagnitude(unscaled, scale, 1n, 0) < 0) {
      format = 'DecimalSI';
    }
  }
  const q: Quantity = { unscaled: pieces.positive ? unscaled : -unscaled, scale, format };
  if (keepsOriginalText(pieces, base, exponent)) q.text = str;
  return q;
}

/** parseQuantity that answers undefined instead of throwing. */
export function tryParseQuantity(str: string): Quantity | undefined {
  try {
    return parseQuantity(str);
  } catch {
    return undefined;
  }
}

/** Compares |a·10^as| with |b·10^bs|. */
function compareMagnitude(a: bigint, as: number, b: bigint, bs: number): number {
  const x = abs(a);
  const y = abs(b);
  const common = Math.min(as, bs);
  const xs = x * pow10(as - common);
  const ys = y * pow10(bs - common);
  return xs === ys ? 0 : xs > ys ? 1 : -1;
}

export function compareQuantities(a: Quantity | string, b: Quantity | string): number {
  const x = asQuantity(a);
  const y = asQuantity(b);
  // The same text parses to the same (memoized) quantity: a container's requests and limits
  // are often equal. At one scale the unscaled values compare as they are.
  if (x === y) return 0;
  if (x.scale === y.scale) return x.unscaled === y.unscaled ? 0 : x.unscaled > y.unscaled ? 1 : -1;
  const common = Math.min(x.scale, y.scale);
  const xs = x.unscaled * pow10(x.scale - common);
  const ys = y.unscaled * pow10(y.scale - common);
  return xs === ys ? 0 : xs > ys ? 1 : -1;
}

function asQuantity(q: Quantity | string): Quantity {
  return typeof q === 'string' ? parseQuantity(q) : q;
}

export const isZeroQuantity = (q: Quantity | string) => asQuantity(q).unscaled === 0n;
export const quantitySign = (q: Quantity | string) => {
  const u = asQuantity(q).unscaled;
  return u === 0n ? 0 : u > 0n ? 1 : -1;
};

/** The value at the given decimal scale, rounded away from zero (upstream's ScaledValue). */
function scaledBigInt(q: Quantity, scale: number): bigint {
  if (q.scale >= scale) return q.unscaled * pow10(q.scale - scale);
  const divisor = pow10(scale - q.scale);
  const m = abs(q.unscaled);
  const rounded = (m + divisor - 1n) / divisor;
  return q.unscaled < 0n ? -rounded : rounded;
}

/** MilliValue: thousandths, rounded up ("100m" → 100, "1" → 1000, "1n" → 1). */
export function toMilli(q: Quantity | string): number {
  return Number(scaledBigInt(asQuantity(q), -3));
}

/** Value: whole units, rounded up ("1Gi" → 1073741824, "100m" → 1). */
export function toValue(q: Quantity | string): number {
  return Number(scaledBigInt(asQuantity(q), 0));
}

/** The nearest floating-point number (AsApproximateFloat64). */
export function toNumber(q: Quantity | string): number {
  const x = asQuantity(q);
  return Number(x.unscaled) * 10 ** x.scale;
}

/** Milli-units as an exact bigint, for sums that must not lose precision (quota, scheduling). */
export function toMilliBigInt(q: Quantity | string): bigint {
  return scaledBigInt(asQuantity(q), -3);
}

/** Quantity.RoundUp: rounds away from zero to the scale; keeps the original text when exact. */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  const rounded = scaledBigInt(q, scale);
  return { unscaled: rounded, scale, format: q.format };
}

function stripTens(v: bigint, exponent: number): [bigint, number] {
  while (v !== 0n && v % 10n === 0n) {
    v /= 10n;
    exponent++;
  }
  return [v, exponent];
}

/** Quantity.String(): the canonical form the API server writes back. */
export function formatQuantity(q: Quantity): string {
  if (q.text !== undefined) return q.text;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareMagnitude(q.unscaled, q.scale, 1024n, 0) < 0;
    const integral = q.scale >= 0 || q.unscaled % pow10(-q.scale) === 0n;
    if (small || !integral) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = scaledBigInt(q, 0);
    let power = 0;
    while (v % 1024n === 0n && power < binarySuffixByPower.length - 1) {
      v /= 1024n;
      power++;
    }
    return `${v}${binarySuffixByPower[power]}`;
  }
  let [v, exponent] = stripTens(q.unscaled, q.scale);
  while (exponent % 3 !== 0) {
    v *= 10n;
    exponent--;
  }
  if (format === 'DecimalSI') {
    const suffix = decimalSuffixByExponent.get(exponent);
    if (suffix !== undefined) return `${v}${suffix}`;
  }
  return exponent === 0 ? `${v}` : `${v}e${exponent}`;
}

/** resource.NewMilliQuantity(v, DecimalSI) as printed: the inverse of toMilli (fractions of a thousandth dropped). */
export function milliQuantity(milli: number): string {
  return formatQuantity({ unscaled: BigInt(Math.trunc(milli)), scale: -3, format: 'DecimalSI' });
}

/** Parses and prints back: what a quantity field holds after a round trip through the server. */
export function canonicalQuantity(str: string): string {
  return formatQuantity(parseQuantity(str));
}

/** The JSON forms a quantity field accepts: a string or a plain number (printed as Go does). */
export function quantityText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
