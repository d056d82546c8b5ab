// The custom and external metrics clients (upstream pkg/controller/podautoscaler/metrics/client.go
// customMetricsClient and externalMetricsClient, over k8s.io/metrics' versioned clients). These
// APIs are served by an aggregated API server (prometheus-adapter, KEDA) behind an APIService;
// the controller reaches them through its ordinary client, like any other group:
//   pods:     GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/{ns}/pods/*/{metric}?labelSelector=…&metricLabelSelector=…
//   object:   GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/{ns}/{resource}/{name}/{metric}?metricLabelSelector=…
//             ({resource} is the kind's plural, qualified by its group outside the core group, e.g.
//             deployments.apps; a Namespace is namespaces/{ns}/metrics/{metric})
//   external: GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}?labelSelector=…
// Empty selectors are left out of the query, as the versioned clients' omitempty options do.
// Values are MilliValue; errors carry upstream's texts.
import type { CrossVersionObjectReference } from 'kubernetes-types/autoscaling/v2.js';
import { toMilli } from '../../api/validation/quantity.js';
import type { Client } from '../../client/rest/client.js';
import { parseApiVersion } from '../../client/rest/resource-ref.js';
import type { PodMetricsInfo } from './replica-calculator.js';

export const CUSTOM_METRICS_PREFIX = '/apis/custom.metrics.k8s.io/v1beta2';
export const EXTERNAL_METRICS_PREFIX = '/apis/external.metrics.k8s.io/v1beta1';
/** metricServerDefaultMetricWindow: a value's window when the adapter names none. */
const DEFAULT_WINDOW_MS = 60_000;

export interface CustomMetricsClient {
  /** GetRawMetric: pod name → value of the pods `selector` picks (label selector texts). */
  getRawMetric(metricName: string, namespace: string, selector: string, metricSelector: string): Promise<PodMetricsInfo>;
  /** GetObjectMetric: the one value of the described object. */
  getObjectMetric(metricName: string, namespace: string, objectRef: CrossVersionObjectReference, metricSelector: string): Promise<number>;
}

export interface ExternalMetricsClient {
  /** GetExternalMetric: every value of the metric that matches `selector`. */
  getExternalMetric(metricName: string, namespace: string, selector: string): Promise<number[]>;
}

/** custom.metrics.k8s.io/v1beta2 MetricValue, the fields read here. */
interface MetricValue {
  describedObject?: { kind?: string; name?: string; namespace?: string };
  timestamp?: string;
  windowSeconds?: number;
  value?: string | number;
}

interface ExternalMetricValue {
  timestamp?: string;
  value?: string | number;
}

function query(params: Record<string, string>): string {
  const set = Object.entries(params).filter(([, v]) => v !== '');
  return set.length ? `?${new URLSearchParams(set).toString()}` : '';
}

const seg = encodeURIComponent;

export function restCustomMetricsClient(client: Client): CustomMetricsClient {
  /** qualResourceForKind: the group-qualified plural of a kind, from discovery (upstream's RESTMapper). */
  async function qualifiedResource(group: string, kind: string): Promise<string> {
    const match = (list: { group: string; kind: string; plural: string }[]) => list.find((r) => r.group === group && r.kind === kind);
    const found = match(await client.discovery.resources()) ?? match(await client.discovery.refresh());
    const groupKind = group ? `${kind}.${group}` : kind;
    if (!found) throw new Error(`unable to map kind ${groupKind} to resource: no matches for kind "${kind}" in group "${group}"`);
    return group ? `${found.plural}.${group}` : found.plural;
  }

  async function values(path: string): Promise<MetricValue[]> {
    return (await client.requestJSON<{ items?: MetricValue[] }>({ method: 'GET', path })).items ?? [];
  }

  return {
    async getRawMetric(metricName, namespace, selector, metricSelector) {
      let items: MetricValue[];
      try {
        items = await values(`${CUSTOM_METRICS_PREFIX}/namespaces/${seg(namespace)}/pods/*/${seg(metricName)}${query({ labelSelector: selector, metricLabelSelector: metricSelector })}`);
      } catch (err) {
        throw new Error(`unable to fetch metrics from custom metrics API: ${(err as Error).message}`);
      }
      if (items.length === 0) throw new Error('no metrics returned from custom metrics API');
      const out: PodMetricsInfo = new Map();
      for (const m of items) {
        out.set(m.describedObject?.name ?? '', {
          timestampMs: Date.parse(m.timestamp ?? ''),
          windowMs: m.windowSeconds !== undefined ? m.windowSeconds * 1000 : DEFAULT_WINDOW_MS,
          value: toMilli(String(m.value ?? '0')),
        });
      }
      return out;
    },

    async getObjectMetric(metricName, namespace, objectRef, metricSelector) {
      const { group } = parseApiVersion(objectRef.apiVersion ?? '');
      let items: MetricValue[];
      try {
        const q = query({ metricLabelSelector: metricSelector });
        // A Namespace is the HPA's own (a reference may not leave its namespace): its name is ignored, as upstream does.
        const path =
          objectRef.kind === 'Namespace' && group === ''
            ? `${CUSTOM_METRICS_PREFIX}/namespaces/${seg(namespace)}/metrics/${seg(metricName)}${q}`
            : `${CUSTOM_METRICS_PREFIX}/namespaces/${seg(namespace)}/${await qualifiedResource(group, objectRef.kind)}/${seg(objectRef.name)}/${seg(metricName)}${q}`;
        items = await values(path);
        if (items.length !== 1) throw new Error(`the custom metrics API server returned ${items.length} results when we asked for exactly one`);
      } catch (err) {
        throw new Error(`unable to fetch metrics from custom metrics API: ${(err as Error).message}`);
      }
      return toMilli(String(items[0]!.value ?? '0'));
    },
  };
}

export function restExternalMetricsClient(client: Client): ExternalMetricsClient {
  return {
    async getExternalMetric(metricName, namespace, selector) {
      let items: ExternalMetricValue[];
      try {
        const path = `${EXTERNAL_METRICS_PREFIX}/namespaces/${seg(namespace)}/${seg(metricName)}${query({ labelSelector: selector })}`;
        items = (await client.requestJSON<{ items?: ExternalMetricValue[] }>({ method: 'GET', path })).items ?? [];
      } catch (err) {
        throw new Error(`unable to fetch metrics from external metrics API: ${(err as Error).message}`);
      }
      if (items.length === 0) throw new Error('no metrics returned from external metrics API');
      return items.map((m) => toMilli(String(m.value ?? '0')));
    },
  };
}
