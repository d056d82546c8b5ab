// Kubernetes' quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go, 1.28+): quantity(),
// isQuantity(), comparisons, arithmetic with quantities and ints, and conversions to int and
// double. Values come from the project's resource.Quantity parser. Whether a quantity "is an
// integer" follows Go's representation, not the value: resource.Quantity keeps small values as an
// int64 at a decimal scale and converts only those to int64, and only at a scale ≥ 0 ("1000m" is
// not an integer, "1k" is; neither is anything that needed the arbitrary-precision form, such as
// "1.5Gi" or a 19-digit number). `fast` records that form and arithmetic keeps it as Go does.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { compareQuantities, parseQuantity, quantitySign, QuantityParseError, type Quantity } from '../../validation/quantity.js';
import { defineType, parses } from './runtime.js';

const QUANTITY = 'kubernetes.Quantity';

const maxInt64 = (1n << 63n) - 1n;
const minInt64 = -(1n << 63n);
const fitsInt64 = (v: bigint) => v <= maxInt64 && v >= minInt64;

class QuantityValue {
  /** `fast`: Go holds it as int64Amount{value: q.unscaled, scale: q.scale}. */
  constructor(
    readonly q: Quantity,
    readonly fast: boolean,
  ) {}
}

const decimalExponents: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binaryExponents: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Whether resource.ParseQuantity takes its int64 fast path for this (valid) text. */
function parsesToInt64(s: string): boolean {
  const m = /^[+-]?0*(\d*)(?:(\.)(\d*))?(.*)$/.exec(s)!;
  const [, digits, dot, denom = '', suffix] = m;
  // Only zeros: Go stops there, with zero.
  if (!digits && !dot && !suffix) return true;
  const num = digits || '0';
  if (suffix in binaryExponents) {
    const exponent = binaryExponents[suffix];
    if (denom.length > 0 || 15 - num.length - Math.trunc((exponent * 3) / 10) - 1 < 0) return false;
    return BigInt(num) << BigInt(exponent) <= maxInt64;
  }
  const exponent = suffix in decimalExponents ? decimalExponents[suffix] : Number(suffix.slice(1));
  return 18 - (num.length + denom.length) >= 0 && exponent - denom.length >= -9;
}

function toQuantity(s: string): QuantityValue {
  try {
    return new QuantityValue(parseQuantity(s), parsesToInt64(s));
  } catch (err) {
    if (err instanceof QuantityParseError) throw libraryError(err.message);
    throw err;
  }
}

const isQuantity = parses(parseQuantity);

const scaleUp = (v: bigint, by: number) => v * 10n ** BigInt(by);

/** int64Amount.Add: undefined when an intermediate value overflows (Go then goes exact). */
function fastAdd(a: Quantity, b: Quantity): Quantity | undefined {
  if (b.unscaled === 0n) return a;
  if (a.unscaled === 0n) return { ...b, format: a.format };
  const scale = Math.min(a.scale, b.scale);
  const x = scaleUp(a.unscaled, a.scale - scale);
  const y = scaleUp(b.unscaled, b.scale - scale);
  if (!fitsInt64(x) || !fitsInt64(y) || !fitsInt64(x + y)) return undefined;
  return { unscaled: x + y, scale, format: a.format };
}

function add(a: QuantityValue, b: QuantityValue): QuantityValue {
  if (a.fast && b.fast) {
    const sum = fastAdd(a.q, b.q);
    if (sum) return new QuantityValue(sum, true);
  }
  const scale = Math.min(a.q.scale, b.q.scale);
  const unscaled = scaleUp(a.q.unscaled, a.q.scale - scale) + scaleUp(b.q.unscaled, b.q.scale - scale);
  return new QuantityValue({ unscaled, scale, format: a.q.format }, false);
}

const negate = (v: QuantityValue) => new QuantityValue({ ...v.q, unscaled: -v.q.unscaled, text: undefined }, v.fast && fitsInt64(-v.q.unscaled));

/** resource.NewQuantity(i, DecimalExponent). */
const fromInt = (i: bigint) => new QuantityValue({ unscaled: i, scale: 0, format: 'DecimalExponent' }, true);

/** Quantity.AsInt64. */
function asInt64(v: QuantityValue): bigint | undefined {
  if (!v.fast || v.q.scale < 0) return undefined;
  const value = scaleUp(v.q.unscaled, v.q.scale);
  return fitsInt64(value) ? value : undefined;
}

function asInteger(v: QuantityValue): bigint {
  const i = asInt64(v);
  if (i === undefined) throw libraryError('cannot convert value to integer');
  return i;
}

/** Quantity.AsApproximateFloat64: the unscaled value times math.Pow10(scale). */
function asApproximateFloat(v: QuantityValue): number {
  const base = Number(v.q.unscaled);
  const e = v.q.scale;
  if (e === 0) return base;
  return base * (e > 0 ? 10 ** e : 1 / 10 ** -e);
}

export function registerQuantity(env: Environment): void {
  defineType(env, QUANTITY, QuantityValue);
  env.registerFunction(`quantity(string): ${QUANTITY}`, toQuantity);
  env.registerFunction('isQuantity(string): bool', isQuantity);
  // Upstream declares sign as a global function, not a method: quantity(…).sign() does not compile.
  env.registerFunction(`sign(${QUANTITY}): int`, (v: QuantityValue) => BigInt(quantitySign(v.q)));
  env.registerFunction(`${QUANTITY}.isGreaterThan(${QUANTITY}): bool`, (a: QuantityValue, b: QuantityValue) => compareQuantities(a.q, b.q) === 1);
  env.registerFunction(`${QUANTITY}.isLessThan(${QUANTITY}): bool`, (a: QuantityValue, b: QuantityValue) => compareQuantities(a.q, b.q) === -1);
  env.registerFunction(`${QUANTITY}.compareTo(${QUANTITY}): int`, (a: QuantityValue, b: QuantityValue) => BigInt(compareQuantities(a.q, b.q)));
  env.registerFunction(`${QUANTITY}.asApproximateFloat(): double`, asApproximateFloat);
  env.registerFunction(`${QUANTITY}.asInteger(): int`, asInteger);
  env.registerFunction(`${QUANTITY}.isInteger(): bool`, (v: QuantityValue) => asInt64(v) !== undefined);
  env.registerFunction(`${QUANTITY}.add(${QUANTITY}): ${QUANTITY}`, add);
  env.registerFunction(`${QUANTITY}.add(int): ${QUANTITY}`, (a: QuantityValue, i: bigint) => add(a, fromInt(i)));
  env.registerFunction(`${QUANTITY}.sub(${QUANTITY}): ${QUANTITY}`, (a: QuantityValue, b: QuantityValue) => add(a, negate(b)));
  env.registerFunction(`${QUANTITY}.sub(int): ${QUANTITY}`, (a: QuantityValue, i: bigint) => add(a, negate(fromInt(i))));
  env.registerOperator(`${QUANTITY} == ${QUANTITY}`, (a: QuantityValue, b: QuantityValue) => compareQuantities(a.q, b.q) === 0);
}
