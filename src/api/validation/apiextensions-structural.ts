// Structural schema rules for CRD schemas (apiextensions-apiserver pkg/apiserver/schema:
// validation.go's ValidateStructural and complete.go), checked on the raw openAPIV3Schema JSON:
// every specified field has a type, value validations (allOf/anyOf/oneOf/not) only restrict what
// the structural part declares, metadata at the root restricts name and generateName only.
// Upstream sorts these errors by their text (its maps iterate randomly); so does this.
import { fieldErrorMessage } from '../status.js';
import { asArray, asObject, child, forbidden, index, invalid, isObject, key, required, type Errors } from './field.js';

type Obj = Record<string, unknown>;
type Level = 'root' | 'item' | 'field';

/** Whether NewStructural can convert the schema; when it cannot, upstream reports the OpenAPI errors instead. */
export function isConvertible(s: unknown): boolean {
  if (!isObject(s)) return true;
  if (str(s.id) || str(s.$schema) || str(s.$ref)) return false;
  if (nonEmptyMap(s.patternProperties) || nonEmptyMap(s.dependencies) || nonEmptyMap(s.definitions)) return false;
  if (s.additionalItems !== undefined && s.additionalItems !== null) return false;
  if (Array.isArray(s.items)) return false;
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return false;
  const subs = [s.items, s.not, additionalSchema(s), ...asArray(s.allOf), ...asArray(s.anyOf), ...asArray(s.oneOf), ...Object.values(asObject(s.properties))];
  return subs.every(isConvertible);
}

export function validateStructural(schema: Obj, path: string): Errors {
  const errs = [...invariants(schema, 'root', path), ...completeness(schema, path)];
  const text = errs.map(fieldErrorMessage);
  return errs.map((e, i) => ({ e, t: text[i] })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0)).map(({ e }) => e);
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const nonEmptyMap = (v: unknown) => isObject(v) && Object.keys(v).length > 0;
const has = (s: Obj, k: string) => s[k] !== undefined && s[k] !== null;
/** additionalProperties as a schema (`true`/`false` have none). */
const additionalSchema = (s: Obj): Obj | undefined => (isObject(s.additionalProperties) ? s.additionalProperties : undefined);
/** Structural properties: an empty map is none. */
const properties = (s: Obj): Obj => asObject(s.properties);

