// The message an evicted pod carries (upstream evictionMessage): which resource, the threshold
// and what was available, and every container using more than it requested, e.g.
//   "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container
//    app was using 70Mi, request is 0, has larger consumption of memory. "
// (one line, with upstream's trailing space), plus the event annotations naming the offenders.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { canonicalQuantity, toValue } from '../../api/validation/quantity.js';
import { quantityText, thresholdQuantityText, type Observations, type StatsFunc } from './observations.js';
import {
  containerMessage,
  nodeLowMessage,
  offendingContainersKey,
  offendingContainersUsageKey,
  signalToResource,
  starvedResourceKey,
  thresholdMetMessage,
  type ReclaimResource,
  type Threshold,
} from './types.js';

export function evictionMessage(
  resource: ReclaimResource,
  pod: Pod,
  stats: StatsFunc,
  thresholds: Threshold[],
  observations: Observations,
): { message: string; annotations: Record<string, string> } {
  const annotations: Record<string, string> = {};
  let message = nodeLowMessage(resource);
  for (const t of thresholds) {
    if (signalToResource[t.signal] !== resource) continue;
    const o = observations.get(t.signal);
    if (!o) continue;
    message += thresholdMetMessage(thresholdQuantityText(t.value, o.capacity), quantityText(o.available, o.format));
    break;
  }
  const podStats = stats(pod.metadata?.uid ?? '');
  if (!podStats) return { message, annotations };
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const exceeded: string[] = [];
  const usages: string[] = [];
  for (const cs of podStats.containers) {
    const c = containers.find((x) => x.name === cs.name);
    if (!c) continue;
    const req = c.resources?.requests?.[resource];
    const reqValue = req === undefined ? 0 : toValue(String(req));
    let usage: number | undefined;
    if (resource === 'ephemeral-storage' && cs.rootfs?.usedBytes !== undefined && cs.logs?.usedBytes !== undefined) usage = cs.rootfs.usedBytes + cs.logs.usedBytes;
    else if (resource === 'memory' && cs.memory?.workingSetBytes !== undefined) usage = cs.memory.workingSetBytes;
    if (usage !== undefined && usage > reqValue) {
      const u = quantityText(usage, 'BinarySI');
      message += containerMessage(c.name, u, req === undefined ? '0' : canonicalQuantity(String(req)), resource);
      exceeded.push(c.name);
      usages.push(u);
    }
  }
  annotations[offendingContainersKey] = exceeded.join(',');
  annotations[offendingContainersUsageKey] = usages.join(',');
  annotations[starvedResourceKey] = resource;
  return { message, annotations };
}
