// A resource as the registry serves it: its table row, its strategy and where it lives in storage.
import type { ResourceStrategy, ResourceType } from '../../api/resource.js';
import type { GroupResource } from '../../api/status.js';
import type { ObjectNode } from '../../api/schema.js';
import type { KubeObject } from '../../api/object.js';

export interface ResourceEntry {
  type: ResourceType;
  strategy: ResourceStrategy;
  gr: GroupResource;
  /** Storage prefix of every object of this resource: /registry/<group|core>/<plural>/ */
  prefix: string;
  /** Has a status subresource: the main resource ignores status changes and vice versa. */
  hasStatus: boolean;
  /** metadata.generation is set on create and bumped on spec changes (upstream: the strategies that do so). */
  tracksGeneration: boolean;
  /** The kind's structural schema (patching, apply, field validation, pruning); undefined = untyped. */
  schema(): ObjectNode | undefined;
  /**
   * For a resource that shares storage with another version (events.k8s.io/v1 Events are stored
   * as core/v1 Events): conversions between this version and the stored one.
   */
  convert?: {
    toStorage(obj: KubeObject): KubeObject;
    fromStorage(obj: KubeObject): KubeObject;
  };
  /**
   * For a custom resource whose CRD converts through a webhook: the conversions, which call it
   * (objects already at the target version are not sent). Absent `convert` then. fromStorage
   * converts a list in one call (`list`), as upstream converts an UnstructuredList.
   */
  convertAsync?: {
    toStorage(obj: KubeObject): Promise<KubeObject>;
    fromStorage(objs: readonly KubeObject[], list: boolean): Promise<KubeObject[]>;
  };
  /** Fields a field selector may name beyond the kind's built-in ones (a CRD's selectableFields), with their values. */
  selectableFields?: Record<string, (obj: KubeObject) => string>;
  /** A resource a CustomResourceDefinition defines (served while the CRD is established). */
  custom?: {
    /** The CRD's name (<plural>.<group>). */
    crd: string;
    /** This version's openAPIV3Schema, for the OpenAPI v3 document. */
    openAPIV3Schema: object | undefined;
    /** The scale subresource's paths (".spec.replicas"), when the version has one. */
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
}

export function storagePrefix(group: string, plural: string): string {
  return `/registry/${group || 'core'}/${plural}/`;
}

export function objectKey(entry: ResourceEntry, namespace: string, name: string): string {
  return entry.type.namespaced ? `${entry.prefix}${namespace}/${name}` : `${entry.prefix}${name}`;
}

/** The prefix holding one namespace's objects, or all of them. */
export function listPrefix(entry: ResourceEntry, namespace: string): string {
  return entry.type.namespaced && namespace ? `${entry.prefix}${namespace}/` : entry.prefix;
}
