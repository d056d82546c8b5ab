// CustomResourceDefinition validation (apiextensions-apiserver pkg/apis/apiextensions/validation:
// ValidateCustomResourceDefinition, ...Update). Upstream validates the internal type, which the
// v1 object converts to by moving a schema, subresources, printer columns or selectable fields
// that every version shares up to spec (validation, subresources, additionalPrinterColumns): so a
// one-version CRD's schema errors read "spec.validation.openAPIV3Schema...", its columns'
// "spec.additionalPrinterColumns[0]...". internalSpec does that move so the paths match.
import type { KubeObject } from '../object.js';
import { validateCustomResourceValidation, type SchemaOptions } from './apiextensions-schema.js';
import { isConvertible, validateStructural } from './apiextensions-structural.js';
import {
  hasValidConversionReviewVersionOrEmpty, validateAPIApproval, validateColumn, validateConversion, validateDeprecationWarning, validateEnum,
  validateNames, validateSelectableFields, validateStoredVersions, validateSubresources, type Conversion,
} from './apiextensions-parts.js';
import { asArray, asObject, asString, child, deepEqual, each, immutable, index, invalid, isObject, required, type Errors } from './field.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain, type NameValidator } from './names.js';
import { validateObjectMeta } from './objectmeta.js';

type Obj = Record<string, unknown>;

interface Version {
  raw: Obj;
  name: string;
  served: boolean;
  storage: boolean;
  schema?: unknown;
  subresources?: unknown;
  columns?: unknown[];
  selectableFields?: unknown[];
}

interface Spec {
  group: string;
  scope: string;
  names: Obj;
  versions: Version[];
  /** versions[0].name, which the internal type also carries as spec.version. */
  version: string;
  validation?: unknown;
  subresources?: unknown;
  columns?: unknown[];
  selectableFields?: unknown[];
  conversion?: Conversion;
  preserveUnknownFields: boolean;
}

interface Options extends SchemaOptions {
  requireOpenAPISchema: boolean;
  requireImmutableNames: boolean;
  requireRecognizedConversionReviewVersion: boolean;
}

const createOptions: Options = {
  requireOpenAPISchema: true,
  requireImmutableNames: false,
  requireRecognizedConversionReviewVersion: true,
  requireStructuralSchema: true,
  requireValidPropertyType: true,
  requireAtomicSetType: true,
  requireMapListKeysMapSetValidation: true,
};

type PerVersion = 'schema' | 'subresources' | 'columns' | 'selectableFields';

/** Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_CustomResourceDefinitionSpec. */
function internalSpec(raw: unknown): Spec {
  const spec = asObject(raw);
  const versions: Version[] = asArray(spec.versions).map((x) => {
    const v = asObject(x);
    return {
      raw: v,
      name: asString(v.name),
      served: v.served === true,
      storage: v.storage === true,
      schema: isObject(v.schema) ? v.schema : undefined,
      subresources: isObject(v.subresources) ? v.subresources : undefined,
      columns: Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : undefined,
      selectableFields: Array.isArray(v.selectableFields) ? v.selectableFields : undefined,
    };
  });
  const conversion = isObject(spec.conversion) ? spec.conversion : undefined;
  const webhook = conversion && isObject(conversion.webhook) ? conversion.webhook : undefined;
  const out: Spec = {
    group: asString(spec.group),
    scope: asString(spec.scope),
    names: asObject(spec.names),
    versions,
    version: versions[0]?.name ?? '',
    conversion: conversion && {
      strategy: asString(conversion.strategy),
      webhookClientConfig: webhook && isObject(webhook.clientConfig) ? webhook.clientConfig : undefined,
      conversionReviewVersions: asArray(webhook?.conversionReviewVersions),
    },
    preserveUnknownFields: spec.preserveUnknownFields === true,
  };
  if (versions.length === 0) return out;
  const hoist = (field: PerVersion, to: 'validation' | 'subresources' | 'columns' | 'selectableFields') => {
    const first = versions[0][field];
    if (!versions.every((v) => deepEqual(v[field], first))) return;
    (out as unknown as Obj)[to] = first;
    for (const v of versions) v[field] = undefined;
  };
  hoist('subresources', 'subresources');
  hoist('schema', 'validation');
  hoist('columns', 'columns');
  hoist('selectableFields', 'selectableFields');
  return out;
}

