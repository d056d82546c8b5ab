// What the apiextensions controllers write into a CustomResourceDefinition's status, computed
// from the CRD and the other CRDs of its group (upstream: the naming controller's
// calculateNamesAndConditions and the establishing controller). Pure functions.
import { isDeepStrictEqual } from 'node:util';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionStatus,
} from 'kubernetes-types/apiextensions/v1.js';

export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

export function findCondition(crd: CustomResourceDefinition, type: string): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(crd: CustomResourceDefinition, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** The version objects are stored at (validation guarantees exactly one). */
export function storageVersionOf(crd: CustomResourceDefinition): string | undefined {
  return crd.spec.versions.find((v) => v.storage)?.name;
}

/**
 * Conditions with one set as upstream's SetCRDCondition: a new type is appended; an existing one
 * keeps its lastTransitionTime unless its status changes.
 */
export function withCondition(conditions: CustomResourceDefinitionCondition[] | undefined, next: Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>, now: string): CustomResourceDefinitionCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  if (i < 0) {
    list.push({ type: next.type, status: next.status, lastTransitionTime: now, reason: next.reason, message: next.message });
    return list;
  }
  const old = list[i];
  const lastTransitionTime = old.status !== next.status || !old.lastTransitionTime ? now : old.lastTransitionTime;
  list[i] = { type: next.type, status: next.status, lastTransitionTime, reason: next.reason, message: next.message };
  return list;
}

/** "%q is already in use" unless the name is this CRD's accepted one or nobody's. */
function conflict(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if ((requested ?? '') === (accepted ?? '')) return undefined;
  if (requested === undefined || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

/**
 * The names, NamesAccepted and Established conditions the controllers settle on. A name another
 * CRD of the group has accepted is refused, and the accepted name of that field stays what it
 * was. Established turns True once all names are accepted and never goes back.
 */
export function namingStatus(crd: CustomResourceDefinition, group: CustomResourceDefinition[], now: string): CustomResourceDefinitionStatus {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of group) {
    const n = other.status?.acceptedNames;
    if (other.spec.group !== crd.spec.group || !n) continue;
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  const requested = crd.spec.names;
  const accepted: CustomResourceDefinitionNames = crd.status?.acceptedNames ?? { plural: '', kind: '' };
  const names: CustomResourceDefinitionNames = { ...accepted };
  let refused: { reason: string; message: string } | undefined;
  const take = (reason: string, message: string | undefined, accept: () => void): void => {
    if (message === undefined) accept();
    else refused = { reason, message };
  };
  take('PluralConflict', conflict(requested.plural, accepted.plural, resources), () => (names.plural = requested.plural));
  take('SingularConflict', conflict(requested.singular, accepted.singular, resources), () => (names.singular = requested.singular));
  const wantShort = requested.shortNames ?? [];
  const haveShort = accepted.shortNames ?? [];
  if (JSON.stringify(wantShort) !== JSON.stringify(haveShort)) {
    const errors = wantShort.filter((s) => !haveShort.includes(s)).flatMap((s) => conflict(s, '', resources) ?? []);
    take('ShortNamesConflict', errors.length ? (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`) : undefined, () => (names.shortNames = requested.shortNames));
  }
  take('KindConflict', conflict(requested.kind, accepted.kind, kinds), () => (names.kind = requested.kind));
  take('ListKindConflict', conflict(requested.listKind, accepted.listKind, kinds), () => (names.listKind = requested.listKind));
  if (requested.categories) names.categories = requested.categories;
  else delete names.categories;
  if (!names.shortNames?.length) delete names.shortNames;

  const namesAccepted = refused ? { type: 'NamesAccepted', status: 'False', ...refused } : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  let conditions = withCondition(crd.status?.conditions, namesAccepted, now);
  if (!isConditionTrue(crd, 'Established')) {
    const established = refused
      ? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }
      : { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
    conditions = withCondition(conditions, established, now);
  }
  return { ...crd.status, acceptedNames: names, conditions, storedVersions: crd.status?.storedVersions ?? [] };
}

/** The status without its lastTransitionTimes, to tell whether a write would change anything. */
export function sameStatus(a: CustomResourceDefinitionStatus | undefined, b: CustomResourceDefinitionStatus | undefined): boolean {
  const strip = (s: CustomResourceDefinitionStatus | undefined) => ({ ...s, conditions: s?.conditions?.map(({ lastTransitionTime: _, ...c }) => c) });
  return isDeepStrictEqual(strip(a), strip(b));
}
