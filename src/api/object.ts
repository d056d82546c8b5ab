// The one shape every stored API object has. Objects stay plain JSON; this type only names the
// parts the generic machinery touches.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** ObjectMeta without kubernetes-types' readonly marks: the server is the one that sets those fields. */
export type Metadata = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Metadata;
  [field: string]: unknown;
}

/** A KubeObject whose metadata is known to be present (after the API server has accepted it). */
export interface StoredObject extends KubeObject {
  metadata: Metadata & { name: string; uid: string; resourceVersion: string };
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