const openAPISchema = (validation: unknown): Obj | undefined => (isObject(validation) && isObject(validation.openAPIV3Schema) ? validation.openAPIV3Schema : undefined);
const hasStatus = (subresources: unknown) => isObject(subresources) && subresources.status !== undefined && subresources.status !== null;

/** Every openAPIV3Schema of the spec, top-level or per version. */
function schemasOf(spec: Spec): Obj[] {
  return [spec.validation, ...spec.versions.map((v) => v.schema)].map(openAPISchema).filter((s): s is Obj => s !== undefined);
}

/** SchemaHas: whether any node of the schema satisfies `pred`. */
function schemaHas(s: unknown, pred: (s: Obj) => boolean): boolean {
  if (!isObject(s)) return false;
  if (pred(s)) return true;
  const subs = [
    ...(Array.isArray(s.items) ? s.items : [s.items]), ...asArray(s.allOf), ...asArray(s.anyOf), ...asArray(s.oneOf), s.not,
    ...Object.values(asObject(s.properties)), s.additionalProperties, ...Object.values(asObject(s.patternProperties)), s.additionalItems,
    ...Object.values(asObject(s.definitions)), ...Object.values(asObject(s.dependencies)),
  ];
  return subs.some((x) => schemaHas(x, pred));
}

const specHas = (spec: Spec, pred: (s: Obj) => boolean) => schemasOf(spec).some((s) => schemaHas(s, pred));

const hasKubernetesExtensions = (s: Obj) =>
  s['x-kubernetes-embedded-resource'] === true || s['x-kubernetes-preserve-unknown-fields'] !== undefined || s['x-kubernetes-int-or-string'] === true ||
  asArray(s['x-kubernetes-list-map-keys']).length > 0 || s['x-kubernetes-list-type'] !== undefined || asArray(s['x-kubernetes-validations']).length > 0;

