// The leader election record (client-go tools/leaderelection/resourcelock) and its mapping onto a
// coordination.k8s.io/v1 LeaseSpec. Times are milliseconds since the epoch here and metav1.MicroTime
// strings (RFC 3339 with six fractional digits) on the Lease.
import type { LeaseSpec } from 'kubernetes-types/coordination/v1.js';

export interface LeaderElectionRecord {
  /** "" when nobody holds the lease (after a release). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: number;
  renewTime?: number;
  leaderTransitions: number;
}

/** metav1.MicroTime's JSON form: 2006-01-02T15:04:05.000000Z. */
export function formatMicroTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // …T15:04:05.123Z
  return `${iso.slice(0, -1)}000Z`;
}

export function parseMicroTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

export function recordToLeaseSpec(r: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec = {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    leaseTransitions: r.leaderTransitions,
  };
  if (r.acquireTime !== undefined) spec.acquireTime = formatMicroTime(r.acquireTime);
  if (r.renewTime !== undefined) spec.renewTime = formatMicroTime(r.renewTime);
  return spec;
}

export function leaseSpecToRecord(spec: LeaseSpec | undefined): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: parseMicroTime(spec?.acquireTime),
    renewTime: parseMicroTime(spec?.renewTime),
    leaderTransitions: spec?.leaseTransitions ?? 0,
  };
}
