// The params a binding hands its policy (upstream's generic.CollectParams): none needed (one
// evaluation without params), one object by name, or every object a label selector picks, read
// from the watch cache. A namespaced paramKind is looked up in paramRef.namespace, else in the
// request's namespace. Errors are configuration errors, which the policy's failurePolicy decides.
import type { ParamKind, ParamRef } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { labelSelectorAsSelector, matchesLabels } from '../../../api/selectors/labels.js';
import { listPrefix, objectKey, type ResourceEntry } from '../../registry/resource-entry.js';
import type { AdmissionDeps } from '../plugins.js';

/** The param kind's resource, or the error upstream records on the policy when it is not served. */
export function paramResource(kind: ParamKind, deps: AdmissionDeps): ResourceEntry | { error: string } {
  const apiVersion = kind.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const entry = deps.registry.forKind(group, version, kind.kind ?? '');
  return entry ?? { error: `failed to find resource referenced by paramKind: '${group}/${version}, Kind=${kind.kind ?? ''}'` };
}

/** null stands for "evaluate without params". An empty list: nothing to evaluate (parameterNotFoundAction Allow). */
export type Params = { params: (KubeObject | null)[] } | { error: string };

export function collectParams(kind: ParamKind | undefined, entry: ResourceEntry | undefined, ref: ParamRef | undefined, requestNamespace: string, deps: AdmissionDeps): Params {
  if (!kind || !ref || !entry) return { params: [null] };
  const namespaced = entry.type.namespaced;
  if (ref.namespace && !namespaced) return { error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  const namespace = namespaced ? ref.namespace || requestNamespace : '';
  if (namespaced && !namespace) return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
  const cache = deps.cache.resourceFor(entry.prefix);
  let found: KubeObject[];
  if (ref.name) {
    const obj = cache.objects.get(objectKey(entry, namespace, ref.name));
    found = obj ? [obj] : [];
  } else if (ref.selector) {
    let selector;
    try {
      selector = labelSelectorAsSelector(ref.selector);
    } catch (err) {
      return { error: (err as Error).message };
    }
    const prefix = listPrefix(entry, namespace);
    found = [];
    for (const key of cache.keys()) {
      if (!key.startsWith(prefix)) continue;
      const obj = cache.objects.get(key);
      if (obj && matchesLabels(selector, obj.metadata.labels)) found.push(obj);
    }
  } else {
    return { error: 'one of name or selector must be provided' };
  }
  if (found.length === 0 && ref.parameterNotFoundAction === 'Deny') return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  const apiVersion = kind.apiVersion;
  // (A paramKind whose CRD converts through a webhook is read as stored, relabelled: the
  // policies run synchronously and do not call it. Upstream's param informer would.)
  return { params: found.map((p) => (entry.convert ? (entry.convert.fromStorage(p) as KubeObject) : p)).map((p) => (p.apiVersion === apiVersion && p.kind ? p : { ...p, apiVersion, kind: kind.kind })) };
}
