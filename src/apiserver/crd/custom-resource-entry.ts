// A served version of a CustomResourceDefinition as a registry entry: the resource table row from
// the CRD's accepted names, a strategy from its schema (defaults, validation), its printer
// columns, and storage shared by every version (upstream: apiextensions-apiserver's
// customresource registry). With the "None" conversion, reading or writing another version only
// rewrites apiVersion; with "Webhook", the CRD's conversion webhook converts, and what it returns
// is pruned to the target version's schema (and defaulted, on reads) as upstream's
// schemaCoercingConverter does.
import { isDeepStrictEqual } from 'node:util';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1.js';
import type { JSONSchemaProps } from '../../api/crd/json-schema-props.js';
import type { KubeObject } from '../../api/object.js';
import { copyJson } from '../../api/json-copy.js';
import type { ResourceType, SubresourceType } from '../../api/resource.js';
import { allVerbs } from '../../api/resource.js';
import type { ObjectNode } from '../../api/schema.js';
import { StatusError } from '../../api/status.js';
import { schemaFromJSONSchemaProps } from '../../api/openapi/schema-nodes.js';
import { printerForCRD } from '../../api/printers/index.js';
import { evaluateJSONPath } from '../../api/jsonpath.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/index.js';
import { nameIsDNSSubdomain } from '../../api/validation/names.js';
import { validateAgainstSchema } from '../../api/crd/schema-validation.js';
import { applySchemaDefaults, pruneNonNullableNullsWithoutDefaults } from '../../api/crd/defaulting.js';
import { validateCELRules } from '../../api/crd/cel-validation.js';
import { usesCEL } from '../../api/cel/library.js';
import type { FieldError } from '../../api/status.js';
import { storagePrefix, type ResourceEntry } from '../registry/resource-entry.js';
import { storageVersionOf } from './crd-status.js';
import { ConversionError, gvkText, type ConversionWebhook } from './conversion-webhook.js';
import { normalizeDecodedFields } from '../../api/decoded-fields.js';

export interface CustomResourceEntryOptions {
  /** Whether the CRD is being deleted now (creates are refused then); read on every create. */
  terminating(): boolean;
  /** The CRD's conversion webhook (spec.conversion.strategy Webhook). */
  webhook?: ConversionWebhook;
}

function subresourcesOf(group: string, v: CustomResourceDefinitionVersion, kind: string): SubresourceType[] {
  const out: SubresourceType[] = [];
  const verbs: SubresourceType['verbs'] = ['get', 'patch', 'update'];
  if (v.subresources?.status) out.push({ name: 'status', group, version: v.name, kind, verbs });
  if (v.subresources?.scale) out.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs });
  return out;
}

