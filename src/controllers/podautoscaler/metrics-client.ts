// The resource metrics client (upstream pkg/controller/podautoscaler/metrics/client.go): PodMetrics
// of the HPA's selector from metrics.k8s.io, reduced to one value per pod — the sum of its
// containers' usage (a pod missing the resource in any container is left out), or one
// container's (ContainerResource). Values are MilliValue, as upstream's.
import type { KubeObject } from '../../api/object.js';
import { parseGoDuration } from '../../api/duration.js';
import { toMilli } from '../../api/validation/quantity.js';
import type { Client } from '../../client/rest/client.js';
import { resourceRef } from '../../client/rest/resource-ref.js';
import type { PodMetricsInfo } from './replica-calculator.js';

interface PodMetrics extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

export const podMetricsResource = resourceRef<PodMetrics>({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', kind: 'PodMetrics', namespaced: true });

export interface ResourceMetricsClient {
  /** Pod name → metric; throws upstream's errors (no metrics, a container not present). */
  getResourceMetric(resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestampMs: number }>;
}

export function restMetricsClient(client: Client): ResourceMetricsClient {
  const pods = client.resource(podMetricsResource);
  return {
    async getResourceMetric(resource, namespace, selector, container) {
      let items: PodMetrics[];
      try {
        items = (await pods.list({ namespace, labelSelector: selector })).items;
      } catch (err) {
        throw new Error(`unable to fetch metrics from resource metrics API: ${(err as Error).message}`);
      }
      if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
      const metrics: PodMetricsInfo = new Map();
      for (const m of items) {
        const name = m.metadata?.name ?? '';
        const base = { timestampMs: Date.parse(m.timestamp ?? ''), windowMs: parseGoDuration(m.window ?? '') ?? 0 };
        const containers = m.containers ?? [];
        if (container) {
          const c = containers.find((x) => x.name === container);
          if (!c) throw new Error(`failed to get container metrics: container ${container} not present in metrics for pod ${namespace}/${name}`);
          const v = c.usage?.[resource];
          if (v !== undefined) metrics.set(name, { ...base, value: toMilli(v) });
          continue;
        }
        let sum = 0;
        let missing = containers.length === 0;
        for (const c of containers) {
          const v = c.usage?.[resource];
          if (v === undefined) {
            missing = true;
            break;
          }
          sum += toMilli(v);
        }
        if (!missing) metrics.set(name, { ...base, value: sum });
      }
      return { metrics, timestampMs: Date.parse(items[0]!.timestamp ?? '') };
    },
  };
}
