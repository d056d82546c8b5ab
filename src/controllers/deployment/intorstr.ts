// maxSurge / maxUnavailable (upstream intstr.GetScaledValueFromIntOrPercent and
// deploymentutil.ResolveFenceposts, MaxSurge, MaxUnavailable).
import type { Deployment } from 'kubernetes-types/apps/v1.js';

type IntOrString = number | string | undefined | null;

/** An int as is; "N%" of total rounded up (surge) or down (unavailable). Throws on other strings. */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const pct = Number(v.slice(0, -1));
  if (!Number.isInteger(pct)) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}`);
  const x = (pct * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Surge and unavailability in pods; both zero resolves unavailability to 1 (as upstream). */
export function resolveFenceposts(maxSurge: IntOrString, maxUnavailable: IntOrString, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function replicasOf(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable, replicas);
}