/** The entry of one version, named by the CRD's accepted names (status.acceptedNames). */
export function customResourceEntry(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion, opts: CustomResourceEntryOptions): ResourceEntry {
  const group = crd.spec.group;
  const names = crd.status?.acceptedNames ?? crd.spec.names;
  const kind = names.kind;
  const namespaced = crd.spec.scope === 'Namespaced';
  const type: ResourceType = {
    group,
    version: v.name,
    kind,
    listKind: names.listKind ?? `${kind}List`,
    plural: names.plural,
    singular: names.singular ?? kind.toLowerCase(),
    namespaced,
    verbs: allVerbs,
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
    ...(names.categories?.length ? { categories: names.categories } : {}),
    subresources: subresourcesOf(group, v, kind),
  };
  const props = v.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
  const schemaOf = lazySchema(props);
  const apiVersion = `${group}/${v.name}`;
  const storedAs = `${group}/${storageVersionOf(crd) ?? v.name}`;
  const scope = namespaced ? 'namespaced' : 'cluster';
  const hasStatus = type.subresources.some((s) => s.name === 'status');
  const rules = props !== undefined && usesCEL(props);
  const validate = (obj: KubeObject): FieldError[] => {
    const errs = [...validateObjectMeta(obj.metadata, scope, nameIsDNSSubdomain), ...(props ? validateAgainstSchema(obj, props) : [])];
    // A create has no resourceVersion yet: optionalOldSelf rules then run with oldSelf = none.
    if (rules) errs.push(...celUnlessBlocked(errs, () => validateCELRules(obj, props, { rules: 'plain', creating: !obj.metadata?.resourceVersion })));
    return errs;
  };
  // Transition rules (those naming oldSelf) compare the update with the object it replaces.
  const validateUpdate = (obj: KubeObject, old: KubeObject): FieldError[] => {
    const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
    if (rules && !blocking(validateAgainstSchema(obj, props))) errs.push(...validateCELRules(obj, props, { rules: 'transition', old }));
    return errs;
  };
  return {
    type,
    gr: { group, resource: names.plural },
    prefix: storagePrefix(group, names.plural),
    hasStatus,
    // Every custom resource counts spec changes in metadata.generation.
    tracksGeneration: true,
    ...(v.selectableFields?.length ? { selectableFields: selectableFieldsOf(v.selectableFields) } : {}),
    custom: { crd: crd.metadata?.name ?? '', openAPIV3Schema: props as object | undefined, ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}) },
    schema: schemaOf,
    // Objects of every version live under one prefix at the storage version. As upstream, what
    // is read is defaulted too: objects stored before the schema had a default get it.
    ...(opts.webhook
      ? { convertAsync: webhookConversions(crd, v, opts.webhook, storedAs, props, schemaOf) }
      : {
          // Without a webhook, reading through another version only relabels.
          convert: {
            toStorage: (obj: KubeObject) => relabel(obj, storedAs),
            fromStorage: props && hasDefaults(props) ? defaultedOnRead(props, apiVersion) : (obj: KubeObject) => relabel(obj, apiVersion),
          },
        }),
    strategy: {
      // Upstream's decoder drops nulls the schema does not allow, then applies defaults.
      defaults: props
        ? (obj) => {
            pruneNonNullableNullsWithoutDefaults(obj, props);
            applySchemaDefaults(obj, props);
          }
        : undefined,
      prepareForCreate: (obj) => {
        if (opts.terminating()) {
          throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', { group, kind: names.plural });
        }
        // With a status subresource, status is written only through it.
        if (hasStatus) delete obj.status;
      },
      validate,
      validateUpdate,
      printer: printerForCRD(v.additionalPrinterColumns, evaluateJSONPath),
    },
  };
}

/**
 * Schema errors that keep CEL rules from running (upstream's hasBlockingErr): a value of the
 * wrong type, a missing or unsupported one, or one too long or too many. The rules' inputs are
 * then not what they were written for.
 */
function blocking(errs: FieldError[]): boolean {
  return errs.some((e) => e.type === 'FieldValueNotSupported' || e.type === 'FieldValueRequired' || e.type === 'FieldValueTooLong' || e.type === 'FieldValueTooMany' || e.type === 'FieldValueTypeInvalid');
}

function celUnlessBlocked(errs: FieldError[], run: () => FieldError[]): FieldError[] {
  if (!blocking(errs)) return run();
  return [{ type: 'FieldValueInvalid', field: '<nil>', value: null, detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }];
}

/**
 * A selectable field is named by its path without the leading dot; its value is the scalar
 * there as text (upstream allows only string, integer and boolean fields), "" when absent.
 */
function selectableFieldsOf(fields: { jsonPath: string }[]): Record<string, (obj: KubeObject) => string> {
  const out: Record<string, (obj: KubeObject) => string> = {};
  for (const f of fields) {
    out[f.jsonPath.replace(/^\./, '')] = (obj) => {
      const v = evaluateJSONPath(obj, f.jsonPath)[0];
      return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
    };
  }
  return out;
}

/**
 * Reads through a schema with defaults: each stored object (shared, never changed) is defaulted
 * on a copy once, remembered while the object lives; an object the defaults leave as it was is
 * served itself, with the JSON its write kept.
 */
