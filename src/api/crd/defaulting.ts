// Structural defaulting of custom resources (apiextensions-apiserver pkg/apiserver/schema/
// defaulting: algorithm.go and prunenulls.go). Upstream runs, on every decode of a custom
// resource (request bodies and reads from storage alike): prune unknown fields, drop nulls the
// schema cannot hold, apply defaults, prune again.
import { copyJson } from '../json-copy.js';
import { isObject } from '../validation/field.js';
import { additionalPropertiesSchema, fieldSchema, itemSchema, type JSONSchemaProps } from './json-schema-props.js';

/** A null where the schema neither allows null nor has a default to put in its place. */
const isNonNullableNull = (x: unknown, s: JSONSchemaProps | undefined) => x === null && s !== undefined && !s.nullable;

/** A default of null is no default: Go decodes it to nil, which the algorithm skips. */
const hasDefault = (s: JSONSchemaProps | undefined): s is JSONSchemaProps & { default: unknown } => s?.default !== undefined && s.default !== null;

/** Fills in schema defaults, in place. A property that is absent, or null where the schema is
 *  not nullable, gets a deep copy of its default; defaults then apply inside every value, the
 *  defaults just set included, down through properties, map values and array items. A null in a
 *  nullable field stays null. Defaults under allOf/anyOf/oneOf/not are not applied (CRD schemas
 *  may not have them). */
export function applySchemaDefaults(obj: unknown, schema: JSONSchemaProps): void {
  applyDefaults(obj, schema);
}

function applyDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = itemSchema(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && hasDefault(items)) x[i] = copyJson(items.default);
      applyDefaults(x[i], items);
    }
    return;
  }
  if (!isObject(x)) return;
  const props = s.properties ?? {};
  for (const [k, prop] of Object.entries(props)) {
    if (!hasDefault(prop)) continue;
    const present = Object.hasOwn(x, k) && x[k] !== undefined;
    if (!present || isNonNullableNull(x[k], prop)) x[k] = copyJson(prop.default);
  }
  const values = additionalPropertiesSchema(s);
  for (const k of Object.keys(x)) {
    if (Object.hasOwn(props, k)) {
      applyDefaults(x[k], props[k]);
    } else if (values) {
      if (isNonNullableNull(x[k], values) && hasDefault(values)) x[k] = copyJson(values.default);
      applyDefaults(x[k], values);
    }
  }
}

/** PruneNonNullableNullsWithoutDefaults, in place: removes the object members that are null
 *  where the schema is not nullable and has no default (so they read as absent, and validation
 *  does not call them the wrong type). Nulls with a default are left for applySchemaDefaults;
 *  members the schema does not describe, and null array items, are left alone. */
export function pruneNonNullableNullsWithoutDefaults(obj: unknown, schema: JSONSchemaProps | undefined): void {
  if (Array.isArray(obj)) {
    const items = itemSchema(schema);
    for (const item of obj) pruneNonNullableNullsWithoutDefaults(item, items);
    return;
  }
  if (!isObject(obj)) return;
  for (const k of Object.keys(obj)) {
    const s = fieldSchema(schema, k);
    if (isNonNullableNull(obj[k], s) && !hasDefault(s)) delete obj[k];
    else pruneNonNullableNullsWithoutDefaults(obj[k], s);
  }
}
