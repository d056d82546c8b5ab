// The custom and external metrics clients (upstream pkg/controller/podautoscaler/metrics/client.go
// customMetricsClient and externalMetricsClient, over k8s.io/metrics' versioned clients). These
// APIs are served by an aggregated API server (prometheus-adapter, KEDA) behind an APIService;
// the controller reaches them through its ordinary client, like any other group:
//   pods:     GET /apis/custom.metrics.k8s.io/{v}/namespaces/{ns}/pods/*/{metric}?labelSelector=…&metricLabelSelector=…
//   object:   GET /apis/custom.metrics.k8s.io/{v}/namespaces/{ns}/{resource}/{name}/{metric}?metricLabelSelector=…
//             ({resource} is the kind's plural, qualified by its group outside the core group, e.g.
//             deployments.apps; a Namespace is namespaces/{ns}/metrics/{metric})
//   external: GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}?labelSelector=…
// {v} is v1beta2 or v1beta1, whichever discovery says the server serves (upstream's multiClient
// over an AvailableAPIsGetter): the paths are the same in both, and so are the fields read here
// but the window's name. Empty selectors are left out of the query, as the versioned clients'
// omitempty options do. Values are MilliValue; errors carry upstream's texts.
import type { CrossVersionObjectReference } from 'kubernetes-types/autoscaling/v2.js';
import { toMilli } from '../../api/validation/quantity.js';
import type { Client } from '../../client/rest/client.js';
import { isNotFound } from '../../client/rest/errors.js';
import { parseApiVersion } from '../../client/rest/resource-ref.js';
import { CUSTOM_METRICS_GROUP, customMetricsVersions } from './custom-metrics-versions.js';
import type { PodMetricsInfo } from './replica-calculator.js';

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

/** custom.metrics.k8s.io MetricValue, the fields read here: v1beta2 names the window
 *  windowSeconds, v1beta1 names it window. */
interface MetricValue {
  describedObject?: { kind?: string; name?: string; namespace?: string };
  timestamp?: string;
  windowSeconds?: number;
  window?: number;
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

export interface CustomMetricsClientOptions {
  /** How long a chosen API version is kept before discovery is asked again (the HPA sync period). */
  recheckVersionAfterMs?: number;
}

export function restCustomMetricsClient(client: Client, opts: CustomMetricsClientOptions = {}): CustomMetricsClient {
  // 15 s: the default HPA sync period, upstream's invalidation interval.
  const versions = customMetricsVersions(client, opts.recheckVersionAfterMs ?? 15_000);
  /** qualResourceForKind: the group-qualified plural of a kind, from discovery (upstream's RESTMapper). */
  async function qualifiedResource(group: string, kind: string): Promise<string> {
    const match = (list: { group: string; kind: string; plural: string }[]) => list.find((r) => r.group === group && r.kind === kind);
    const found = match(await client.discovery.resources()) ?? match(await client.discovery.refresh());
    const groupKind = group ? `${kind}.${group}` : kind;
    if (!found) throw new Error(`unable to map kind ${groupKind} to resource: no matches for kind "${kind}" in group "${group}"`);
    return group ? `${found.plural}.${group}` : found.plural;
  }

  /** GETs `/apis/custom.metrics.k8s.io/{v}/namespaces/{ns}/{rest}` at the preferred version.
   *  A NotFound may mean that version is gone (its APIService deleted): the choice is dropped so
   *  the next sync asks discovery again. */
  async function values(namespace: string, rest: () => Promise<string> | string): Promise<{ version: string; items: MetricValue[] }> {
    const version = await versions.preferred();
    const path = `/apis/${CUSTOM_METRICS_GROUP}/${version}/namespaces/${seg(namespace)}/${await rest()}`;
    try {
      return { version, items: (await client.requestJSON<{ items?: MetricValue[] }>({ method: 'GET', path })).items ?? [] };
    } catch (err) {
      if (isNotFound(err)) versions.invalidate();
      throw err;
    }
  }

  return {
    async getRawMetric(metricName, namespace, selector, metricSelector) {
      let got: { version: string; items: MetricValue[] };
      try {
        got = await values(namespace, () => `pods/*/${seg(metricName)}${query({ labelSelector: selector, metricLabelSelector: metricSelector })}`);
      } catch (err) {
        throw new Error(`unable to fetch metrics from custom metrics API: ${(err as Error).message}`);
      }
      if (got.items.length === 0) throw new Error('no metrics returned from custom metrics API');
      const out: PodMetricsInfo = new Map();
      for (const m of got.items) {
        const windowSeconds = got.version === 'v1beta1' ? m.window : m.windowSeconds;
        out.set(m.describedObject?.name ?? '', {
          timestampMs: Date.parse(m.timestamp ?? ''),
          windowMs: windowSeconds !== undefined ? windowSeconds * 1000 : DEFAULT_WINDOW_MS,
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
        ({ items } = await values(namespace, async () =>
          objectRef.kind === 'Namespace' && group === ''
            ? `metrics/${seg(metricName)}${q}`
            : `${await qualifiedResource(group, objectRef.kind)}/${seg(objectRef.name)}/${seg(metricName)}${q}`,
        ));
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
