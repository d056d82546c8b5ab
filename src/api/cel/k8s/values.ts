// CEL equality and ordering over cel-js's values, as cel-go's Equal and Compare define them:
// numbers compare across int, uint and double; lists and maps compare deeply; strings order by
// code point (the order of their UTF-8 bytes, which Go compares).
import { libraryError } from '../library.js';
import { isDuration, isUint, listItems, mapEntries } from './runtime.js';

type Num = bigint | number;

function numeric(v: unknown): Num | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (isUint(v)) return v.valueOf();
  return undefined;
}

/** -1, 0 or 1; NaN when a NaN takes part (cel-go: NaN values cannot be ordered). */
function compareNumbers(x: Num, y: Num): number {
  if (typeof x === typeof y) return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  if (typeof x === 'number') return -compareNumbers(y, x);
  const n = y as number;
  if (Number.isNaN(n)) return NaN;
  if (!Number.isFinite(n)) return n > 0 ? -1 : 1;
  const floor = Math.floor(n);
  const f = BigInt(floor);
  if ((x as bigint) !== f) return (x as bigint) < f ? -1 : 1;
  return n === floor ? 0 : -1;
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate starts a code point above U+FFFF: it sorts after every other unit.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return Math.sign(a.length - b.length);
}

const isList = (v: object) => Array.isArray(v) || v instanceof Set;
const isMap = (v: object) => v instanceof Map || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null;

/** cel-go's Compare: -1, 0 or 1 (NaN for NaN); values that cannot be ordered are an error. */
export function celCompare(a: unknown, b: unknown): number {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return compareNumbers(x, y);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (isDuration(a) && isDuration(b)) return a.seconds !== b.seconds ? (a.seconds < b.seconds ? -1 : 1) : Math.sign(a.nanos - b.nanos);
  throw libraryError('no such overload');
}

/** CEL equality (cel-go's Equal): heterogeneous numbers, deep lists and maps. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined || y !== undefined) return x !== undefined && y !== undefined && compareNumbers(x, y) === 0;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && compareBytes(a, b) === 0;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (isDuration(a)) return isDuration(b) && celCompare(a, b) === 0;
  if (isList(a)) {
    if (!isList(b)) return false;
    const l = listItems(a);
    const r = listItems(b);
    return l.length === r.length && l.every((v, i) => celEquals(v, r[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const l = mapEntries(a);
    const r = mapEntries(b);
    return l.length === r.length && l.every(([k, v]) => r.some(([k2, v2]) => celEquals(k, k2) && celEquals(v, v2)));
  }
  const eq = (a as { equals?: (o: unknown) => boolean }).equals;
  return typeof eq === 'function' ? eq.call(a, b) : false;
}
