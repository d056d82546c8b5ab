// ControllerRevisions (upstream pkg/controller/history): immutable snapshots of a workload's pod
// template that StatefulSet and DaemonSet keep to know which pods are current and which are
// updated, and to roll back. Shared by both controllers.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { resourceRef } from '../../client/rest/resource-ref.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import { newControllerRef } from '../util/index.js';
import { canonicalJSON, controllerRevisionName, hashRevisionData } from './hash.js';

export type RevisionObject = ControllerRevision & KubeObject;

/** The client's reference for apps/v1 controllerrevisions (not in the shared builtin list). */
export const controllerRevisions = resourceRef<RevisionObject>({ group: 'apps', version: 'v1', plural: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true });

/** Label on revisions and pods carrying the revision's hash (StatefulSet pods: the revision name). */
export const controllerRevisionHashLabel = 'controller-revision-hash';

/**
 * A new (unsaved) revision of `parent` holding `data` (upstream NewControllerRevision): labels
 * copied from the template, the hash label, a controller reference, and name `<parent>-<hash>`.
 */
export function newControllerRevision(
  parent: KubeObject,
  parentKind: { apiVersion: string; kind: string },
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount?: number,
): RevisionObject {
  const hash = hashRevisionData(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata?.name ?? '', hash),
      namespace: parent.metadata?.namespace,
      labels: { ...(templateLabels ?? {}), [controllerRevisionHashLabel]: hash },
      ownerReferences: [newControllerRef(parent, parentKind)],
    },
    data: data as RevisionObject['data'],
    revision,
  };
}

/** True when two revisions hold the same data (upstream EqualRevision, by content). */
export function equalRevision(a: RevisionObject | undefined, b: RevisionObject | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalJSON(a.data) === canonicalJSON(b.data);
}

/** The revisions equal to needle, oldest first. */
export function findEqualRevisions(revisions: readonly RevisionObject[], needle: RevisionObject): RevisionObject[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** Sorts by revision number, then creation time, then name (upstream SortControllerRevisions). */
export function sortRevisions(revisions: readonly RevisionObject[]): RevisionObject[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

/** One more than the highest revision number (1 for none). */
export function nextRevision(revisions: readonly RevisionObject[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * Saves a revision (upstream realHistory.CreateControllerRevision): on a name collision with a
 * revision holding the same data that one is returned; with different data the collision count
 * is bumped and the hash recomputed. Returns the saved revision and the collision count used.
 */
export async function createControllerRevision(
  client: Client,
  parent: KubeObject,
  parentKind: { apiVersion: string; kind: string },
  revision: RevisionObject,
  collisionCount: number,
): Promise<{ revision: RevisionObject; collisionCount: number }> {
  const api = client.resource(controllerRevisions);
  const ns = parent.metadata?.namespace;
  for (let count = collisionCount; ; count++) {
    const labels = { ...(revision.metadata?.labels ?? {}) };
    delete labels[controllerRevisionHashLabel];
    const candidate = newControllerRevision(parent, parentKind, labels, revision.data, revision.revision, count);
    try {
      return { revision: await api.create(candidate, { namespace: ns }), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await api.get(candidate.metadata!.name!, { namespace: ns });
      if (equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
      // A different revision holds the name: a hash collision; try the next count.
    }
  }
}

/** Sets a revision's number (upstream UpdateControllerRevision, used to re-promote an old revision). */
export async function updateRevisionNumber(client: Client, revision: RevisionObject, n: number): Promise<RevisionObject> {
  if (revision.revision === n) return revision;
  return client.resource(controllerRevisions).patch(revision.metadata!.name!, { revision: n }, { namespace: revision.metadata?.namespace, type: 'merge' });
}

/**
 * Deletes the oldest revisions not in `live` so at most `limit` non-live ones remain (upstream
 * truncateHistory: revisionHistoryLimit counts only revisions no pod uses).
 */
export async function truncateHistory(client: Client, revisions: readonly RevisionObject[], live: ReadonlySet<string>, limit: number): Promise<void> {
  const historic = sortRevisions(revisions).filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = historic.length - Math.max(0, limit);
  const api = client.resource(controllerRevisions);
  for (const r of historic.slice(0, Math.max(0, excess))) {
    try {
      await api.delete(r.metadata!.name!, { namespace: r.metadata?.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/**
 * The update revision for `data` among a parent's revisions (upstream getStatefulSetRevisions /
 * constructHistory): the newest revision if it already holds data, an older equal revision
 * promoted to the next number (a rollback), or a newly created one. Returns the sorted revisions
 * after the change and the collision count used.
 */
export async function ensureUpdateRevision(
  client: Client,
  parent: KubeObject,
  parentKind: { apiVersion: string; kind: string },
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  owned: readonly RevisionObject[],
  collisionCount: number,
): Promise<{ update: RevisionObject; revisions: RevisionObject[]; collisionCount: number }> {
  let revisions = sortRevisions(owned);
  const candidate = newControllerRevision(parent, parentKind, templateLabels, data, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, candidate);
  const newest = revisions[revisions.length - 1];
  if (equal.length > 0 && equal[equal.length - 1].metadata?.name === newest.metadata?.name) return { update: newest, revisions, collisionCount };
  if (equal.length > 0) {
    const update = await updateRevisionNumber(client, equal[equal.length - 1], candidate.revision);
    revisions = sortRevisions(revisions.map((r) => (r.metadata?.name === update.metadata?.name ? update : r)));
    return { update, revisions, collisionCount };
  }
  const saved = await createControllerRevision(client, parent, parentKind, candidate, collisionCount);
  revisions = sortRevisions([...revisions.filter((r) => r.metadata?.name !== saved.revision.metadata?.name), saved.revision]);
  return { update: saved.revision, revisions, collisionCount: saved.collisionCount };
}
