// One reconciliation of a StatefulSet (upstream stateful_set_control.go updateStatefulSet):
// revisions first, then the replicas [start, start+replicas) in ordinal order (create missing
// pods with their claims, recreate finished ones, repair identity/storage), then the condemned
// pods above the range from the highest ordinal down, then the rolling update from the highest
// ordinal down to the partition. OrderedReady ("monotonic") does one step at a time and waits for
// each pod to be Running and Ready; Parallel creates and deletes without waiting.
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import type { EventRecorder } from '../../client/record/index.js';
import { ensureUpdateRevision, truncateHistory, type RevisionObject } from '../history/index.js';
import { errorMessage } from '../util/index.js';
import { claimIsStale, desiredClaimOwners } from './claims.js';
import {
  claimsFor,
  getOrdinal,
  identityMatches,
  isMemberOf,
  newStatefulSetPod,
  ordinalInRange,
  podRevision,
  replicasOf,
  startOrdinal,
  statefulSetKind,
  storageMatches,
  updateIdentity,
  updateStorage,
  type ClaimObject,
  type PodObj,
  type SetObject,
} from './identity.js';
import { isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating } from './pod-state.js';
import { revisionData, setAtRevision } from './revisions.js';

export interface ControlDeps {
  client: Client;
  recorder: EventRecorder;
  /** The cached claim `namespace/name`, if any. */
  getClaim(namespace: string, name: string): ClaimObject | undefined;
  now(): number;
}

export interface ControlResult {
  status: StatefulSetStatus;
  /** Revisions after this round (for history truncation). */
  revisions: RevisionObject[];
  current: RevisionObject;
  update: RevisionObject;
  /** Resync after this many ms (a pod waiting out minReadySeconds). */
  requeueAfterMs?: number;
}

/** Current and update revisions (upstream getStatefulSetRevisions), creating the update revision if new. */
export async function getRevisions(
  deps: ControlDeps,
  set: SetObject,
  owned: RevisionObject[],
): Promise<{ current: RevisionObject; update: RevisionObject; revisions: RevisionObject[]; collisionCount: number }> {
  const { update, revisions, collisionCount } = await ensureUpdateRevision(
    deps.client,
    set,
    statefulSetKind,
    set.spec?.template?.metadata?.labels,
    revisionData(set),
    owned,
    set.status?.collisionCount ?? 0,
  );
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, revisions, collisionCount };
}

function event(deps: ControlDeps, set: SetObject, verb: string, what: string, err?: unknown): void {
  const owner = { ...set, ...statefulSetKind };
  if (err === undefined) deps.recorder.event(owner, 'Normal', `Successful${verb}`, `${verb.toLowerCase()} ${what} in StatefulSet ${set.metadata!.name!} successful`);
  else deps.recorder.event(owner, 'Warning', `Failed${verb}`, `${verb.toLowerCase()} ${what} in StatefulSet ${set.metadata!.name!} failed error: ${errorMessage(err)}`);
}

/** Creates the pod's missing claims, fixing owner references on existing ones (upstream createPersistentVolumeClaims). */
async function ensureClaims(deps: ControlDeps, set: SetObject, pod: PodObj): Promise<void> {
  const api = deps.client.resource(resources.persistentVolumeClaims);
  const ns = set.metadata!.namespace!;
  for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
    const name = claim.metadata!.name!;
    const cached = deps.getClaim(ns, name);
    if (cached?.metadata?.deletionTimestamp) throw new Error(`pvc ${name} is being deleted`);
    if (cached) continue;
    const owners = desiredClaimOwners(set, pod, claim);
    if (owners?.length) claim.metadata!.ownerReferences = owners;
    try {
      await api.create(claim, { namespace: ns });
      deps.recorder.event({ ...set, ...statefulSetKind }, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod.metadata!.name!} in StatefulSet ${set.metadata!.name!} success`);
    } catch (err) {
      if (isAlreadyExists(err)) continue; // our cache is behind
      deps.recorder.event({ ...set, ...statefulSetKind }, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod.metadata!.name!} in StatefulSet ${set.metadata!.name!} failed error: ${errorMessage(err)}`);
      throw err;
    }
  }
}

