// Zones and their disruption states (upstream nodelifecycle ComputeZoneState and
// setLimiterInZone): how fast NoExecute taints (and so evictions) may proceed in a zone depends
// on how much of it is unhealthy, so a network partition does not empty a whole zone.
import type { Node } from 'kubernetes-types/core/v1.js';

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

export interface EvictionRates {
  /** Taints per second in a healthy zone (--node-eviction-rate, 0.1). */
  evictionQPS: number;
  /** Taints per second in a partially unhealthy large zone (--secondary-node-eviction-rate, 0.01). */
  secondaryEvictionQPS: number;
  /** Zones of at most this many nodes stop tainting when partially unhealthy (--large-cluster-size-threshold, 50). */
  largeClusterThreshold: number;
  /** Fraction of not-ready nodes (at least 3) that makes a zone partially disrupted (--unhealthy-zone-threshold, 0.55). */
  unhealthyZoneThreshold: number;
}

export const defaultEvictionRates: EvictionRates = { evictionQPS: 0.1, secondaryEvictionQPS: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };

/** region + ":\0:" + zone, from the topology labels (upstream GetZoneKey); "" when unlabelled. */
export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  if (!region && !zone) return '';
  return `${region}:\x00:${zone}`;
}

/** The zone's state from its nodes' Ready statuses (anything but "True" is not ready). */
export function computeZoneState(readyStatuses: (string | undefined)[], unhealthyZoneThreshold: number): { notReady: number; state: ZoneState } {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyZoneThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

/** The tainting rate for a zone in a state. */
export function zoneQPS(state: ZoneState, zoneSize: number, rates: EvictionRates): number {
  switch (state) {
    case 'PartialDisruption':
      return zoneSize > rates.largeClusterThreshold ? rates.secondaryEvictionQPS : 0;
    case 'Normal':
    case 'FullDisruption':
    default:
      return rates.evictionQPS;
  }
}
