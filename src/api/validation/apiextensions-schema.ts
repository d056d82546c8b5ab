// Validation of a CRD's openAPIV3Schema (apiextensions validation.go:
// validateCustomResourceDefinitionValidation, ValidateCustomResourceDefinitionOpenAPISchema and
// specStandardValidatorV3): the root rules with the status subresource, structural-schema rules
// (apiextensions-structural.ts), then a walk of every node for unsupported keywords, defaults
// where they cannot apply, and the x-kubernetes-* extensions; x-kubernetes-validations rules must
// parse. Not done: type checking and cost estimates of those rules, fieldPath resolution, and
// checking defaults against the schema.
import { asArray, asObject, child, forbidden, index, invalid, isObject, key, notSupported, required, type Errors } from './field.js';
import { isConvertible, validateStructural } from './apiextensions-structural.js';
import { celSyntaxError } from '../crd/cel-validation.js';

type Obj = Record<string, unknown>;

export interface SchemaOptions {
  requireStructuralSchema: boolean;
  requireValidPropertyType: boolean;
  requireAtomicSetType: boolean;
  requireMapListKeysMapSetValidation: boolean;
}

/** What the walk knows about where it is: defaults allowed, inside ObjectMeta or TypeMeta. */
interface Walk {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

const openAPIV3Types = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const metaFields = new Set(['metadata', 'kind', 'apiVersion']);
const validationReasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/** JSONSchemaProps fields in Go struct order, with the Go names the root rule's message lists. */
const rootFields: [json: string, go: string][] = [
  ['id', 'ID'], ['$schema', 'Schema'], ['$ref', 'Ref'], ['description', 'Description'], ['type', 'Type'], ['nullable', 'Nullable'],
  ['format', 'Format'], ['title', 'Title'], ['default', 'Default'], ['maximum', 'Maximum'], ['exclusiveMaximum', 'ExclusiveMaximum'],
  ['minimum', 'Minimum'], ['exclusiveMinimum', 'ExclusiveMinimum'], ['maxLength', 'MaxLength'], ['minLength', 'MinLength'],
  ['pattern', 'Pattern'], ['maxItems', 'MaxItems'], ['minItems', 'MinItems'], ['uniqueItems', 'UniqueItems'], ['multipleOf', 'MultipleOf'],
  ['enum', 'Enum'], ['maxProperties', 'MaxProperties'], ['minProperties', 'MinProperties'], ['required', 'Required'], ['items', 'Items'],
  ['allOf', 'AllOf'], ['oneOf', 'OneOf'], ['anyOf', 'AnyOf'], ['not', 'Not'], ['properties', 'Properties'],
  ['additionalProperties', 'AdditionalProperties'], ['patternProperties', 'PatternProperties'], ['dependencies', 'Dependencies'],
  ['additionalItems', 'AdditionalItems'], ['definitions', 'Definitions'], ['externalDocs', 'ExternalDocs'], ['example', 'Example'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'], ['x-kubernetes-embedded-resource', 'XEmbeddedResource'],
  ['x-kubernetes-int-or-string', 'XIntOrString'], ['x-kubernetes-list-map-keys', 'XListMapKeys'], ['x-kubernetes-list-type', 'XListType'],
  ['x-kubernetes-map-type', 'XMapType'], ['x-kubernetes-validations', 'XValidations'],
];
const allowedAtRoot = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength', 'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties', 'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations'];

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const has = (s: Obj, k: string) => s[k] !== undefined && s[k] !== null;
/** JSONSchemaProps fields that are pointers in Go: set even when false or "". */
const pointerFields = new Set(['$ref', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-map-type']);
/** Go's zero-value test for a JSONSchemaProps field read from JSON. */
const isZero = (json: string, v: unknown) => v === undefined || v === null || (!pointerFields.has(json) && (v === false || v === ''));

/** validateCustomResourceDefinitionValidation: `validation` is {openAPIV3Schema}, at `path` (…schema or spec.validation). */
export function validateCustomResourceValidation(validation: unknown, statusEnabled: boolean, opts: SchemaOptions, path: string): Errors {
  if (!isObject(validation) || !isObject(validation.openAPIV3Schema)) return [];
  const schema = validation.openAPIV3Schema;
  const schemaPath = child(path, 'openAPIV3Schema');
  const errs: Errors = [];
  if (statusEnabled) errs.push(...rootWithStatus(schema, path));
  if (schema.nullable === true) errs.push(forbidden(child(path, 'openAPIV3Schema.nullable'), 'nullable cannot be true at the root'));
  if (opts.requireStructuralSchema && isConvertible(schema)) errs.push(...validateStructural(schema, schemaPath));
  errs.push(...validateOpenAPISchema(schema, schemaPath, { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false }, true, opts));
  return errs;
}

/** With a status subresource, status's schema is cut out of properties, so the root may not validate more. */
function rootWithStatus(schema: Obj, path: string): Errors {
  for (const [json, go] of rootFields) {
    if (isZero(json, schema[json])) continue;
    if (go === 'Type') {
      if (schema.type !== 'object') return [invalid(child(path, 'openAPIV3Schema.type'), schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      continue;
    }
    if (!allowedAtRoot.includes(go)) {
      return [invalid(child(path, 'openAPIV3Schema'), schema, `only [${allowedAtRoot.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

function validateOpenAPISchema(s: Obj, path: string, w: Walk, isRoot: boolean, opts: SchemaOptions): Errors {
  const errs: Errors = [...standard(s, path, w, opts)];
  if (s.uniqueItems === true) errs.push(forbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));

  const props = asObject(s.properties);
  const nProps = Object.keys(props).length;
  if (has(s, 'additionalProperties')) {
    if (nProps > 0 && (s.additionalProperties === false || isObject(s.additionalProperties))) {
      errs.push(forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = w.insideResourceMeta ? forbidDefaults(w, 'inside additionalProperties applying to object metadata') : w;
    if (isObject(s.additionalProperties)) errs.push(...validateOpenAPISchema(s.additionalProperties, child(path, 'additionalProperties'), sub, false, opts));
  }
  for (const [name, p] of Object.entries(props)) {
    let sub = w;
    if ((isRoot || s['x-kubernetes-embedded-resource'] === true) && metaFields.has(name)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = forbidDefaults(sub, `in top-level ${name}`);
    }
    errs.push(...validateOpenAPISchema(asObject(p), key(child(path, 'properties'), name), sub, false, opts));
  }
  if (isObject(s.not)) errs.push(...validateOpenAPISchema(s.not, child(path, 'not'), w, false, opts));
  for (const junctor of ['allOf', 'oneOf', 'anyOf']) {
    asArray(s[junctor]).forEach((x, i) => errs.push(...validateOpenAPISchema(asObject(x), index(child(path, junctor), i), w, false, opts)));
  }
  for (const [name, d] of Object.entries(asObject(s.definitions))) errs.push(...validateOpenAPISchema(asObject(d), key(child(path, 'definitions'), name), w, false, opts));
  if (isObject(s.items)) errs.push(...validateOpenAPISchema(s.items, child(path, 'items'), w, false, opts));
  if (Array.isArray(s.items)) s.items.forEach((x, i) => errs.push(...validateOpenAPISchema(asObject(x), index(child(path, 'items'), i), w, false, opts)));
  for (const [name, d] of Object.entries(asObject(s.dependencies))) {
    if (isObject(d)) errs.push(...validateOpenAPISchema(d, key(child(path, 'dependencies'), name), w, false, opts));
  }
  errs.push(...extensions(s, path, opts));
  return errs;
}

const forbidDefaults = (w: Walk, reason: string): Walk => ({ ...w, allowDefaults: false, disallowDefaultsReason: reason });

/** specStandardValidatorV3.validate: keywords OpenAPI v3 has but Kubernetes does not support. */
function standard(s: Obj, path: string, w: Walk, opts: SchemaOptions): Errors {
  const errs: Errors = [];
  const type = str(s.type);
  if (opts.requireValidPropertyType && type && !openAPIV3Types.includes(type)) errs.push(notSupported(child(path, 'type'), type, openAPIV3Types));
  if (s.default !== undefined && !w.allowDefaults) {
    errs.push(forbidden(child(path, 'default'), w.disallowDefaultsReason ? `must not be set ${w.disallowDefaultsReason}` : 'must not be set'));
  }
  if (str(s.id)) errs.push(forbidden(child(path, 'id'), 'id is not supported'));
  if (has(s, 'additionalItems')) errs.push(forbidden(child(path, 'additionalItems'), 'additionalItems is not supported'));
  if (Object.keys(asObject(s.patternProperties)).length) errs.push(forbidden(child(path, 'patternProperties'), 'patternProperties is not supported'));
  if (Object.keys(asObject(s.definitions)).length) errs.push(forbidden(child(path, 'definitions'), 'definitions is not supported'));
  if (has(s, 'dependencies')) errs.push(forbidden(child(path, 'dependencies'), 'dependencies is not supported'));
  if (has(s, '$ref')) errs.push(forbidden(child(path, '$ref'), '$ref is not supported'));
  if (type === 'null') errs.push(forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length) errs.push(forbidden(child(path, 'items'), 'items must be a schema object and not an array'));
  if (w.insideResourceMeta && s['x-kubernetes-embedded-resource'] === true) errs.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
  return errs;
}

/** The x-kubernetes-* extensions' own rules. */
function extensions(s: Obj, path: string, opts: SchemaOptions): Errors {
  const errs: Errors = [];
  const type = str(s.type);
  const listType = has(s, 'x-kubernetes-list-type') ? str(s['x-kubernetes-list-type']) : undefined;
  const mapType = has(s, 'x-kubernetes-map-type') ? str(s['x-kubernetes-map-type']) : undefined;
  const mapKeys = asArray(s['x-kubernetes-list-map-keys']).map(str);
  const items = isObject(s.items) ? s.items : undefined;

  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  if (mapType !== undefined && type !== 'object') {
    errs.push(type ? invalid(child(path, 'type'), type, 'must be object if x-kubernetes-map-type is specified') : required(child(path, 'type'), 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  if (listType !== undefined && type !== 'array') {
    errs.push(type ? invalid(child(path, 'type'), type, 'must be array if x-kubernetes-list-type is specified') : required(child(path, 'type'), 'must be array if x-kubernetes-list-type is specified'));
  } else if (opts.requireAtomicSetType && listType === 'set' && items) {
    const itemListType = has(items, 'x-kubernetes-list-type') ? str(items['x-kubernetes-list-type']) : undefined;
    if (items.type === 'array' && itemListType !== undefined && itemListType !== 'atomic') {
      errs.push(invalid(child(child(path, 'items'), 'x-kubernetes-list-type'), itemListType, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      // Upstream reports the item's list type here (null), not its map type.
      errs.push(invalid(child(child(path, 'items'), 'x-kubernetes-map-type'), itemListType ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') errs.push(notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  if (mapKeys.length > 0) {
    if (listType === undefined) errs.push(required(child(path, 'x-kubernetes-list-type'), 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(invalid(child(path, 'x-kubernetes-list-type'), listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'map') errs.push(...listMap(s, path, mapKeys));
  if (opts.requireMapListKeysMapSetValidation) errs.push(...mapListKeysMapSet(s, path, listType, mapKeys));
  errs.push(...celRules(s, path));
  return errs;
}

function listMap(s: Obj, path: string, mapKeys: string[]): Errors {
  const errs: Errors = [];
  if (mapKeys.length === 0) errs.push(required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
  if (!has(s, 'items')) errs.push(required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
  if (Array.isArray(s.items)) errs.push(invalid(child(path, 'items'), s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
  if (!isObject(s.items)) return errs;
  const items = s.items;
  if (items.type !== 'object') {
    errs.push(invalid(child(child(path, 'items'), 'type'), str(items.type), "must be object if parent array's x-kubernetes-list-type is map"));
    return errs;
  }
  const seen = new Set<string>();
  const itemProps = asObject(items.properties);
  for (const k of mapKeys) {
    const p = itemProps[k];
    if (isObject(p)) {
      if (p.type === 'array' || p.type === 'object') {
        errs.push(invalid(child(key(child(child(path, 'items'), 'properties'), k), 'type'), str(items.type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
      }
    } else {
      errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'entries must all be names of item properties'));
    }
    if (seen.has(k)) errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'must not contain duplicate entries'));
    seen.add(k);
  }
  return errs;
}

/** validateMapListKeysMapSet: items of sets and maps are never null; map keys always have a value. */
function mapListKeysMapSet(s: Obj, path: string, listType: string | undefined, mapKeys: string[]): Errors {
  if (!isObject(s.items) || (listType !== 'set' && listType !== 'map')) return [];
  const items = s.items;
  const errs: Errors = [];
  if (items.nullable === true) errs.push(forbidden(child(child(path, 'items'), 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  if (listType !== 'map') return errs;
  const requiredKeys = new Set(asArray(items.required).map(str));
  const itemProps = asObject(items.properties);
  for (const k of mapKeys) {
    const p = itemProps[k];
    if (!isObject(p)) continue;
    const at = key(child(child(path, 'items'), 'properties'), k);
    if (!requiredKeys.has(k) && p.default === undefined) errs.push(required(child(at, 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
    if (p.nullable === true) errs.push(forbidden(child(at, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
  }
  return errs;
}

const hasNewlines = (s: string) => /[\n\r]/.test(s);

/** x-kubernetes-validations: the shape of each rule, and that its CEL parses (it is not type-checked). */
function celRules(s: Obj, path: string): Errors {
  const errs: Errors = [];
  asArray(s['x-kubernetes-validations']).forEach((raw, i) => {
    const rule = asObject(raw);
    const at = index(child(path, 'x-kubernetes-validations'), i);
    const text = str(rule.rule).trim();
    const message = str(rule.message);
    const msg = message.trim();
    if (!text) errs.push(required(child(at, 'rule'), 'rule is not specified'));
    else if (message && !msg) errs.push(invalid(child(at, 'message'), message, 'must be non-empty if specified'));
    else if (hasNewlines(msg)) errs.push(invalid(child(at, 'message'), message, 'must not contain line breaks'));
    else if (hasNewlines(text) && !msg) errs.push(required(child(at, 'message'), 'message must be specified if rule contains line breaks'));
    const syntax = text ? celSyntaxError(text) : undefined;
    if (syntax) errs.push(invalid(child(at, 'rule'), text, `compilation failed: ${syntax}`));
    const messageExpression = str(rule.messageExpression);
    if (messageExpression && !messageExpression.trim()) errs.push(required(child(at, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    const messageSyntax = messageExpression.trim() ? celSyntaxError(messageExpression) : undefined;
    if (messageSyntax) errs.push(invalid(child(at, 'messageExpression'), messageExpression, `messageExpression compilation failed: ${messageSyntax}`));
    if (has(rule, 'reason') && !validationReasons.includes(str(rule.reason))) errs.push(notSupported(child(at, 'reason'), rule.reason, validationReasons));
    const fieldPath = str(rule.fieldPath);
    if (fieldPath && !fieldPath.trim()) errs.push(invalid(child(at, 'fieldPath'), fieldPath, 'must be non-empty if specified'));
    if (hasNewlines(fieldPath)) errs.push(invalid(child(at, 'fieldPath'), fieldPath, 'must not contain line breaks'));
  });
  return errs;
}