/** Brings the pod's claims' ownerReferences in line with the retention policy. */
async function fixClaimOwners(deps: ControlDeps, set: SetObject, pod: PodObj): Promise<void> {
  const api = deps.client.resource(resources.persistentVolumeClaims);
  const ns = set.metadata!.namespace!;
  for (const template of claimsFor(set, getOrdinal(pod)).values()) {
    const claim = deps.getClaim(ns, template.metadata!.name!);
    if (!claim || claim.metadata?.deletionTimestamp) continue;
    const owners = desiredClaimOwners(set, pod, claim);
    if (!owners) continue;
    try {
      // An update at the revision read, as upstream's UpdateClaim: the statefulset controller's
      // role may update claims but not patch them.
      await api.update({ ...claim, metadata: { ...claim.metadata, ownerReferences: owners } }, { namespace: ns });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function claimsMatchPolicy(deps: ControlDeps, set: SetObject, pod: PodObj): boolean {
  const ns = set.metadata!.namespace!;
  for (const t of claimsFor(set, getOrdinal(pod)).values()) {
    const claim = deps.getClaim(ns, t.metadata!.name!);
    if (claim && !claim.metadata?.deletionTimestamp && desiredClaimOwners(set, pod, claim)) return false;
  }
  return true;
}

/** A placeholder for a pod that was just deleted: counted as terminating in this round's status. */
function terminated(pod: PodObj, now: number): PodObj {
  return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now).toISOString() } };
}