function invariants(s: Obj, lvl: Level, path: string): Errors {
  const errs: Errors = [];
  const type = str(s.type);
  if (type === 'array' && !isObject(s.items)) errs.push(required(child(path, 'items'), 'must be specified'));
  if (isObject(s.items)) errs.push(...invariants(s.items, 'item', child(path, 'items')));
  for (const [k, v] of Object.entries(properties(s))) errs.push(...invariants(asObject(v), 'field', key(child(path, 'properties'), k)));
  if (has(s, 'additionalProperties')) {
    if (lvl === 'root') errs.push(forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    const ap = additionalSchema(s);
    if (ap) errs.push(...invariants(ap, 'field', child(path, 'additionalProperties')));
  }

  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) errs.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(invalid(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));

  errs.push(...valueValidation(s, isIntOrStringAnyOf(s.anyOf), isIntOrStringAllOf(s), lvl, path));

  if (embedded && type !== 'object') {
    errs.push(type ? invalid(child(path, 'type'), type, 'must be object if x-kubernetes-embedded-resource is true') : required(child(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !intOrString && !preserve) {
    const detail = { root: 'must not be empty at the root', item: 'must not be empty for specified array items', field: 'must not be empty for specified object fields' }[lvl];
    errs.push(required(child(path, 'type'), detail));
  }
  if (embedded && has(s, 'additionalProperties')) errs.push(forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type && type !== 'object') errs.push(invalid(child(path, 'type'), type, 'must be object at the root'));

  const checkMetadata = lvl === 'root' || embedded;
  const props = properties(s);
  for (const f of ['kind', 'apiVersion']) {
    if (checkMetadata && isObject(props[f]) && str(props[f].type) !== 'string') {
      errs.push(invalid(child(key(child(path, 'properties'), f), 'type'), str(props[f].type), 'must be string'));
    }
  }
  if (isObject(props.metadata)) errs.push(...metadataInvariants(props.metadata, checkMetadata, lvl, key(child(path, 'properties'), 'metadata')));
  if (embedded && !preserve && Object.keys(props).length === 0) {
    errs.push(required(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

/** Keys of a metadata schema that may be set: its type and default are checked elsewhere. */
const metadataIgnored = new Set(['type', 'default', 'properties']);

function metadataInvariants(s: Obj, checkMetadata: boolean, lvl: Level, path: string): Errors {
  const errs: Errors = [];
  if (checkMetadata && str(s.type) !== 'object') errs.push(invalid(child(path, 'type'), str(s.type), 'must be object'));
  if (lvl !== 'root') return errs;
  const names = Object.keys(properties(s));
  const onlyNames = names.every((n) => n === 'name' || n === 'generateName');
  const restricts = Object.entries(s).some(([k, v]) => !metadataIgnored.has(k) && isSet(v));
  if (!onlyNames || restricts) {
    errs.push(forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  return errs;
}

/** A JSONSchemaProps field that is not its zero value. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

const intOrStringAnyOf = (v: unknown) => {
  const list = asArray(v);
  const only = (x: unknown, type: string) => isObject(x) && Object.keys(x).length === 1 && x.type === type;
  return list.length === 2 && only(list[0], 'integer') && only(list[1], 'string');
};
const isIntOrStringAnyOf = (anyOf: unknown) => intOrStringAnyOf(anyOf);
const isIntOrStringAllOf = (s: Obj) => {
  const allOf = asArray(s.allOf);
  return allOf.length >= 1 && isObject(allOf[0]) && intOrStringAnyOf(allOf[0].anyOf);
};

function valueValidation(v: Obj, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string): Errors {
  const errs: Errors = [];
  if (!skipAnyOf) asArray(v.anyOf).forEach((x, i) => errs.push(...nested(asObject(x), false, lvl, index(child(path, 'anyOf'), i))));
  asArray(v.allOf).forEach((x, i) => errs.push(...nested(asObject(x), skipFirstAllOfAnyOf && i === 0, lvl, index(child(path, 'allOf'), i))));
  asArray(v.oneOf).forEach((x, i) => errs.push(...nested(asObject(x), false, lvl, index(child(path, 'oneOf'), i))));
  if (isObject(v.not)) errs.push(...nested(v.not, false, lvl, child(path, 'not')));
  return errs;
}

/** A schema inside allOf/anyOf/oneOf/not: it may only restrict values, never declare structure. */
function nested(v: Obj, skipAnyOf: boolean, lvl: Level, path: string): Errors {
  const errs: Errors = [...valueValidation(v, skipAnyOf, false, lvl, path)];
  if (isObject(v.items)) errs.push(...nested(v.items, false, lvl, child(path, 'items')));
  for (const [k, p] of Object.entries(properties(v))) errs.push(...nested(asObject(p), false, 'field', key(child(path, 'properties'), k)));
  if (str(v.type)) errs.push(forbidden(child(path, 'type'), 'must be empty to be structural'));
  // additionalProperties: false converts to nothing; true or a schema is structure.
  if (v.additionalProperties === true || isObject(v.additionalProperties)) errs.push(forbidden(child(path, 'additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined) errs.push(forbidden(child(path, 'default'), 'must be undefined to be structural'));
  if (str(v.title)) errs.push(forbidden(child(path, 'title'), 'must be empty to be structural'));
  if (str(v.description)) errs.push(forbidden(child(path, 'description'), 'must be empty to be structural'));
  if (v.nullable === true) errs.push(forbidden(child(path, 'nullable'), 'must be false to be structural'));
  if (v['x-kubernetes-preserve-unknown-fields'] === true) errs.push(forbidden(child(path, 'x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  if (v['x-kubernetes-embedded-resource'] === true) errs.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must be false to be structural'));
  if (v['x-kubernetes-int-or-string'] === true) errs.push(forbidden(child(path, 'x-kubernetes-int-or-string'), 'must be false to be structural'));
  if (asArray(v['x-kubernetes-list-map-keys']).length > 0) errs.push(forbidden(child(path, 'x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  if (has(v, 'x-kubernetes-list-type')) errs.push(forbidden(child(path, 'x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (has(v, 'x-kubernetes-map-type')) errs.push(forbidden(child(path, 'x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (asArray(v['x-kubernetes-validations']).length > 0) errs.push(forbidden(child(path, 'x-kubernetes-validations'), 'must be empty to be structural'));
  if (Object.hasOwn(properties(v), 'metadata')) errs.push(forbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

/** complete.go: what the root's value validations mention must exist in the structural schema. */
function completeness(s: Obj, path: string): Errors {
  return valueCompleteness(s, s, path, path);
}

function valueCompleteness(v: Obj, s: Obj | undefined, sPath: string, vPath: string): Errors {
  const errs: Errors = [];
  if (isObject(v.not)) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  for (const [name, list] of [['allOf', v.allOf], ['anyOf', v.anyOf], ['oneOf', v.oneOf]] as const) {
    asArray(list).forEach((x, i) => errs.push(...nestedCompleteness(asObject(x), s, sPath, index(child(vPath, name), i))));
  }
  return errs;
}

function nestedCompleteness(v: Obj, s: Obj | undefined, sPath: string, vPath: string): Errors {
  if (!s) return [required(sPath, `because it is defined in ${vPath}`)];
  const errs: Errors = [...valueCompleteness(v, s, sPath, vPath)];
  if (isObject(v.items)) errs.push(...nestedCompleteness(v.items, isObject(s.items) ? s.items : undefined, child(sPath, 'items'), child(vPath, 'items')));
  const structural = properties(s);
  for (const [k, p] of Object.entries(properties(v))) {
    const sp = structural[k];
    if (!isObject(sp)) errs.push(required(key(child(sPath, 'properties'), k), `because it is defined in ${key(child(vPath, 'properties'), k)}`));
    else errs.push(...nestedCompleteness(asObject(p), sp, key(child(sPath, 'properties'), k), key(child(vPath, 'properties'), k)));
  }
  return errs;
}
