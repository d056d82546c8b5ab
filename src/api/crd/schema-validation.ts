// Validation of a custom resource against its CRD version's openAPIV3Schema, as the apiextensions
// API server does it: kube-openapi's schema validator, its errors turned into field errors the
// way kubeOpenAPIResultToFieldErrors does (pkg/apiserver/validation/validation.go), then the
// x-kubernetes-list-type uniqueness checks. So `kubectl apply` shows upstream's words, e.g.
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
//
// The whole object is validated, apiVersion, kind and metadata included, as upstream does: a
// structural schema may only constrain metadata.name and metadata.generateName, and ObjectMeta
// validation (the caller's) covers the rest.
//
// x-kubernetes-preserve-unknown-fields changes nothing here: the schema validator allows fields
// it does not know anyway; the extension only tells pruning what to keep.
//
// Not done here: x-kubernetes-validations (CEL rules: cel-validation.ts); x-kubernetes-embedded-resource
// objects do not get their apiVersion/kind/metadata checked; patternProperties is not evaluated
// (CRD schemas may not use it); pruning of unknown fields is the caller's. Validation ratcheting
// (errors on unchanged fields of an update forgiven) is not implemented: every error counts.
import type { FieldError } from '../status.js';
import { invalid, isObject, notSupported, tooLong, tooMany, typeInvalid } from '../validation/field.js';
import type { JSONSchemaProps } from './json-schema-props.js';
import { validateListSetsAndMaps } from './list-type-validation.js';
import type { OpenAPIError } from './openapi-errors.js';
import { validateNode } from './openapi-validator.js';

export type { JSONSchemaProps } from './json-schema-props.js';

export interface SchemaValidationOptions {
  /** Field path of obj inside what the user sent ('' for a whole custom resource). Errors that
   *  name no field (anyOf, oneOf, allOf, not) are reported at this path, or at "<nil>" when it
   *  is empty, as upstream does. */
  path?: string;
}

/** Validates obj (decoded JSON) against schema; an empty list means valid. */
export function validateAgainstSchema(obj: unknown, schema: JSONSchemaProps, opts: SchemaValidationOptions = {}): FieldError[] {
  const base = opts.path ?? '';
  const errs = validateNode(schema, obj, '').errors.map((e) => toFieldError(e, base));
  if (isObject(obj)) errs.push(...validateListSetsAndMaps(base, schema, obj));
  return errs;
}

/** kubeOpenAPIResultToFieldErrors for one error. A nil field path prints as "<nil>" in Go. */
function toFieldError(e: OpenAPIError, base: string): FieldError {
  const nilPath = base === '' ? '<nil>' : base;
  if (e.code === 'composite') return invalid(nilPath, '', e.message);
  const name = e.name.startsWith('.') ? e.name.slice(1) : e.name;
  const field = name === '' ? nilPath : base === '' ? name : `${base}.${name}`;
  // Go's nil is printed as "" by every branch but Unsupported, which prints null.
  const value = e.value === undefined || e.value === null ? '' : e.value;
  switch (e.code) {
    case 'required':
      return { type: 'FieldValueRequired', field, detail: '' };
    case 'enum':
      return notSupported(field, e.value ?? null, (e.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    case 'tooLong':
      return tooLong(field, e.valid ?? -1);
    case 'maxItems':
    case 'tooManyProperties':
      return tooMany(field, typeof e.value === 'number' ? e.value : -1, e.valid ?? -1);
    case 'invalidType':
      return typeInvalid(field, value, e.message);
    default:
      return invalid(field, value, e.message);
  }
}
