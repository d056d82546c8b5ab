// metrics.k8s.io/v1beta1, as metrics-server serves it behind the aggregation layer (its
// pkg/api/node.go and pod.go): NodeMetrics and PodMetrics, get and list (label and field
// selectors on the nodes and pods they describe), read-only. Objects are built per request from
// the scraper's storage for the nodes and pods that exist now; one without usage yet is left out
// of a list, and a get of it is 404 (`podmetrics.metrics.k8s.io "ns/name" not found`). Pods that
// are not Running are left out, as metrics-server does.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject, StoredObject } from '../../api/object.js';
import { methodNotAllowed, notFound } from '../../api/status.js';
import { formatGoDuration } from '../../api/duration.js';
import { formatMetaTime } from '../../api/canonical-time.js';
import { formatQuantity } from '../../api/validation/quantity.js';
import { writeJSON } from '../http/respond.js';
import { negotiate } from '../http/negotiate.js';
import type { ApiServer } from '../server.js';
import type { Usage } from '../metrics/storage.js';
import { printerOf, type ResourceRequest } from './resource.js';
import { selectionFromQuery } from './selection.js';
import { toTable } from './transform.js';

export const METRICS_GROUP = 'metrics.k8s.io';
const API_VERSION = `${METRICS_GROUP}/v1beta1`;


/** metrics-server's quantities: CPU as nanocores (DecimalSI, scale −9), memory as bytes (BinarySI). */
function usageList(u: Usage): Record<string, string> {
  return {
    cpu: formatQuantity({ unscaled: BigInt(u.cpuNanoCores), scale: -9, format: 'DecimalSI' }),
    memory: formatQuantity({ unscaled: BigInt(Math.round(u.memoryBytes)), scale: 0, format: 'BinarySI' }),
  };
}

function metadataOf(obj: StoredObject, now: number): Record<string, unknown> {
  const m = obj.metadata;
  return { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), creationTimestamp: formatMetaTime(now), ...(m.labels ? { labels: m.labels } : {}) };
}

function nodeMetrics(api: ApiServer, node: StoredObject, now: number): KubeObject | undefined {
  const u = api.resourceMetrics().storage.nodeUsage(node.metadata.name ?? '');
  if (!u) return undefined;
  return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: metadataOf(node, now), timestamp: formatMetaTime(u.timestampMs), window: formatGoDuration(u.windowMs), usage: usageList(u) } as KubeObject;
}

function podMetrics(api: ApiServer, pod: StoredObject, now: number): KubeObject | undefined {
  if ((pod as unknown as Pod).status?.phase !== 'Running') return undefined;
  const u = api.resourceMetrics().storage.podUsage(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
  if (!u) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: metadataOf(pod, now),
    timestamp: formatMetaTime(u.timestampMs),
    window: formatGoDuration(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usageList(c.usage) })),
  } as KubeObject;
}

export async function handleMetrics(api: ApiServer, r: ResourceRequest): Promise<void> {
  const { verb, namespace, name } = r.info;
  if (verb !== 'get' && verb !== 'list') throw methodNotAllowed(verb, r.entry.gr);
  const nodes = r.entry.type.kind === 'NodeMetrics';
  const source = api.registry.find('', 'v1', nodes ? 'nodes' : 'pods')!;
  const build = nodes ? nodeMetrics : podMetrics;
  const n = negotiate(r.req.headers.accept, verb === 'list');
  await api.resourceMetrics().demand();
  const now = Date.now();
  if (verb === 'get') {
    // metrics-server names its resources nodemetrics/podmetrics in errors.
    const missing = notFound({ group: METRICS_GROUP, resource: nodes ? 'nodemetrics' : 'podmetrics' }, nodes ? name : `${namespace}/${name}`);
    const obj = await api.generic.get(source, namespace, name).catch(() => {
      throw missing;
    });
    const out = build(api, obj, now);
    if (!out) throw missing;
    if (n.form === 'table') return writeJSON(r.res, 200, toTable(printerOf(r.entry), [out], {}, n, { includeObject: r.query.get('includeObject') ?? 'Metadata', now: new Date(now) }));
    return writeJSON(r.res, 200, out);
  }
  const selection = selectionFromQuery(source, r.query);
  const listed = await api.generic.list(source, namespace, { filter: selection.filter, unfiltered: selection.everything, resourceVersion: '0' });
  const items = listed.items.map((o) => build(api, o, now)).filter((o): o is KubeObject => o !== undefined);
  if (n.form === 'table') return writeJSON(r.res, 200, toTable(printerOf(r.entry), items, {}, n, { includeObject: r.query.get('includeObject') ?? 'Metadata', now: new Date(now) }));
  writeJSON(r.res, 200, { kind: nodes ? 'NodeMetricsList' : 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items });
}

/** The node names the scraper visits: every Node the API server knows. */
export async function allNodeNames(api: ApiServer): Promise<string[]> {
  const entry = api.registry.find('', 'v1', 'nodes')!;
  const { items } = await api.generic.list(entry, '', { resourceVersion: '0' });
  return items.map((n) => (n as unknown as Node).metadata?.name ?? '').filter(Boolean);
}
