// Arithmetic on ResourceLists (resource name → quantity string), as upstream's quota helpers
// (k8s.io/apiserver/pkg/quota/v1/resources.go). Quantities stay strings on the wire; every sum is
// exact (Quantity keeps a bigint), and printed the way the API server prints quantities.
import { compareQuantities, formatQuantity, parseQuantity, quantitySign, quantityText, type Quantity } from '../validation/quantity.js';

export type ResourceList = Record<string, string>;

/** Reads a ResourceList field from an object, accepting numbers as the API does. */
export function resourceList(value: unknown): ResourceList {
  const out: ResourceList = {};
  if (!value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const text = quantityText(v);
    if (text !== undefined) out[k] = text;
  }
  return out;
}

function sum(a: Quantity, b: Quantity, sign: 1n | -1n): Quantity {
  const scale = Math.min(a.scale, b.scale);
  const unscaled = a.unscaled * 10n ** BigInt(a.scale - scale) + sign * b.unscaled * 10n ** BigInt(b.scale - scale);
  // The receiver's format wins, as Quantity.Add keeps it, unless the receiver is zero.
  return { unscaled, scale, format: a.unscaled === 0n ? b.format : a.format };
}

export function addQuantity(a: string, b: string): string {
  return formatQuantity(sum(parseQuantity(a), parseQuantity(b), 1n));
}

export function subtractQuantity(a: string, b: string): string {
  return formatQuantity(sum(parseQuantity(a), parseQuantity(b), -1n));
}

/** a + b, key by key (keys of either list). */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? addQuantity(out[k], v) : v;
  return out;
}

/** a - b for the keys of a (upstream Subtract: keys only in b are subtracted from zero). */
export function subtract(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? subtractQuantity(out[k], v) : subtractQuantity('0', v);
  return out;
}

/** a - b with negative results clamped to zero (SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out = subtract(a, b);
  for (const [k, v] of Object.entries(out)) if (quantitySign(v) < 0) out[k] = '0';
  return out;
}

/** Only the named resources. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (n in list) out[n] = list[n];
  return out;
}

export function removeZeros(list: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list)) if (quantitySign(v) !== 0) out[k] = v;
  return out;
}

export function negativeResources(list: ResourceList): string[] {
  return Object.keys(list).filter((k) => quantitySign(list[k]) < 0);
}

/** Whether every resource of a is <= the same resource of b (resources missing in b are not limited); also the names that are not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { allowed: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [k, v] of Object.entries(a)) if (k in b && compareQuantities(v, b[k]) > 0) exceeded.push(k);
  return { allowed: exceeded.length === 0, exceeded };
}

/** Same keys and equal quantities ("1" equals "1000m"). */
export function equals(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => k in y && compareQuantities(x[k], y[k]) === 0);
}

/** "a=1,b=2" sorted by name, as the quota admission's error messages print lists. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(parseQuantity(list[k]))}`)
    .join(',');
}
