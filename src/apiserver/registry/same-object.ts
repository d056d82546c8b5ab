// Whether an update changes nothing: the proposed object equals the current one apart from the
// times of its managedFields entries (upstream's ignoreManagedFieldsTimestampsTransformer: an
// update that changes nothing else is a no-op, whatever time the field manager stamped).
//
// This is isDeepStrictEqual over the two objects with every managedFields entry's `time` taken
// out, computed without copying either object and without the key arrays isDeepStrictEqual
// builds at every level: it runs on every update, and usually stops at the first difference.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/object.js';

/** isDeepStrictEqual(a, b) with metadata.managedFields[*].time ignored (present or not, any value). */
export function sameExceptManagedFieldTimes(a: KubeObject, b: KubeObject): boolean {
  if (!plainObject(a) || !plainObject(b)) return equalJSON(a, b);
  if (!sameKeyCount(a, b)) return false;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    if (!Object.hasOwn(b, k)) return false;
    const av = (a as Record<string, unknown>)[k];
    const bv = (b as Record<string, unknown>)[k];
    if (!(k === 'metadata' ? sameMetadata(av, bv) : equalJSON(av, bv))) return false;
  }
  return true;
}

// (The top level, metadata and the entries compare as copies spread into ordinary objects would,
// whatever their prototype: as the copies with `time: undefined` this replaces.)
function sameMetadata(a: unknown, b: unknown): boolean {
  if (!plainObject(a) || !plainObject(b)) return equalJSON(a, b);
  const am = a as Record<string, unknown>;
  const bm = b as Record<string, unknown>;
  // Only a managedFields list is rewritten (an absent or empty one compares as it is).
  if (!am.managedFields || !bm.managedFields) return equalJSON(a, b);
  if (!sameKeyCount(am, bm)) return false;
  for (const k in am) {
    if (!Object.hasOwn(am, k)) continue;
    if (!Object.hasOwn(bm, k)) return false;
    if (!(k === 'managedFields' ? sameManagedFields(am[k], bm[k]) : equalJSON(am[k], bm[k]))) return false;
  }
  return true;
}

function sameManagedFields(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return equalJSON(a, b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEntryExceptTime(a[i], b[i])) return false;
  return true;
}

/** Entries compare as copies with `time: undefined` set on both would. */
function sameEntryExceptTime(a: unknown, b: unknown): boolean {
  if (!plainObject(a) || !plainObject(b)) return equalJSON(a, b);
  const ae = a as Record<string, unknown>;
  const be = b as Record<string, unknown>;
  let an = 0;
  for (const k in ae) {
    if (!Object.hasOwn(ae, k) || k === 'time') continue;
    an++;
    if (!Object.hasOwn(be, k) || !equalJSON(ae[k], be[k])) return false;
  }
  let bn = 0;
  for (const k in be) if (Object.hasOwn(be, k) && k !== 'time') bn++;
  return an === bn;
}

/** isDeepStrictEqual for JSON-shaped values (plain objects, arrays, primitives). */
export function equalJSON(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (a === b) return true;
  const arr = Array.isArray(a);
  if (arr !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (arr) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length || !plainArray(x) || !plainArray(y)) return slowEqual(a, b);
    for (let i = 0; i < x.length; i++) if (!equalJSON(x[i], y[i])) return false;
    return true;
  }
  if (!plainObject(a) || !plainObject(b)) return slowEqual(a, b);
  if (!sameKeyCount(a, b)) return false;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    if (!Object.hasOwn(b, k) || !equalJSON((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** An ordinary object whose own enumerable string keys are all its state (what JSON holds). */
function plainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function plainArray(v: unknown[]): boolean {
  return Object.getPrototypeOf(v) === Array.prototype;
}

function sameKeyCount(a: object, b: object): boolean {
  let n = 0;
  for (const k in a) if (Object.hasOwn(a, k)) n++;
  for (const k in b) if (Object.hasOwn(b, k)) n--;
  return n === 0;
}

/** Anything that is not plain JSON (a Date, a Map, an array subclass): node's own comparison decides. */
function slowEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}