function validateSpec(spec: Spec, baseOpts: Options): Errors {
  const errs: Errors = [];
  const path = 'spec';
  if (!spec.group) errs.push(required('spec.group'));
  else if (isDNS1123Subdomain(spec.group).length) errs.push(invalid('spec.group', spec.group, isDNS1123Subdomain(spec.group).join(',')));
  else if (spec.group.split('.').length < 2) errs.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  errs.push(...validateEnum('spec.scope', spec.scope, ['Cluster', 'Namespaced']));

  const opts = { ...baseOpts };
  // Pruning (preserveUnknownFields false, the only choice in v1) needs structural schemas.
  if (!spec.preserveUnknownFields) opts.requireStructuralSchema = true;
  const versionsPath = child(path, 'versions');
  if (!openAPISchema(spec.validation)) {
    spec.versions.forEach((v, i) => {
      const schemaPath = child(index(versionsPath, i), 'schema', 'openAPIV3Schema');
      if (openAPISchema(v.schema)) return;
      if (opts.requireOpenAPISchema) errs.push(required(schemaPath, 'schemas are required'));
      else if (!spec.preserveUnknownFields && v.served) errs.push(required(schemaPath, 'because otherwise all fields are pruned'));
    });
  }
  if (specHas(spec, (s) => s.default !== undefined)) {
    opts.requireStructuralSchema = true;
    if (spec.preserveUnknownFields) errs.push(invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  }
  if (specHas(spec, hasKubernetesExtensions)) opts.requireStructuralSchema = true;

  let storageCount = 0;
  const seen = new Set<string>();
  let unique = true;
  const perVersionSubresources = spec.versions.some((v) => v.subresources !== undefined);
  spec.versions.forEach((v, i) => {
    if (v.storage) storageCount++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const at = index(versionsPath, i);
    const nameErrs = isDNS1035Label(v.name);
    if (nameErrs.length) errs.push(invalid(child(at, 'name'), v.name, nameErrs.join(',')));
    errs.push(...validateVersion(v, at, hasStatus(perVersionSubresources ? v.subresources : spec.subresources), opts));
  });
  const rawVersions = spec.versions.map((v) => v.raw);
  if (!unique) errs.push(invalid(versionsPath, rawVersions, 'must contain unique version names'));
  if (storageCount !== 1) errs.push(invalid(versionsPath, rawVersions, 'must have exactly one version marked as storage version'));
  if (spec.version && isDNS1035Label(spec.version).length) errs.push(invalid('spec.version', spec.version, isDNS1035Label(spec.version).join(',')));

  for (const n of ['plural', 'singular', 'kind', 'listKind']) if (!asString(spec.names[n])) errs.push(required(child(path, 'names', n)));
  errs.push(...validateNames(spec.names, 'spec.names'));
  const anyStatus = hasStatus(spec.subresources) || spec.versions.some((v) => hasStatus(v.subresources));
  errs.push(...validateCustomResourceValidation(spec.validation, anyStatus, opts, 'spec.validation'));
  errs.push(...validateSubresources(spec.subresources, 'spec.subresources'));
  (spec.columns ?? []).forEach((c, i) => errs.push(...validateColumn(c, index('spec.additionalPrinterColumns', i))));
  if (spec.selectableFields?.length) {
    const schema = openAPISchema(spec.validation);
    if (!isObject(spec.validation)) errs.push(invalid('spec.selectableFields', '', 'selectableFields may only be set when validations.schema is included'));
    else errs.push(...validateSelectableFields(spec.selectableFields, schema ?? {}, 'spec.selectableFields'));
  }
  if (spec.conversion && spec.conversion.strategy !== 'None' && spec.preserveUnknownFields) {
    errs.push(invalid('spec.conversion.strategy', spec.conversion.strategy, 'must be None if spec.preserveUnknownFields is true'));
  }
  errs.push(...validateConversion(spec.conversion, opts.requireRecognizedConversionReviewVersion, 'spec.conversion'));
  return errs;
}

function validateVersion(v: Version, path: string, statusEnabled: boolean, opts: Options): Errors {
  const errs: Errors = each(child(path, 'deprecationWarning'), v.raw.deprecationWarning ?? null, validateDeprecationWarning(v.raw.deprecated === true, v.raw.deprecationWarning));
  errs.push(...validateCustomResourceValidation(v.schema, statusEnabled, opts, child(path, 'schema')));
  errs.push(...validateSubresources(v.subresources, child(path, 'subresources')));
  (v.columns ?? []).forEach((c, i) => errs.push(...validateColumn(c, index(child(path, 'additionalPrinterColumns'), i))));
  if (v.selectableFields?.length) {
    const schema = openAPISchema(v.schema);
    if (!schema) errs.push(invalid(child(path, 'selectableFields'), '', 'selectableFields may only be set when version.schema.openAPIV3Schema is not included'));
    else errs.push(...validateSelectableFields(v.selectableFields, schema, child(path, 'selectableFields')));
  }
  return errs;
}

/** The CRD's name is its resource: plural.group, and a DNS subdomain. */
function crdNameValidator(spec: Spec): NameValidator {
  const wanted = `${asString(spec.names.plural)}.${spec.group}`;
  return (name, prefix) => {
    const errs = nameIsDNSSubdomain(name, prefix);
    return name === wanted ? errs : [...errs, 'must be spec.names.plural+"."+spec.group'];
  };
}

function statusOf(crd: KubeObject): Obj {
  return asObject((crd as Obj).status);
}

/** ValidateCustomResourceDefinition: metadata, spec, status names, stored versions, API approval. */
export function validateCustomResourceDefinition(crd: KubeObject): Errors {
  const spec = internalSpec((crd as Obj).spec);
  return [
    ...validateObjectMeta(crd.metadata, 'cluster', crdNameValidator(spec)),
    ...validateSpec(spec, createOptions),
    ...validateCustomResourceDefinitionStatus(crd),
    ...validateStoredVersions(statusOf(crd).storedVersions, spec.versions.map((v) => v.raw), 'status.storedVersions'),
    ...validateAPIApproval(spec.group, crd.metadata?.annotations),
    ...validatePreserveUnknownFields(crd, undefined),
  ];
}

/** ValidateCustomResourceDefinitionStatus: the names the controller accepted. */
export function validateCustomResourceDefinitionStatus(crd: KubeObject): Errors {
  return validateNames(statusOf(crd).acceptedNames, 'status.acceptedNames');
}

/**
 * ValidateCustomResourceDefinitionUpdate without its ObjectMeta update rules (validateObjectUpdate
 * applies those to every kind). What the old object already had is not refused again: a schema
 * missing, non-structural, or with invalid types stays allowed, as upstream ratchets it.
 */
export function validateCustomResourceDefinitionUpdate(crd: KubeObject, old: KubeObject): Errors {
  const spec = internalSpec((crd as Obj).spec);
  const oldSpec = internalSpec((old as Obj).spec);
  const opts: Options = {
    requireOpenAPISchema: !oldSpec.versions.some((v) => !openAPISchema(v.schema)) || openAPISchema(oldSpec.validation) !== undefined,
    requireImmutableNames: isEstablished(old),
    requireRecognizedConversionReviewVersion: !oldSpec.conversion || hasValidConversionReviewVersionOrEmpty(oldSpec.conversion.conversionReviewVersions),
    requireStructuralSchema: !schemasOf(oldSpec).some((s) => !isConvertible(s) || validateStructural(s, '').length > 0),
    requireValidPropertyType: !specHas(oldSpec, (s) => typeof s.type === 'string' && s.type !== '' && !['array', 'boolean', 'integer', 'number', 'object', 'string'].includes(s.type)),
    requireAtomicSetType: !specHas(oldSpec, hasNonAtomicSetItems),
    requireMapListKeysMapSetValidation: !specHas(oldSpec, hasInvalidMapListKeys),
  };
  const errs = validateSpec(spec, opts);
  if (opts.requireImmutableNames) {
    // These decide how objects are stored.
    errs.push(...immutable(spec.scope, oldSpec.scope, 'spec.scope'));
    errs.push(...immutable(asString(spec.names.kind), asString(oldSpec.names.kind), 'spec.names.kind'));
  }
  // These make the resource's name, which never changes.
  errs.push(...immutable(spec.group, oldSpec.group, 'spec.group'));
  errs.push(...immutable(asString(spec.names.plural), asString(oldSpec.names.plural), 'spec.names.plural'));
  errs.push(...validateCustomResourceDefinitionStatus(crd));
  errs.push(...validateStoredVersions(statusOf(crd).storedVersions, spec.versions.map((v) => v.raw), 'status.storedVersions'));
  errs.push(...validateAPIApproval(spec.group, crd.metadata?.annotations, old.metadata?.annotations ?? {}));
  errs.push(...validatePreserveUnknownFields(crd, old));
  return errs;
}

function isEstablished(crd: KubeObject): boolean {
  return asArray(statusOf(crd).conditions).some((c) => isObject(c) && c.type === 'Established' && c.status === 'True');
}

/** spec.preserveUnknownFields may stay true on CRDs that had it, never become true. */
function validatePreserveUnknownFields(crd: KubeObject, old: KubeObject | undefined): Errors {
  if (old && asObject((old as Obj).spec).preserveUnknownFields === true) return [];
  if (asObject((crd as Obj).spec).preserveUnknownFields !== true) return [];
  return [invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead')];
}

function hasNonAtomicSetItems(s: Obj): boolean {
  if (s['x-kubernetes-list-type'] !== 'set' || !isObject(s.items)) return false;
  const items = s.items;
  if (items.type === 'array') return items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic';
  if (items.type === 'object') return items['x-kubernetes-map-type'] !== 'atomic';
  return false;
}

function hasInvalidMapListKeys(s: Obj): boolean {
  const listType = s['x-kubernetes-list-type'];
  if (!isObject(s.items) || (listType !== 'set' && listType !== 'map')) return false;
  const items = s.items;
  if (items.nullable === true) return true;
  if (listType !== 'map') return false;
  const req = new Set(asArray(items.required));
  return asArray(s['x-kubernetes-list-map-keys']).some((k) => {
    const p = asObject(items.properties)[asString(k)];
    return isObject(p) && ((!req.has(k) && p.default === undefined) || p.nullable === true);
  });
}
