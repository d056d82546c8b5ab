// Constructors for FieldError, one per upstream field.Error kind (k8s.io/apimachinery/pkg/util/
// validation/field), plus path helpers, so every validator words its errors the same way.
import type { FieldError } from '../status.js';

export type Errors = FieldError[];

/** Path helpers: child('spec', 'containers') → "spec.containers"; index(p, 0) → "p[0]"; key(p, "k") → "p[k]". */
export function child(base: string, ...names: string[]): string {
  // Validators build a path for every field they look at, errors or not: no temporary arrays.
  let out = base;
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n !== '') out = out === '' ? n : `${out}.${n}`;
  }
  return out;
}
export const index = (base: string, i: number) => `${base}[${i}]`;
export const key = (base: string, k: string) => `${base}[${k}]`;

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });

export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail, value });

export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });

export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, detail: '', value });

export const notFound = (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, detail: '', value });

/** "supported values: "a", "b"" in the order given (upstream sorts when it passes a set). */
export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, detail, value };
}

export function tooLong(field: string, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { type: 'FieldValueTooLong', field, detail };
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { type: 'FieldValueTooMany', field, detail, value: actual };
}

export const typeInvalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field, detail, value });

/** One Invalid error per message of a string validator. */
export const each = (field: string, value: unknown, messages: string[]): Errors => messages.map((m) => invalid(field, value, m));

export const isNegativeErrorMsg = 'must be greater than or equal to 0';
export const fieldImmutableErrorMsg = 'field is immutable';

export function nonNegative(value: unknown, field: string): Errors {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, isNegativeErrorMsg)] : [];
}

export function positive(value: unknown, field: string): Errors {
  return typeof value === 'number' && value <= 0 ? [invalid(field, value, 'must be greater than zero')] : [];
}

/** Deep equality for plain JSON. An absent field, null, [] and {} are all equal: Go's omitempty
 *  drops empty lists and maps on the wire, so a client that sends [] must not be told it changed
 *  a field it never touched. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a)) return isEmpty(b);
  if (isEmpty(b)) return false;
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

export function immutable(newValue: unknown, oldValue: unknown, field: string): Errors {
  return deepEqual(newValue, oldValue) ? [] : [invalid(field, newValue, fieldImmutableErrorMsg)];
}

/** Narrowing helpers for untyped JSON. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObject = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string => (typeof v === 'string' ? v : '');
export const asStringMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(asObject(v))) out[k] = typeof x === 'string' ? x : String(x);
  return out;
};
