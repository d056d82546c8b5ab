// A served version of a CustomResourceDefinition as a registry entry: the resource table row from
// the CRD's accepted names, a strategy from its schema (defaults, validation), its printer
// columns, and storage shared by every version (upstream: apiextensions-apiserver's
// customresource registry with the "None" conversion, which only rewrites apiVersion).
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1.js';
import type { KubeObject } from '../../api/object.js';
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
import { storagePrefix, type ResourceEntry } from '../registry/resource-entry.js';
import { storageVersionOf } from './crd-status.js';

export interface CustomResourceEntryOptions {
  /** Whether the CRD is being deleted now (creates are refused then); read on every create. */
  terminating(): boolean;
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
  const props = v.schema?.openAPIV3Schema;
  let schema: ObjectNode | undefined;
  let schemaKnown = false;
  const apiVersion = `${group}/${v.name}`;
  const storedAs = `${group}/${storageVersionOf(crd) ?? v.name}`;
  const scope = namespaced ? 'namespaced' : 'cluster';
  const hasStatus = type.subresources.some((s) => s.name === 'status');
  const validate = (obj: KubeObject) => [...validateObjectMeta(obj.metadata, scope, nameIsDNSSubdomain), ...(props ? validateAgainstSchema(obj, props) : [])];
  return {
    type,
    gr: { group, resource: names.plural },
    prefix: storagePrefix(group, names.plural),
    hasStatus,
    // Every custom resource counts spec changes in metadata.generation.
    tracksGeneration: true,
    custom: { crd: crd.metadata?.name ?? '', openAPIV3Schema: props as object | undefined, ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}) },
    schema: () => {
      if (!schemaKnown) {
        schema = props ? (schemaFromJSONSchemaProps(props) as ObjectNode) : undefined;
        schemaKnown = true;
      }
      return schema;
    },
    // Objects of every version live under one prefix at the storage version; reading one
    // through another version only relabels it.
    convert: {
      toStorage: (obj) => relabel(obj, storedAs),
      fromStorage: (obj) => relabel(obj, apiVersion),
    },
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
      validateUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
      printer: printerForCRD(v.additionalPrinterColumns, evaluateJSONPath),
    },
  };
}

function relabel(obj: KubeObject, apiVersion: string): KubeObject {
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}
