// One reconciliation of one Deployment (upstream deployment_controller.go syncDeployment with
// sync.go, rolling.go, recreate.go, progress.go). A DeploymentSync lives for one sync: it holds
// the deployment as last written (so a status write after an annotation write does not conflict
// with itself) and the ReplicaSets it has claimed.
//
// One deviation from upstream: upstream writes the revision annotation together with status
// through the status subresource; our API server (like the status strategy of most resources)
// keeps metadata out of status writes, so the annotation goes through a metadata-only merge patch
// (which does not bump generation) right before the status write.
import type { Deployment, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import type { EventRecorder } from '../../client/record/index.js';
import { getControllerOf, newControllerRef, errorMessage } from '../util/index.js';
import { canonicalJSON, computeHash, equalIgnoreHash, podTemplateHashLabel } from './hash.js';
import { conditionProgressing, conditionReplicaFailure, getCondition, newCondition, reasons, removeCondition, setCondition } from './conditions.js';
import { isRollingUpdate, maxSurge, maxUnavailable, replicasOf } from './intorstr.js';
import {
  annotations,
  availableReplicaCount,
  actualReplicaCount,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasAnnotation,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  isSaturated,
  maxRevision,
  newRSNewReplicas,
  rsReplicas,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicaCount,
  type RS,
} from './replicasets.js';
import { calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, hasProgressDeadline, replicaFailureOf } from './status.js';

export type DeploymentObject = Deployment & KubeObject;

export const deploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
export const replicaSetKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

export interface SyncDeps {
  deployments: ResourceClient<DeploymentObject>;
  replicaSets: ResourceClient<RS>;
  recorder: EventRecorder;
  log: Logger;
  now: () => number;
  /** A ReplicaSet from the informer cache by namespace/name (for AlreadyExists on create). */
  cachedReplicaSet: (namespace: string, name: string) => RS | undefined;
  /** Pods owned by a ReplicaSet (for Recreate's "old pods still running" check). */
  podsOf: (rs: RS) => Pod[];
  /** Requeue the deployment after ms (progress deadline checks); ms 0 = rate limited. */
  requeueAfter: (ms: number) => void;
}

const scalingReplicaSet = 'ScalingReplicaSet';

export class DeploymentSync {
  private d: DeploymentObject;

  constructor(
    private readonly deps: SyncDeps,
    d: DeploymentObject,
    private rsList: RS[],
  ) {
    this.d = structuredClone(d);
  }

  private get ns(): string {
    return this.d.metadata!.namespace!;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event({ ...this.d, ...deploymentKind }, type, reason, message);
  }

  /** The whole decision, as upstream syncDeployment after claiming. */
  async run(): Promise<void> {
    const d = this.d;
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly();
    await this.checkPausedConditions();
    if (d.spec?.paused) return this.syncScaleOnly();
    if (await this.isScalingEvent()) return this.syncScaleOnly();
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate();
    return this.rolloutRolling();
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Records `revision` on the deployment. An update at the revision read, not a patch: the
   * deployment controller's role (system:controller:deployment-controller) may update
   * deployments but not patch them.
   */
  private async setDeploymentRevision(revision: string): Promise<void> {
    if (this.d.metadata?.annotations?.[annotations.revision] === revision) return;
    const next: DeploymentObject = { ...this.d, metadata: { ...this.d.metadata, annotations: { ...this.d.metadata?.annotations, [annotations.revision]: revision } } };
    const stored = await this.deps.deployments.update(next, { namespace: this.ns });
    this.d = { ...stored, status: this.d.status };
  }

  private async writeStatus(status: DeploymentStatus): Promise<void> {
    this.d.status = status;
    const stored = await this.deps.deployments.updateStatus(this.d, { namespace: this.ns });
    this.d = structuredClone(stored);
  }

  private async updateReplicaSet(rs: RS): Promise<RS> {
    const updated = await this.deps.replicaSets.update(rs, { namespace: this.ns });
    this.rsList = this.rsList.map((r) => (r.metadata?.uid === updated.metadata?.uid ? updated : r));
    return updated;
  }

  // ---- finding the ReplicaSets --------------------------------------------------------------

  private async getAllReplicaSetsAndSyncRevision(createIfNotExisted: boolean): Promise<{ newRS?: RS; oldRSs: RS[] }> {
    const oldRSs = findOldReplicaSets(this.d, this.rsList);
    const newRS = await this.getNewReplicaSet(oldRSs, createIfNotExisted);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(oldRSs: RS[], createIfNotExisted: boolean): Promise<RS | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        copy.spec!.minReadySeconds = d.spec?.minReadySeconds;
        return this.updateReplicaSet(copy);
      }
      const revision = copy.metadata?.annotations?.[annotations.revision] ?? '';
      const revisionChanged = d.metadata?.annotations?.[annotations.revision] !== revision;
      let statusChanged = false;
      const status = structuredClone(d.status ?? {});
      if (hasProgressDeadline(d) && !getCondition(status, conditionProgressing)) {
        setCondition(status, newCondition(conditionProgressing, 'True', reasons.foundNewRS, `Found new replica set "${copy.metadata!.name}"`, this.deps.now()));
        statusChanged = true;
      }
      if (revisionChanged) await this.setDeploymentRevision(revision);
      if (statusChanged) await this.writeStatus(status);
      return copy;
    }
    if (!createIfNotExisted) return undefined;

    const template = structuredClone(d.spec!.template!);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash };
    const name = `${d.metadata!.name}-${hash}`;
    const rs: RS = {
      ...replicaSetKind,
      metadata: { name, namespace: this.ns, ownerReferences: [newControllerRef(d, deploymentKind)], labels: template.metadata.labels },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
    };
    const newReplicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = newReplicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let createdRS: RS;
    let alreadyExists = false;
    try {
      createdRS = await this.deps.replicaSets.create(rs, { namespace: this.ns });
    } catch (err) {
      if (isAlreadyExists(err)) {
        alreadyExists = true;
        const found = this.deps.cachedReplicaSet(this.ns, name) ?? (await this.deps.replicaSets.get(name, { namespace: this.ns }).catch(() => undefined));
        const ref = found && getControllerOf(found);
        if (found && ref?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          createdRS = found;
        } else {
          // A hash collision: another template (or owner) holds the name. Bump collisionCount so
          // the next sync hashes differently.
          const status = structuredClone(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status).catch((e: unknown) => this.deps.log.debug({ err: e }, 'collisionCount update failed'));
          this.deps.log.info({ deployment: d.metadata?.name, rs: name }, 'found a hash collision for the deployment; bumping collisionCount');
          throw err;
        }
      } else if (isNamespaceTerminating(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${name}": ${errorMessage(err)}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition(conditionProgressing, 'False', reasons.rsCreateError, msg, this.deps.now()));
          await this.writeStatus(status).catch(() => undefined);
        }
        this.event('Warning', reasons.rsCreateError, msg);
        throw err;
      }
    }
    if (!alreadyExists) {
      this.rsList = [...this.rsList, createdRS];
      if (newReplicas > 0) this.event('Normal', scalingReplicaSet, `Scaled up replica set ${createdRS.metadata!.name} from 0 to ${newReplicas}`);
    }
    await this.setDeploymentRevision(newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      const status = structuredClone(this.d.status ?? {});
      setCondition(status, newCondition(conditionProgressing, 'True', reasons.newRSCreated, `Created new replica set "${createdRS.metadata!.name}"`, this.deps.now()));
      await this.writeStatus(status);
    }
    return createdRS;
  }

  // ---- scaling -----------------------------------------------------------------------------

  private async scaleReplicaSetAndRecordEvent(rs: RS, newScale: number): Promise<{ scaled: boolean; rs: RS }> {
    if (rsReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, rsReplicas(rs) < newScale ? 'up' : 'down');
  }

  private async scaleReplicaSet(rs: RS, newScale: number, operation: string): Promise<{ scaled: boolean; rs: RS }> {
    const d = this.d;
    const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
    const copy = structuredClone(rs);
    const annotationsNeedUpdate = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
    if (!sizeNeedsUpdate && !annotationsNeedUpdate) return { scaled: false, rs };
    const oldScale = rsReplicas(rs);
    copy.spec!.replicas = newScale;
    const updated = await this.updateReplicaSet(copy);
    if (sizeNeedsUpdate) this.event('Normal', scalingReplicaSet, `Scaled ${operation} replica set ${updated.metadata!.name} from ${oldScale} to ${newScale}`);
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  /** Scaling without a rollout: one active ReplicaSet takes it all; otherwise proportionally. */
  private async scale(newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
    const d = this.d;
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (rsReplicas(activeOrLatest) === replicasOf(d)) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = filterActive([...oldRSs, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - specReplicaCount(all);
    let operation = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = 'down';
    }
    let added = 0;
    const size = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = getProportion(rs, d, toAdd, added);
        size.set(rs.metadata!.name!, rsReplicas(rs) + p);
        added += p;
      } else size.set(rs.metadata!.name!, rsReplicas(rs));
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      const name = rs.metadata!.name!;
      // Leftovers go to the largest ReplicaSet.
      if (i === 0 && toAdd !== 0) size.set(name, Math.max(0, size.get(name)! + toAdd - added));
      await this.scaleReplicaSet(rs, size.get(name)!, operation);
    }
  }

  /** Scaling events and paused deployments: scale, clean up (when paused), write status. */
  private async syncScaleOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.scale(newRS, oldRSs);
    const fresh = this.refresh(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanupDeployment(fresh.oldRSs);
    await this.syncDeploymentStatus([...fresh.oldRSs, fresh.newRS], fresh.newRS);
  }

  private async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** The ReplicaSets as last written during this sync. */
  private refresh(newRS: RS | undefined, oldRSs: RS[]): { newRS?: RS; oldRSs: RS[] } {
    const byUid = new Map(this.rsList.map((r) => [r.metadata?.uid, r]));
    return { newRS: newRS && (byUid.get(newRS.metadata?.uid) ?? newRS), oldRSs: oldRSs.map((r) => byUid.get(r.metadata?.uid) ?? r) };
  }

  /** A replica count changed (some active ReplicaSet's desired-replicas differs from spec). */
  private async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicasOf(this.d)) return true;
    }
    return false;
  }

  private async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, conditionProgressing);
    if (cond?.reason === reasons.timedOut) return;
    const pausedExists = cond?.reason === reasons.paused;
    const status = structuredClone(d.status ?? {});
    if (d.spec?.paused && !pausedExists) {
      setCondition(status, newCondition(conditionProgressing, 'Unknown', reasons.paused, 'Deployment is paused', this.deps.now()));
    } else if (!d.spec?.paused && pausedExists) {
      setCondition(status, newCondition(conditionProgressing, 'Unknown', reasons.resumed, 'Deployment is resumed', this.deps.now()));
    } else return;
    await this.writeStatus(status);
  }

  /** Deletes the oldest idle old ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: RS[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null || limit === 2147483647) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp) continue;
      this.deps.log.debug({ rs: rs.metadata?.name }, 'trying to clean up replica set for deployment');
      try {
        await this.deps.replicaSets.delete(rs.metadata!.name!, { namespace: this.ns, preconditions: { uid: rs.metadata!.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncDeploymentStatus(allRSs: Array<RS | undefined>, newRS: RS | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.d, this.deps.now());
    if (statusEqual(this.d.status, status)) return;
    await this.writeStatus(status);
  }

  // ---- rolling update ----------------------------------------------------------------------

  private async rolloutRolling(): Promise<void> {
    const got = await this.getAllReplicaSetsAndSyncRevision(true);
    const newRS = got.newRS!;
    let oldRSs = got.oldRSs;
    if (await this.reconcileNewReplicaSet([...oldRSs, newRS], newRS)) {
      const f = this.refresh(newRS, oldRSs);
      return this.syncRolloutStatus([...f.oldRSs, f.newRS], f.newRS);
    }
    ({ oldRSs } = this.refresh(newRS, oldRSs));
    if (await this.reconcileOldReplicaSets([...oldRSs, newRS], filterActive(oldRSs), newRS)) {
      const f = this.refresh(newRS, oldRSs);
      return this.syncRolloutStatus([...f.oldRSs, f.newRS], f.newRS);
    }
    const f = this.refresh(newRS, oldRSs);
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanupDeployment(f.oldRSs);
    return this.syncRolloutStatus([...f.oldRSs, f.newRS], f.newRS);
  }

  private async reconcileNewReplicaSet(allRSs: RS[], newRS: RS): Promise<boolean> {
    const replicas = replicasOf(this.d);
    if (rsReplicas(newRS) === replicas) return false;
    if (rsReplicas(newRS) > replicas) return (await this.scaleReplicaSetAndRecordEvent(newRS, replicas)).scaled;
    return (await this.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(this.d, allRSs, newRS))).scaled;
  }

  private async reconcileOldReplicaSets(allRSs: RS[], oldRSs: RS[], newRS: RS): Promise<boolean> {
    if (specReplicaCount(oldRSs) === 0) return false;
    const allPods = specReplicaCount(allRSs);
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = await this.cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned.oldRSs, newRS], cleaned.oldRSs);
    return cleaned.count + scaledDown > 0;
  }

  /** Scales down old ReplicaSets' unavailable pods first: they cannot count toward availability anyway. */
  private async cleanupUnhealthyReplicas(oldRSs: RS[], maxCleanup: number): Promise<{ oldRSs: RS[]; count: number }> {
    const sorted = [...oldRSs].sort(byCreation);
    let total = 0;
    for (let i = 0; i < sorted.length; i++) {
      const rs = sorted[i];
      if (total >= maxCleanup) break;
      const replicas = rsReplicas(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const count = Math.min(maxCleanup - total, replicas - available);
      const res = await this.scaleReplicaSetAndRecordEvent(rs, replicas - count);
      total += count;
      sorted[i] = res.rs;
    }
    return { oldRSs: sorted, count: total };
  }

  private async scaleDownOldReplicaSetsForRollingUpdate(allRSs: RS[], oldRSs: RS[]): Promise<number> {
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const available = availableReplicaCount(allRSs);
    if (available <= minAvailable) return 0;
    const sorted = [...oldRSs].sort(byCreation);
    const target = available - minAvailable;
    let total = 0;
    for (const rs of sorted) {
      if (total >= target) break;
      if (rsReplicas(rs) === 0) continue;
      const count = Math.min(rsReplicas(rs), target - total);
      await this.scaleReplicaSetAndRecordEvent(rs, rsReplicas(rs) - count);
      total += count;
    }
    return total;
  }

  // ---- recreate ----------------------------------------------------------------------------

  private async rolloutRecreate(): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      if ((await this.scaleReplicaSetAndRecordEvent(rs, 0)).scaled) scaledDown = true;
    }
    ({ newRS, oldRSs } = this.refresh(newRS, oldRSs));
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus([...oldRSs, newRS], newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true));
    await this.scaleReplicaSetAndRecordEvent(newRS!, replicasOf(this.d));
    ({ newRS, oldRSs } = this.refresh(newRS, oldRSs));
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanupDeployment(oldRSs);
    return this.syncRolloutStatus([...oldRSs, newRS], newRS);
  }

  /** Old ReplicaSets still report pods, or any pod of theirs is not finished. */
  private oldPodsRunning(newRS: RS | undefined, oldRSs: RS[]): boolean {
    if (actualReplicaCount(oldRSs) > 0) return true;
    for (const rs of this.rsList) {
      if (newRS && rs.metadata?.uid === newRS.metadata?.uid) continue;
      for (const pod of this.deps.podsOf(rs)) {
        const phase = pod.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  // ---- progress ----------------------------------------------------------------------------

  private async syncRolloutStatus(allRSs: Array<RS | undefined>, newRS: RS | undefined): Promise<void> {
    const d = this.d;
    const now = this.deps.now();
    const status = calculateStatus(allRSs, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(status, conditionProgressing);
    const current = getCondition(d.status, conditionProgressing);
    const isComplete = status.replicas === status.updatedReplicas && current?.reason === reasons.newRSAvailable;
    if (hasProgressDeadline(d) && !isComplete) {
      const rsName = newRS?.metadata?.name;
      if (deploymentComplete(d, status)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata!.name}" has successfully progressed.`;
        setCondition(status, newCondition(conditionProgressing, 'True', reasons.newRSAvailable, msg, now));
      } else if (deploymentProgressing(d, status)) {
        const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata!.name}" is progressing.`;
        const cond = newCondition(conditionProgressing, 'True', reasons.rsUpdated, msg, now);
        // Progress refreshes lastUpdateTime even with the same reason; the transition time stays.
        if (current) {
          if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, conditionProgressing);
        }
        setCondition(status, cond);
      } else if (deploymentTimedOut(d, status, now)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata!.name}" has timed out progressing.`;
        setCondition(status, newCondition(conditionProgressing, 'False', reasons.timedOut, msg, now));
      }
    }
    const failure = replicaFailureOf(allRSs, newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, conditionReplicaFailure);

    if (statusEqual(d.status, status)) {
      this.requeueStuckDeployment(status, now);
      return;
    }
    await this.writeStatus(status);
  }

  /** Without progress, come back when the deadline would pass (upstream requeueStuckDeployment). */
  private requeueStuckDeployment(status: DeploymentStatus, now: number): void {
    const d = this.d;
    const cur = getCondition(d.status, conditionProgressing);
    if (!hasProgressDeadline(d) || !cur) return;
    if (deploymentComplete(d, status) || cur.reason === reasons.timedOut) return;
    const last = Date.parse(cur.lastUpdateTime ?? '');
    if (Number.isNaN(last)) return;
    const after = last + d.spec!.progressDeadlineSeconds! * 1000 - now;
    if (after < 1000) this.deps.requeueAfter(0);
    else this.deps.requeueAfter(after + 1000);
  }
}

/** Equal as on the wire: zero counts and absent counts are the same (Go omits them). */
function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const strip = (s: DeploymentStatus | undefined) => Object.fromEntries(Object.entries(s ?? {}).filter(([, v]) => v !== 0));
  return canonicalJSON(strip(a)) === canonicalJSON(strip(b));
}

function isNamespaceTerminating(err: unknown): boolean {
  const details = (err as { details?: { causes?: Array<{ type?: string; reason?: string }> } } | undefined)?.details;
  return !!details?.causes?.some((c) => c.type === 'NamespaceTerminating' || c.reason === 'NamespaceTerminating');
}
