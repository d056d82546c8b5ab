// Pure helpers over a Deployment's ReplicaSets (upstream deploymentutil): which one is new, the
// counts, orderings, revision annotations, and proportional scaling shares.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.js';
import { equalIgnoreHash } from './hash.js';
import { maxSurge, replicasOf, scaledValue } from './intorstr.js';

export type RS = ReplicaSet & KubeObject;

export const annotations = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
  rollbackTo: 'deprecated.deployment.rollback.to',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
  changeCause: 'kubernetes.io/change-cause',
} as const;

/** Upper bound on the revision-history annotation's length. */
export const maxRevHistoryLengthInChars = 2000;

const skipCopy = new Set<string>([annotations.lastApplied, annotations.revision, annotations.revisionHistory, annotations.desiredReplicas, annotations.maxReplicas, annotations.rollbackTo]);

export const rsReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 1;

const created = (rs: ReplicaSet) => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/** Older first; equal times by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
}

/** Larger first; equal sizes newer first (ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreation(b, a);
  return rsReplicas(b) - rsReplicas(a);
}

/** Larger first; equal sizes older first (ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreation(a, b);
  return rsReplicas(b) - rsReplicas(a);
}

export function revisionOf(obj: KubeObject | ReplicaSet): number {
  const v = obj.metadata?.annotations?.[annotations.revision];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

/** Lower revision first; equal revisions by creation (ReplicaSetsByRevision). */
export function byRevision(a: RS, b: RS): number {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreation(a, b);
}

export function maxRevision(rss: readonly RS[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The oldest ReplicaSet whose template equals the deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rss: readonly RS[]): RS | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rss: readonly RS[]): RS[] {
  const n = findNewReplicaSet(d, rss);
  return rss.filter((rs) => !n || rs.metadata?.uid !== n.metadata?.uid);
}

export const filterActive = (rss: ReadonlyArray<RS | undefined>): RS[] => rss.filter((rs): rs is RS => !!rs && rsReplicas(rs) > 0);

const sum = (rss: ReadonlyArray<RS | undefined>, f: (rs: RS) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Σ spec.replicas. */
export const specReplicaCount = (rss: ReadonlyArray<RS | undefined>) => sum(rss, rsReplicas);
/** Σ status.replicas. */
export const actualReplicaCount = (rss: ReadonlyArray<RS | undefined>) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: ReadonlyArray<RS | undefined>) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: ReadonlyArray<RS | undefined>) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** The only active ReplicaSet, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: RS | undefined, oldRSs: readonly RS[]): RS | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const desiredReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, annotations.desiredReplicas);

/** Sets desired/max-replicas annotations on a (mutable) ReplicaSet; true when they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  const d = String(desired);
  const m = String(max);
  if (a[annotations.desiredReplicas] === d && a[annotations.maxReplicas] === m) return false;
  a[annotations.desiredReplicas] = d;
  a[annotations.maxReplicas] = m;
  return true;
}

/** The new ReplicaSet runs all desired replicas, all available (upstream IsSaturated). */
export function isSaturated(d: Deployment, rs: RS | undefined): boolean {
  if (!rs) return false;
  const replicas = replicasOf(d);
  return rsReplicas(rs) === replicas && desiredReplicasAnnotation(rs) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** This ReplicaSet's share of a change in the deployment's size (upstream getReplicaSetFraction). */
function fraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = replicasOf(d);
  if (replicas === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicas + maxSurge(d);
  const annotated = intAnnotation(rs, annotations.maxReplicas) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((rsReplicas(rs) * deploymentReplicas) / annotated) - rsReplicas(rs);
}

/** How many replicas to add to (or remove from) rs in proportional scaling (upstream GetProportion). */
export function getProportion(rs: RS | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/** Replicas the new ReplicaSet may have now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: ReadonlyArray<RS | undefined>, newRS: RS): number {
  const replicas = replicasOf(d);
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return replicas;
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
  const current = specReplicaCount(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** Copies the deployment's annotations onto the ReplicaSet (minus the controller's own); true when any changed. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopy.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * Annotations of the new ReplicaSet (upstream SetNewReplicaSetAnnotations): the deployment's
 * annotations, the new revision (a rollback to an old ReplicaSet keeps its former revisions in
 * revision-history), and for a ReplicaSet about to be created the desired/max-replicas. Mutates
 * rs; true when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = (rs.metadata!.annotations ??= {});
  const oldRevision = a[annotations.revision];
  let oldInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (!/^\d+$/.test(newRevision)) return false;
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    a[annotations.revision] = newRevision;
    changed = true;
  }
  if (oldRevision !== undefined && oldInt < newInt) {
    const history = a[annotations.revisionHistory] ?? '';
    const olds = history.split(',');
    if (olds[0].length === 0) a[annotations.revisionHistory] = oldRevision;
    else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > maxRevHistoryLengthInChars && start < olds.length) {
        total -= olds[start].length + 1;
        start++;
      }
      if (total <= maxRevHistoryLengthInChars) a[annotations.revisionHistory] = [...olds.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}