function defaultedOnRead(props: JSONSchemaProps, apiVersion: string): (obj: KubeObject) => KubeObject {
  const seen = new WeakMap<KubeObject, KubeObject>();
  return (obj) => {
    let read = seen.get(obj);
    if (read === undefined) {
      const copy = copyJson(obj);
      applySchemaDefaults(copy, props);
      read = relabel(isDeepStrictEqual(copy, obj) ? obj : copy, apiVersion);
      seen.set(obj, read);
    }
    return read;
  };
}

/**
 * Conversions through the CRD's webhook between this version and the storage version. Converted
 * objects are pruned to their version's schema; reads are defaulted as well (upstream defaults
 * when it decodes). A failed conversion is upstream's plain error: 500 with its message.
 */
function webhookConversions(
  crd: CustomResourceDefinition,
  v: CustomResourceDefinitionVersion,
  webhook: ConversionWebhook,
  storedAs: string,
  props: JSONSchemaProps | undefined,
  schemaOf: () => ObjectNode | undefined,
): NonNullable<ResourceEntry['convertAsync']> {
  const apiVersion = `${crd.spec.group}/${v.name}`;
  const kind = (crd.status?.acceptedNames ?? crd.spec.names).kind;
  const listKind = (crd.status?.acceptedNames ?? crd.spec.names).listKind ?? `${kind}List`;
  const storageProps = crd.spec.versions.find((x) => `${crd.spec.group}/${x.name}` === storedAs)?.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
  const storageSchemaOf = lazySchema(storageProps);
  const readDefaults = props && hasDefaults(props) ? defaultedOnRead(props, apiVersion) : (obj: KubeObject) => obj;
  const converted = async (objects: readonly KubeObject[], gvk: string, list: boolean, to: string): Promise<KubeObject[]> => {
    try {
      return await webhook.convert({ objects: [...objects], gvk, list }, to);
    } catch (err) {
      if (err instanceof ConversionError) throw new StatusError(500, '', err.message);
      throw err;
    }
  };
  return {
    toStorage: async (obj) => {
      const [stored] = await converted([obj], gvkText(obj.apiVersion ?? apiVersion, kind), false, storedAs);
      if (stored !== obj) normalizeDecodedFields(stored, storageSchemaOf(), false);
      return stored;
    },
    fromStorage: async (objs, list) => {
      const gvk = list ? gvkText(apiVersion, listKind) : gvkText(objs[0]?.apiVersion ?? storedAs, kind);
      const out = await converted(objs, gvk, list, apiVersion);
      return out.map((o, i) => {
        if (o === objs[i]) return readDefaults(o);
        // A fresh object from the webhook's JSON: pruned and defaulted in place.
        normalizeDecodedFields(o, schemaOf(), false);
        if (props) {
          pruneNonNullableNullsWithoutDefaults(o, props);
          applySchemaDefaults(o, props);
        }
        return o;
      });
    },
  };
}

function lazySchema(props: JSONSchemaProps | undefined): () => ObjectNode | undefined {
  let schema: ObjectNode | undefined;
  let known = false;
  return () => {
    if (!known) {
      schema = props ? (schemaFromJSONSchemaProps(props) as ObjectNode) : undefined;
      known = true;
    }
    return schema;
  };
}

function hasDefaults(props: JSONSchemaProps): boolean {
  return anyNode(props, (p) => p.default !== undefined);
}

/** Whether any node of the schema satisfies `test` (properties, items, map values). */
function anyNode(p: JSONSchemaProps, test: (p: JSONSchemaProps) => boolean): boolean {
  if (test(p)) return true;
  const subs = [...Object.values(p.properties ?? {}), ...(p.items && !Array.isArray(p.items) ? [p.items] : []), ...(typeof p.additionalProperties === 'object' ? [p.additionalProperties] : [])];
  return subs.some((sub) => anyNode(sub, test));
}

function relabel(obj: KubeObject, apiVersion: string): KubeObject {
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}
