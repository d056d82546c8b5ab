// The denominator of a percentage budget (upstream getExpectedScale): the sum of the replicas of
// the controllers that own the selected pods. ReplicationControllers, Deployments (through their
// ReplicaSet), ReplicaSets not owned by a Deployment and StatefulSets are read from informer
// caches; any other owner through its scale subresource. Pods without a controller are
// "unmanaged": reported, not counted.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.js';
import { parseApiVersion } from '../../api/object.js';
import type { ReadonlyIndexer } from '../../client/cache/store.js';
import type { Client } from '../../client/rest/client.js';
import { isNotFound } from '../../client/rest/errors.js';

export interface ScaleListers {
  replicationControllers: ReadonlyIndexer<ReplicationController & KubeObject>;
  replicaSets: ReadonlyIndexer<ReplicaSet & KubeObject>;
  deployments: ReadonlyIndexer<Deployment & KubeObject>;
  statefulSets: ReadonlyIndexer<StatefulSet & KubeObject>;
}

type Found = { uid: string; scale: number } | undefined;
type Finder = (ref: OwnerReference, namespace: string) => Promise<Found> | Found;

export function controllerOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

function groupKindIs(ref: OwnerReference, kind: string, groups: string[]): boolean {
  return ref.kind === kind && groups.includes(parseApiVersion(ref.apiVersion).group);
}

export function newScaleFinders(listers: ScaleListers, client: Client): Finder[] {
  const replicationController: Finder = (ref, ns) => {
    if (!groupKindIs(ref, 'ReplicationController', [''])) return undefined;
    const rc = listers.replicationControllers.getByKey(`${ns}/${ref.name}`);
    if (!rc || rc.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: rc.spec?.replicas ?? 1 };
  };
  const deployment: Finder = (ref, ns) => {
    if (!groupKindIs(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = listers.replicaSets.getByKey(`${ns}/${ref.name}`);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const depRef = controllerOf(rs);
    if (!depRef || !groupKindIs(depRef, 'Deployment', ['apps', 'extensions'])) return undefined;
    const dep = listers.deployments.getByKey(`${ns}/${depRef.name}`);
    if (!dep || dep.metadata?.uid !== depRef.uid) return undefined;
    return { uid: depRef.uid, scale: dep.spec?.replicas ?? 1 };
  };
  const replicaSet: Finder = (ref, ns) => {
    if (!groupKindIs(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = listers.replicaSets.getByKey(`${ns}/${ref.name}`);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    // A Deployment's ReplicaSet counts through the Deployment.
    if (controllerOf(rs)?.kind === 'Deployment') return undefined;
    return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 };
  };
  const statefulSet: Finder = (ref, ns) => {
    if (!groupKindIs(ref, 'StatefulSet', ['apps'])) return undefined;
    const ss = listers.statefulSets.getByKey(`${ns}/${ref.name}`);
    if (!ss || ss.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: ss.spec?.replicas ?? 1 };
  };
  // Anything else that implements /scale (custom resources included).
  const generic: Finder = async (ref, ns) => {
    const rc = await client.forKind(ref.apiVersion, ref.kind, ns);
    try {
      const scale = await rc.getScale(ref.name, { namespace: ns });
      if (scale.metadata?.uid !== ref.uid) return undefined;
      return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // NotFound is either "no such object" (no controller) or "no scale subresource" (an error).
      try {
        await rc.get(ref.name, { namespace: ns });
      } catch (getErr) {
        if (isNotFound(getErr)) return undefined;
        throw getErr;
      }
      throw new Error(`${rc.ref.plural}${rc.ref.group ? `.${rc.ref.group}` : ''} does not implement the scale subresource`, { cause: err });
    }
  };
  return [replicationController, deployment, replicaSet, statefulSet, generic];
}

/**
 * The expected pod count: each distinct controller's scale once. Throws (upstream's error) when a
 * pod's controller cannot be found.
 */
export async function expectedScale(pods: Pod[], finders: Finder[]): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata?.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    let found: Found;
    for (const f of finders) {
      found = await f(ref, pod.metadata?.namespace ?? '');
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name)}`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}