export async function updateStatefulSet(deps: ControlDeps, set: SetObject, pods: PodObj[], ownedRevisions: RevisionObject[]): Promise<ControlResult> {
  const { current, update, revisions, collisionCount } = await getRevisions(deps, set, ownedRevisions);
  const currentSet = setAtRevision(set, current.data);
  const updateSet = setAtRevision(set, update.data);
  const currentName = current.metadata!.name!;
  const updateName = update.metadata!.name!;
  const ns = set.metadata!.namespace!;
  const podsApi = deps.client.resource(resources.pods);
  const now = deps.now();
  const minReady = set.spec?.minReadySeconds ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const strategy = set.spec?.updateStrategy?.type ?? 'RollingUpdate';
  const partition = strategy === 'RollingUpdate' ? (set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;

  // Slot i holds ordinal start+i; pods outside the range are condemned, highest ordinal first.
  const replicas: Array<PodObj | undefined> = new Array<PodObj | undefined>(count).fill(undefined);
  const condemned: PodObj[] = [];
  for (const pod of pods) {
    if (!isMemberOf(set, pod)) continue;
    const ord = getOrdinal(pod);
    if (ordinalInRange(set, ord)) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

  // A missing slot gets a pod at the current revision below the partition, else the update revision (upstream newVersionedStatefulSetPod).
  const currentReplicasBefore = set.status?.currentReplicas ?? 0;
  const slots: PodObj[] = replicas.map((pod, i) => {
    if (pod) return pod;
    const ord = start + i;
    const useCurrent =
      strategy === 'RollingUpdate' && (set.spec?.updateStrategy?.rollingUpdate?.partition === undefined ? ord < currentReplicasBefore : ord < partition);
    return useCurrent ? newStatefulSetPod(currentSet, ord, currentName) : newStatefulSetPod(updateSet, ord, updateName);
  });

  const unhealthy = [...slots.filter((p) => isCreated(p)), ...condemned].filter((p) => !isHealthy(p));
  const firstUnhealthy = unhealthy[0];
  let requeueAfterMs: number | undefined;

  const done = (): ControlResult => ({ status: computeStatus(set, [...slots, ...condemned], currentName, updateName, collisionCount, minReady, now), revisions, current, update, requeueAfterMs });

  if (set.metadata?.deletionTimestamp) return done();

  /** Returns true when this round must stop (monotonic waits) — upstream processReplica. */
  async function processReplica(i: number): Promise<boolean> {
    const pod = slots[i];
    if (isCreated(pod) && (isFailed(pod) || isSucceeded(pod))) {
      if (!isTerminating(pod)) {
        try {
          await podsApi.delete(pod.metadata!.name!, { namespace: ns, preconditions: { uid: pod.metadata!.uid! } });
          event(deps, set, 'Delete', `Pod ${pod.metadata!.name!}`);
        } catch (err) {
          if (!isNotFound(err)) {
            event(deps, set, 'Delete', `Pod ${pod.metadata!.name!}`, err);
            throw err;
          }
        }
        slots[i] = terminated(pod, now);
      }
      return true; // recreated on the next sync, once it is gone
    }
    if (!isCreated(pod)) {
      const ord = getOrdinal(pod);
      for (const c of claimsFor(set, ord).values()) if (claimIsStale(deps.getClaim(ns, c.metadata!.name!), pod)) return true;
      await ensureClaims(deps, set, pod);
      try {
        slots[i] = await podsApi.create(pod, { namespace: ns });
        event(deps, set, 'Create', `Pod ${pod.metadata!.name!}`);
      } catch (err) {
        if (isAlreadyExists(err)) return true; // our cache is behind; the informer will show it
        event(deps, set, 'Create', `Pod ${pod.metadata!.name!}`, err);
        throw err;
      }
      return monotonic;
    }
    if (isPending(pod)) await ensureClaims(deps, set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, minReady, now) && monotonic) {
      requeueAfterMs = minReady * 1000;
      return true;
    }
    if (identityMatches(set, pod) && storageMatches(set, pod) && claimsMatchPolicy(deps, set, pod)) return false;
    // Repair identity and storage on a copy (never mutate the cache), then the claims' owners.
    const fixed = structuredClone(pod);
    updateIdentity(set, fixed, getOrdinal(pod));
    updateStorage(updateSet, fixed, getOrdinal(pod));
    await ensureClaims(deps, set, fixed);
    await fixClaimOwners(deps, set, fixed);
    if (!identityMatches(set, pod) || !storageMatches(set, pod)) {
      try {
        slots[i] = await podsApi.update(fixed, { namespace: ns });
        event(deps, set, 'Update', `Pod ${pod.metadata!.name!}`);
      } catch (err) {
        event(deps, set, 'Update', `Pod ${pod.metadata!.name!}`, err);
        throw err;
      }
    }
    return false;
  }

  if (monotonic) {
    for (let i = 0; i < slots.length; i++) if (await processReplica(i)) return done();
  } else {
    const results = await Promise.allSettled(slots.map((_, i) => processReplica(i)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  // Claims of condemned pods get their scale-down owners before the pods go.
  for (const pod of condemned) await fixClaimOwners(deps, set, pod);

  // Scale down from the highest ordinal; monotonic waits for each deletion and only deletes an
  // unhealthy pod if it is the first unhealthy one.
  for (let k = 0; k < condemned.length; k++) {
    const pod = condemned[k];
    if (isTerminating(pod)) {
      if (monotonic) return done();
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return done();
    try {
      await podsApi.delete(pod.metadata!.name!, { namespace: ns, preconditions: { uid: pod.metadata!.uid! } });
      event(deps, set, 'Delete', `Pod ${pod.metadata!.name!}`);
    } catch (err) {
      if (!isNotFound(err)) {
        event(deps, set, 'Delete', `Pod ${pod.metadata!.name!}`, err);
        throw err;
      }
    }
    condemned[k] = terminated(pod, now);
    if (monotonic) return done();
  }

  if (strategy === 'OnDelete') return done();

  // Rolling update: delete the highest-ordinal pod not at the update revision (it is recreated at
  // the update revision), one at a time, waiting for each to be healthy; stop at the partition.
  for (let i = slots.length - 1; i >= 0 && start + i >= partition; i--) {
    const pod = slots[i];
    if (podRevision(pod) !== updateName && !isTerminating(pod)) {
      try {
        await podsApi.delete(pod.metadata!.name!, { namespace: ns, preconditions: { uid: pod.metadata!.uid! } });
        event(deps, set, 'Delete', `Pod ${pod.metadata!.name!}`);
      } catch (err) {
        if (!isNotFound(err)) {
          event(deps, set, 'Delete', `Pod ${pod.metadata!.name!}`, err);
          throw err;
        }
      }
      slots[i] = terminated(pod, now);
      return done();
    }
    if (!isHealthy(pod)) return done();
  }
  return done();
}

/** Status from the pods as this round left them (upstream computeReplicaStatus + completeRollingUpdate). */
export function computeStatus(
  set: SetObject,
  pods: PodObj[],
  currentName: string,
  updateName: string,
  collisionCount: number,
  minReady: number,
  now: number,
): StatefulSetStatus {
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount,
  };
  for (const pod of pods) {
    if (!isCreated(pod)) continue;
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas! += 1;
      if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas! += 1;
    }
    if (isTerminating(pod)) continue;
    const rev = podRevision(pod);
    if (rev === currentName) status.currentReplicas! += 1;
    if (rev === updateName) status.updatedReplicas! += 1;
  }
  const strategy = set.spec?.updateStrategy?.type ?? 'RollingUpdate';
  if (strategy === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

/** Deletes revisions beyond revisionHistoryLimit that neither a pod nor the status uses. */
export async function cleanupHistory(client: Client, set: SetObject, pods: PodObj[], result: ControlResult): Promise<void> {
  const live = new Set<string>([result.status.currentRevision ?? '', result.status.updateRevision ?? '']);
  for (const p of pods) live.add(podRevision(p));
  await truncateHistory(client, result.revisions, live, set.spec?.revisionHistoryLimit ?? 10);
}
