// x-kubernetes-list-type uniqueness (apiextensions-apiserver pkg/apiserver/schema/listtype):
// a "set" may not hold the same item twice, a "map" may not hold two items with the same
// x-kubernetes-list-map-keys values. Each repeated value is reported once, at the index where it
// is first seen again. Paths are field paths: a map value is "spec.labels[key]" here, where the
// schema validator writes "spec.labels.key".
import type { FieldError } from '../status.js';
import { duplicate, index, invalid, isObject, key } from '../validation/field.js';
import { additionalPropertiesSchema, itemSchema, type JSONSchemaProps } from './json-schema-props.js';

const child = (base: string, name: string) => (base === '' ? name : `${base}.${name}`);

/** ValidateListSetsAndMaps for an object (the custom resource, or any object inside it). */
export function validateListSetsAndMaps(path: string, s: JSONSchemaProps | undefined, obj: Record<string, unknown>): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const values = additionalPropertiesSchema(s);
  if (values) {
    for (const [k, v] of Object.entries(obj)) errs.push(...validateValue(key(path, k), values, v));
  }
  if (s.properties) {
    for (const [k, v] of Object.entries(obj)) {
      if (Object.hasOwn(s.properties, k)) errs.push(...validateValue(child(path, k), s.properties[k], v));
    }
  }
  return errs;
}

function validateValue(path: string, s: JSONSchemaProps, v: unknown): FieldError[] {
  if (Array.isArray(v)) return validateArray(path, s, v);
  if (isObject(v)) return validateListSetsAndMaps(path, s, v);
  return [];
}

function validateArray(path: string, s: JSONSchemaProps, list: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  if (s['x-kubernetes-list-type'] === 'set') {
    for (const i of repeatedIndices(list)) errs.push(duplicate(index(path, i), list[i]));
  } else if (s['x-kubernetes-list-type'] === 'map') {
    errs.push(...validateListMap(path, s['x-kubernetes-list-map-keys'] ?? [], list));
  }
  const items = itemSchema(s);
  if (items) list.forEach((item, i) => errs.push(...validateValue(index(path, i), items, item)));
  return errs;
}

/** Stands for a key field an item does not have, which is distinct from every real value. */
const unspecified = Symbol('unspecified key');

function validateListMap(path: string, keyFields: string[], list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && x !== undefined && !isObject(x)) return [invalid(index(path, i), x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const items = list as (Record<string, unknown> | null | undefined)[];

  if (keyFields.length === 1) {
    const [field] = keyFields;
    const keys = items.map((x) => (x && Object.hasOwn(x, field) ? x[field] : unspecified));
    return repeatedIndices(keys).map((i) => duplicate(index(path, i), keys[i] === unspecified ? {} : { [field]: keys[i] }));
  }
  // Go marshals a map with its keys sorted; the reported key object is built the same way.
  const sortedFields = [...keyFields].sort();
  const keys = items.map((x) => {
    const k: Record<string, unknown> = {};
    for (const f of sortedFields) if (x && Object.hasOwn(x, f)) k[f] = x[f];
    return k;
  });
  return repeatedIndices(keys).map((i) => duplicate(index(path, i), keys[i]));
}

/** The index of each value's second appearance, in order (validateListSet). Scalars compare by
 *  type and value; objects and arrays by their JSON with sorted keys, as Go's json.Marshal. */
function repeatedIndices(values: unknown[]): number[] {
  if (values.length <= 1) return [];
  const seen = new Map<unknown, number>();
  const repeated: number[] = [];
  values.forEach((v, i) => {
    const id = typeof v === 'object' && v !== null ? `json:${canonicalJson(v)}` : typeof v === 'string' ? `string:${v}` : v;
    const times = seen.get(id) ?? 0;
    seen.set(id, times + 1);
    if (times === 1) repeated.push(i);
  });
  return repeated;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
