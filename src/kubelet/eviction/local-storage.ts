// Eviction for local storage limits (upstream localStorageEviction, LocalStorageCapacityIsolation):
// independent of node pressure, a pod is evicted at once when an emptyDir outgrows its sizeLimit,
// when the pod's ephemeral storage outgrows the sum of its containers' limits, or when a
// container's logs + writable layer outgrow its own limit. Checked in that order, per pod.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { canonicalQuantity, formatQuantity, parseQuantity, toValue, type QuantityFormat } from '../../api/validation/quantity.js';
import type { PodStats } from '../stats/types.js';

export type LocalStorageSignal = 'emptydirfs.limit' | 'ephemeralpodfs.limit' | 'ephemeralcontainerfs.limit';

export interface LocalStorageViolation {
  signal: LocalStorageSignal;
  message: string;
}

const value = (q: unknown) => toValue(String(q));
const text = (q: unknown) => canonicalQuantity(String(q));

/**
 * upstream PodLimits for ephemeral-storage: app containers and sidecars summed, the largest init
 * container if larger; printed in the format of the first limit (as Quantity.Add keeps it).
 */
function podEphemeralLimit(pod: Pod): { bytes: number; text: string } | undefined {
  let sum = 0;
  let format: QuantityFormat | undefined;
  const take = (l: unknown) => {
    format ??= parseQuantity(String(l)).format;
    return value(l);
  };
  for (const c of pod.spec?.containers ?? []) {
    const l = c.resources?.limits?.['ephemeral-storage'];
    if (l !== undefined) sum += take(l);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const l = c.resources?.limits?.['ephemeral-storage'];
    if (l === undefined) continue;
    sum = c.restartPolicy === 'Always' ? sum + take(l) : Math.max(sum, take(l));
  }
  if (format === undefined) return undefined;
  return { bytes: sum, text: formatQuantity({ unscaled: BigInt(sum), scale: 0, format }) };
}

export function localStorageViolation(pod: Pod, stats: PodStats): LocalStorageViolation | undefined {
  for (const v of pod.spec?.volumes ?? []) {
    const limit = v.emptyDir?.sizeLimit;
    if (limit === undefined || value(limit) <= 0) continue;
    const used = stats.volume?.find((x) => x.name === v.name)?.usedBytes;
    if (used !== undefined && used > value(limit)) return { signal: 'emptydirfs.limit', message: `Usage of EmptyDir volume "${v.name}" exceeds the limit "${text(limit)}". ` };
  }
  const podLimit = podEphemeralLimit(pod);
  const podUsed = stats['ephemeral-storage']?.usedBytes ?? 0;
  if (podLimit && podUsed > podLimit.bytes) return { signal: 'ephemeralpodfs.limit', message: `Pod ephemeral local storage usage exceeds the total limit of containers ${podLimit.text}. ` };
  for (const cs of stats.containers) {
    const c = (pod.spec?.containers ?? []).find((x) => x.name === cs.name);
    const limit = c?.resources?.limits?.['ephemeral-storage'];
    if (limit === undefined || value(limit) === 0) continue;
    const used = (cs.logs?.usedBytes ?? 0) + (cs.rootfs?.usedBytes ?? 0);
    if (used > value(limit)) return { signal: 'ephemeralcontainerfs.limit', message: `Container ${cs.name} exceeded its local ephemeral storage limit "${text(limit)}". ` };
  }
  return undefined;
}
