// What a StatefulSet revision holds (upstream getPatch / ApplyRevision): a strategic merge patch
// `{"spec":{"template":{..., "$patch":"replace"}}}` that replaces the set's pod template. The
// set "at" a revision is the live set with the revision's template.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { SetObject } from './identity.js';

export function revisionData(set: SetObject): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(structuredClone(set.spec?.template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

export function setAtRevision(set: SetObject, data: unknown): SetObject {
  const template = { ...((data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) };
  delete template.$patch;
  const out = structuredClone(set);
  out.spec = { ...out.spec!, template: template as PodTemplateSpec };
  return out;
}
