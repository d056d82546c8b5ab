// Which resource a client talks to, and the URL paths and query strings for it. A ResourceRef is
// plain data (group, version, plural, scope), so a client exists for any resource, CRDs included;
// the type parameter only tells the compiler what objects the resource holds.
import type { KubeObject } from '../../api/object.js';

export interface ResourceRef<T extends KubeObject = KubeObject> {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Lower-case plural, as in the URL: "pods", "deployments", "widgets". */
  plural: string;
  namespaced: boolean;
  /** The kind, when known (discovery fills it; informational). */
  kind?: string;
  /** Never set: carries T for inference in `client.resource(ref)`. */
  readonly __object?: T;
}

/** A typed reference: `const widgets = resourceRef<Widget>({ group: 'example.com', version: 'v1', plural: 'widgets', namespaced: true })`. */
export function resourceRef<T extends KubeObject = KubeObject>(r: Omit<ResourceRef<T>, '__object'>): ResourceRef<T> {
  return { ...r };
}

export function apiVersionOf(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** "apps/v1" → { group: "apps", version: "v1" }; "v1" → core. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function groupPrefix(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
}

/** /api/v1/namespaces/ns/pods, or /api/v1/pods across namespaces (namespace undefined). */
export function collectionPath(ref: ResourceRef, namespace: string | undefined): string {
  const ns = ref.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPrefix(ref)}${ns}/${ref.plural}`;
}

export function objectPath(ref: ResourceRef, namespace: string | undefined, name: string, subresource?: string): string {
  if (!name) throw new Error(`a ${ref.plural} name is required`);
  return `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

/** "?a=1&b=x" from the defined values; "" when there are none. */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
