// PodDisruptionBudget status arithmetic (upstream pkg/controller/disruption and
// pkg/apis/policy/helper): how many pods are healthy, how many must be, how many disruptions
// that allows, which evicted pods still count as going away, and the DisruptionAllowed condition.
// Pure: the controller supplies pods, the expected count and the clock.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { isPodReady } from '../endpoints/pod-util.js';

/** An evicted pod not deleted within this long counts as healthy again (upstream DeletionTimeout). */
export const deletionTimeoutMs = 2 * 60 * 1000;

export const disruptionAllowedCondition = 'DisruptionAllowed';
export const sufficientPodsReason = 'SufficientPods';
export const insufficientPodsReason = 'InsufficientPods';
export const syncFailedReason = 'SyncFailed';

/** metav1.Time: RFC 3339 with whole seconds. */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is; "N%" of total, rounded up when `roundUp`.
 * Throws on anything else, with upstream's message.
 */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** Whether spec needs the owning controllers' scale (maxUnavailable, or a percentage minAvailable). */
export function needsScale(pdb: PodDisruptionBudget): boolean {
  if (pdb.spec?.maxUnavailable !== undefined) return true;
  return typeof pdb.spec?.minAvailable === 'string';
}

/**
 * expectedCount and desiredHealthy. `scale` is the sum of the owning controllers' replicas (only
 * consulted when needsScale). With neither field set, both are 0, as upstream.
 */
export function expectedAndDesired(pdb: PodDisruptionBudget, podCount: number, scale: () => number): { expectedCount: number; desiredHealthy: number } {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) {
    const expectedCount = scale();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
  }
  if (spec.minAvailable !== undefined) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: podCount, desiredHealthy: spec.minAvailable };
    const expectedCount = scale();
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true) };
  }
  return { expectedCount: 0, desiredHealthy: 0 };
}

/**
 * buildDisruptedPodMap: the recorded disruptions still pending (pod exists, not yet deleting,
 * recorded less than 2 minutes ago), the pods whose entry expired (for a NotDeleted event), and
 * when the earliest pending entry expires (to recheck then).
 */
export function pendingDisruptions(pdb: PodDisruptionBudget, pods: Pod[], now: Date): { disruptedPods: Record<string, string>; expired: Pod[]; recheckAt?: Date } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disruptedPods: Record<string, string> = {};
  const expired: Pod[] = [];
  let recheck: number | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = recorded[pod.metadata?.name ?? ''];
    if (at === undefined) continue;
    const expectedDeletion = Date.parse(at) + deletionTimeoutMs;
    if (expectedDeletion < now.getTime()) {
      expired.push(pod);
    } else {
      disruptedPods[pod.metadata!.name!] = at;
      if (recheck === undefined || expectedDeletion < recheck) recheck = expectedDeletion;
    }
  }
  return { disruptedPods, expired, recheckAt: recheck === undefined ? undefined : new Date(recheck) };
}

/** countHealthyPods: ready pods that are neither being deleted nor recently evicted. */
export function countHealthy(pods: Pod[], disruptedPods: Record<string, string>, now: Date): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disruptedPods[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + deletionTimeoutMs > now.getTime()) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/**
 * apimeta.SetStatusCondition: replaces the condition of that type, keeping lastTransitionTime
 * unless the status changed.
 */
export function setCondition(conditions: Condition[], c: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition[] {
  const existing = conditions.find((x) => x.type === c.type);
  const next: Condition = { ...c, lastTransitionTime: existing && existing.status === c.status ? existing.lastTransitionTime : metaTime(now) };
  return existing ? conditions.map((x) => (x.type === c.type ? next : x)) : [...conditions, next];
}

/** The DisruptionAllowed condition as the status's disruptionsAllowed says (UpdateDisruptionAllowedCondition). */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: Date): Condition[] {
  const allowed = status.disruptionsAllowed > 0;
  return setCondition(
    status.conditions ?? [],
    {
      type: disruptionAllowedCondition,
      status: allowed ? 'True' : 'False',
      reason: allowed ? sufficientPodsReason : insufficientPodsReason,
      message: '',
      observedGeneration: status.observedGeneration,
    },
    now,
  );
}

/** ConditionsAreUpToDate: the condition exists, is for this generation, and matches disruptionsAllowed. */
export function conditionsUpToDate(pdb: PodDisruptionBudget): boolean {
  const c = pdb.status?.conditions?.find((x) => x.type === disruptionAllowedCondition);
  if (!c) return false;
  if ((pdb.status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return c.status === 'True' && c.reason === sufficientPodsReason;
  return c.status === 'False' && c.reason === insufficientPodsReason;
}

/**
 * The status to write, or undefined when the current one already says it (updatePdbStatus).
 * disruptionsAllowed is 0 while no pods are expected: a budget matching nothing yet must not
 * vouch for the first pods before it has counted them.
 */
export function desiredStatus(
  pdb: PodDisruptionBudget,
  s: { currentHealthy: number; desiredHealthy: number; expectedCount: number; disruptedPods: Record<string, string> },
  now: Date,
): PodDisruptionBudgetStatus | undefined {
  let disruptionsAllowed = s.currentHealthy - s.desiredHealthy;
  if (s.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const cur = pdb.status;
  const generation = pdb.metadata?.generation ?? 0;
  if (
    cur &&
    cur.currentHealthy === s.currentHealthy &&
    cur.desiredHealthy === s.desiredHealthy &&
    cur.expectedPods === s.expectedCount &&
    cur.disruptionsAllowed === disruptionsAllowed &&
    sameDisruptedPods(cur.disruptedPods, s.disruptedPods) &&
    (cur.observedGeneration ?? 0) === generation &&
    conditionsUpToDate(pdb)
  ) {
    return undefined;
  }
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptedPods: Object.keys(s.disruptedPods).length ? s.disruptedPods : undefined,
    disruptionsAllowed,
    currentHealthy: s.currentHealthy,
    desiredHealthy: s.desiredHealthy,
    expectedPods: s.expectedCount,
    conditions: cur?.conditions ?? [],
  };
  status.conditions = withDisruptionAllowedCondition(status, now);
  if (!status.disruptedPods) delete status.disruptedPods;
  return status;
}

/** failSafe: no disruptions and DisruptionAllowed=False/SyncFailed with the error, counts untouched. */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, now: Date): PodDisruptionBudgetStatus {
  const cur = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  return {
    ...cur,
    disruptionsAllowed: 0,
    conditions: setCondition(cur.conditions ?? [], { type: disruptionAllowedCondition, status: 'False', reason: syncFailedReason, message, observedGeneration: cur.observedGeneration }, now),
  };
}

function sameDisruptedPods(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => b[k] !== undefined && Date.parse(b[k]) === Date.parse(a![k]));
}
