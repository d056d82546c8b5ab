// Floating-point text as Go writes it for string.format: strconv.FormatFloat's shortest 'g' and 'f'
// forms (string(double), durations), fmt's exact "%.Nf", and the en-US forms of x/text's message
// printer that cel-go uses for the %f and %e clauses (digit grouping, "∞", ×10 with superscripts).

/** A finite non-negative decimal: digits × 10^-scale. */
interface Decimal {
  digits: bigint;
  scale: number;
}

/** The shortest digits that read back as |x| (what JavaScript and Go print by default). */
function shortest(x: number): Decimal {
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  return { digits: BigInt(digits), scale: digits.length - 1 - Number(exp) };
}

/** |x| exactly, from its binary form m × 2^e. */
function exact(x: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  return e >= 0 ? { digits: m << BigInt(e), scale: 0 } : { digits: m * 5n ** BigInt(-e), scale: -e };
}

/** Rounds half to even to `places` digits after the point. */
function round(d: Decimal, places: number): bigint {
  if (d.scale <= places) return d.digits * 10n ** BigInt(places - d.scale);
  const div = 10n ** BigInt(d.scale - places);
  const q = d.digits / div;
  const r = d.digits % div;
  return 2n * r > div || (2n * r === div && q % 2n === 1n) ? q + 1n : q;
}

/** digits/10^places written out ("1234", 2 → "12.34"). */
function withPoint(v: bigint, places: number, group = false): string {
  const s = v.toString().padStart(places + 1, '0');
  let int = s.slice(0, s.length - places);
  if (group) int = int.replace(/\B(?=(\d{3})+$)/g, ',');
  return places > 0 ? `${int}.${s.slice(-places)}` : int;
}

const sign = (x: number) => (x < 0 || Object.is(x, -0) ? '-' : '');

/** strconv.FormatFloat(x, 'g', -1, 64): exponent form below 1e-4 and from 1e6 on ("1e+06"). */
export function formatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return `${sign(x)}0`;
  const d = shortest(x);
  const digits = d.digits.toString();
  const exp = digits.length - 1 - d.scale;
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign(x)}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return sign(x) + formatF(Math.abs(x));
}

/** strconv.FormatFloat(x, 'f', -1, 64): the shortest digits, never an exponent. */
export function formatF(x: number): string {
  if (x === 0) return `${sign(x)}0`;
  const d = shortest(x);
  return sign(x) + withPoint(d.digits * 10n ** BigInt(Math.max(0, -d.scale)), Math.max(0, d.scale));
}

/** fmt.Sprintf("%.Nf", x): the exact binary value rounded half to even. */
export function formatFixed(x: number, places: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return sign(x) + withPoint(round(exact(x), places), places);
}

/** x/text's en-US "%.Nf": grouped thousands, ∞ for infinities. */
export function formatLocaleFixed(x: number, places: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  return sign(x) + withPoint(round(shortest(x), places), places, true);
}

const superscripts = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** x/text's en-US "%e": six decimals, then "×10" with a superscript exponent of two digits or more. */
export function formatLocaleScientific(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  let exp = 0;
  let mantissa = 0n;
  if (x !== 0) {
    const d = shortest(x);
    exp = d.digits.toString().length - 1 - d.scale;
    mantissa = round({ digits: d.digits, scale: d.scale + exp }, 6);
    // Rounding 9.9999999 up gives 10.000000: one more power of ten.
    if (mantissa >= 10_000_000n) {
      mantissa /= 10n;
      exp++;
    }
  }
  const power = [...String(Math.abs(exp)).padStart(2, '0')].map((c) => superscripts[Number(c)]).join('');
  return `${sign(x)}${withPoint(mantissa, 6)}\u202f×\u202f10${exp < 0 ? '⁻' : ''}${power}`;
}
