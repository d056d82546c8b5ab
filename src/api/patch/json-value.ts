// Small helpers over parsed JSON values shared by the patch algorithms, plus the rendering of
// values the way Go's fmt %v prints decoded JSON. Upstream's patch error messages embed values
// with %v ("map: map[image:nginx] does not contain declared merge key: name"), so messages
// built here read the same as the ones kubectl users already search for.

import { copyJson } from '../json-copy.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasKey(o: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** A deep copy of a JSON value, so the algorithms may mutate their working copy freely. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : copyJson(v);
}

/** Go's name for the type encoding/json decodes a value into (reflect.TypeOf(v).String()). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      // The API server decodes patches preserving integers (int64); other numbers are float64.
      return Number.isInteger(v) ? 'int64' : 'float64';
    case 'object':
      return 'map[string]interface {}';
    default:
      return typeof v;
  }
}

/** The word encoding/json uses for a JSON value's kind in "cannot unmarshal X into ..." errors. */
export function jsonKindWord(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function goNumber(n: number): string {
  // Go's %v of a float64 uses the shortest form with a two-digit exponent (1e-07, 1e+21).
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Renders a decoded JSON value as Go's fmt %v does (maps with sorted keys, slices space-separated). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}
