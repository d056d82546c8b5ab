// The horizontal-pod-autoscaler with Pods, Object and External metrics, end to end: a real HTTPS
// custom+external metrics server in the test (as prometheus-adapter or KEDA would be), trusting
// only the front proxy CA k8ts publishes, registered through APIServices for
// v1beta2.custom.metrics.k8s.io and v1beta1.external.metrics.k8s.io and a Service; a node agent
// runs the Deployments' pods. The server's values follow a load the test sets (spread over the
// running pods, as real per-pod metrics are), and each HPA scales its Deployment up and back down
// with upstream's statuses, conditions and events; an erroring external metric gives
// FailedGetExternalMetric. Last, the v1beta2 APIService gives way to a v1beta1 one for the same
// server, and the controller finds that version through discovery. The HPA syncs every second,
// and every wait is on a condition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createCa, issueLeaf } from '../../src/auth/pki/issue.js';
import { generateKeyPair } from '../../src/auth/pki/keys.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';

const CUSTOM = 'custom.metrics.k8s.io/v1beta2';
const CUSTOM_V1BETA1 = 'custom.metrics.k8s.io/v1beta1';
const EXTERNAL = 'external.metrics.k8s.io/v1beta1';
const QUEUE_SELECTOR = '&LabelSelector{MatchLabels:map[string]string{queue: worker_tasks,},MatchExpressions:[]LabelSelectorRequirement{},}';

let nc: NodeCluster;
let adapter: Server;
/** The adapter's CA, for the APIServices. */
let caBundle = '';

const apiService = (group: string, version: string) => ({
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: `${version}.${group}` },
  spec: { group, version, service: { namespace: 'monitoring', name: 'metrics-adapter', port: 443 }, caBundle, groupPriorityMinimum: 100, versionPriority: 100 },
});

/** What the test controls: each metric's total load (the Pods metric's per app), and whether the external metric fails. */
const load = { podRequests: {} as Record<string, number>, ingressRequests: 0, ingressPerServingPod: true, queueMessages: [0] };
let externalFails = false;
/** Every request the adapter answered: path with query, and the user the front proxy named. */
const seen: { url: string; user: string }[] = [];

const runningPods = async (app: string) =>
  (await nc.client.resource(resources.pods).list({ namespace: 'default', labelSelector: `app=${app}` })).items.filter((p: Pod) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);

/** A quantity in milli-units, as adapters print fractional values. */
const milli = (v: number) => `${Math.round(v * 1000)}m`;

async function serve(req: IncomingMessage, res: ServerResponse, allowedNames: string[]): Promise<void> {
  const socket = req.socket as TLSSocket;
  const json = (code: number, body: object) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (!socket.authorized || !allowedNames.includes(String(socket.getPeerCertificate().subject?.CN ?? ''))) return json(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
  const url = new URL(req.url ?? '/', 'https://adapter');
  seen.push({ url: req.url ?? '', user: String(req.headers['x-remote-user']) });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // The custom metrics are served at any version (v1beta1, and v1alpha1 the controller cannot
  // read), the same paths: matched as v1beta2's, answered in the asked version (v1beta1's
  // MetricValue names the metric metricName and the window window).
  const asked = /^\/apis\/custom\.metrics\.k8s\.io\/(v\w+)/.exec(decodeURIComponent(url.pathname))?.[1];
  const customVersion = `custom.metrics.k8s.io/${asked ?? 'v1beta2'}`;
  const v1beta1 = customVersion === CUSTOM_V1BETA1;
  const path = decodeURIComponent(url.pathname).replace(`/apis/${customVersion}`, `/apis/${CUSTOM}`);
  if (path === `/apis/${CUSTOM}`) {
    return json(200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: customVersion,
      resources: [
        { name: 'pods/requests_per_second', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] },
        { name: 'ingresses.networking.k8s.io/requests_per_second', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] },
      ],
    });
  }
  if (path === `/apis/${EXTERNAL}`) {
    return json(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: EXTERNAL, resources: [{ name: 'queue_messages_ready', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }] });
  }
  if (path === `/apis/${CUSTOM}/namespaces/default/pods/*/requests_per_second`) {
    // Per pod: the load spread over the running pods the HPA's selector picks.
    const selector = url.searchParams.get('labelSelector') ?? '';
    const pods = (await nc.client.resource(resources.pods).list({ namespace: 'default', labelSelector: selector })).items.filter((p: Pod) => p.status?.phase === 'Running');
    const total = load.podRequests[selector.replace(/^app=/, '')] ?? 0;
    const items = pods.map((p: Pod) => ({
      describedObject: { kind: 'Pod', namespace: 'default', name: p.metadata!.name, apiVersion: '/v1' },
      ...(v1beta1 ? { metricName: 'requests_per_second', window: 60 } : { metric: { name: 'requests_per_second' }, windowSeconds: 60 }),
      timestamp: now,
      value: milli(total / pods.length),
    }));
    return json(200, { kind: 'MetricValueList', apiVersion: customVersion, metadata: {}, items });
  }
  if (path === `/apis/${CUSTOM}/namespaces/default/ingresses.networking.k8s.io/main-route/requests_per_second`) {
    // The ingress's requests per serving pod (what its backends each see), or its total.
    const serving = load.ingressPerServingPod ? Math.max(1, (await runningPods('object')).length) : 1;
    const item = {
      describedObject: { kind: 'Ingress', namespace: 'default', name: 'main-route', apiVersion: 'networking.k8s.io/v1' },
      ...(v1beta1 ? { metricName: 'requests_per_second' } : { metric: { name: 'requests_per_second' } }),
      timestamp: now,
      value: milli(load.ingressRequests / serving),
    };
    return json(200, { kind: 'MetricValueList', apiVersion: customVersion, metadata: {}, items: [item] });
  }
  if (path === `/apis/${EXTERNAL}/namespaces/default/queue_messages_ready`) {
    if (externalFails) return json(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'unable to fetch metrics from the queue: broker unreachable' });
    const items = load.queueMessages.map((v, i) => ({ metricName: 'queue_messages_ready', metricLabels: { queue: 'worker_tasks', partition: String(i) }, timestamp: now, value: String(v) }));
    return json(200, { kind: 'ExternalMetricValueList', apiVersion: EXTERNAL, metadata: {}, items });
  }
  json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
}

before(async () => {
  nc = await startNodeCluster({ nodeName: 'hpa-cm-node', controllers: ['deployment', 'replicaset', 'horizontal-pod-autoscaler'], scheduler: true, hpaSyncPeriodMs: 1000 });
  const c = nc.cluster;
  const auth = JSON.parse(await c.kubectlOk(['get', 'configmap', 'extension-apiserver-authentication', '-n', 'kube-system', '-o', 'json'])) as { data: Record<string, string> };
  const allowedNames = JSON.parse(auth.data['requestheader-allowed-names']) as string[];
  const caKeys = await generateKeyPair();
  const ca = { certPem: await createCa(caKeys, { commonName: 'metrics-adapter-ca' }, 1), keys: caKeys };
  const keys = await generateKeyPair();
  const cert = await issueLeaf(ca, keys, { subject: { commonName: 'metrics-adapter' }, usage: 'server', validityDays: 1, ips: ['127.0.0.1'], dnsNames: ['metrics-adapter.monitoring.svc'] });
  adapter = createServer({ cert, key: keys.privateKeyPem, ca: auth.data['requestheader-client-ca-file'], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    serve(req, res, allowedNames).catch((err: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => adapter.listen(0, '127.0.0.1', resolve));
  const port = (adapter.address() as AddressInfo).port;
  caBundle = Buffer.from(ca.certPem).toString('base64');
  await c.kubectlOk(['create', 'namespace', 'monitoring']);
  await c.kubectlOk(['apply', '-f', '-'], {
    stdin: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics-adapter', namespace: 'monitoring' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'metrics-adapter-1', namespace: 'monitoring', labels: { 'kubernetes.io/service-name': 'metrics-adapter' } },
        addressType: 'IPv4',
        ports: [{ name: 'https', port }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      },
      apiService('custom.metrics.k8s.io', 'v1beta2'),
      apiService('external.metrics.k8s.io', 'v1beta1'),
    ]
      .map((o) => stringify(o))
      .join('---\n'),
  });
  await c.kubectlOk(['wait', '--for=condition=Available', 'apiservice/v1beta2.custom.metrics.k8s.io', 'apiservice/v1beta1.external.metrics.k8s.io', '--timeout=15s']);
});

after(async () => {
  adapter?.closeAllConnections();
  adapter?.close();
  await nc?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((err: unknown) => ((last = err), undefined));
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

async function deploy(app: string): Promise<void> {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app },
    spec: { replicas: 1, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'sleep', image: 'sleep', args: ['3600'] }] } } },
  };
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(d) });
  await nc.cluster.kubectlOk(['rollout', 'status', `deployment/${app}`, '--timeout=30s']);
}

async function autoscale(app: string, metric: object): Promise<void> {
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: app },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [metric],
      // No downscale stabilization, so the scale-down shows at the next sync.
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    },
  };
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(hpa) });
}

const getHpa = async (name: string) => JSON.parse(await nc.cluster.kubectlOk(['get', 'hpa.v2.autoscaling', name, '-o', 'json']));
const conditionsOf = (hpa: { status?: { conditions?: Condition[] } }) => Object.fromEntries((hpa.status?.conditions ?? []).map((c) => [c.type, c]));

/** Waits until the Deployment asks for `replicas`, all running, and the HPA's status settled there with `current`. */
async function settled(name: string, replicas: number, current: (hpa: any) => boolean): Promise<any> {
  return until(`${name} settled at ${replicas} replicas`, async () => {
    const d = JSON.parse(await nc.cluster.kubectlOk(['get', 'deploy', name, '-o', 'json']));
    if (d.spec.replicas !== replicas || d.status?.readyReplicas !== replicas || (d.status?.replicas ?? 0) !== replicas) return undefined;
    const hpa = await getHpa(name);
    return hpa.status?.currentReplicas === replicas && hpa.status?.desiredReplicas === replicas && current(hpa) ? hpa : undefined;
  });
}

async function rescaleEvents(name: string): Promise<string> {
  return nc.cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${name},involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale`, '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
}

test('a Pods metric: the average per pod against an AverageValue target scales the Deployment up and down', { timeout: 90_000 }, async () => {
  await deploy('pods');
  load.podRequests.pods = 30;
  await autoscale('pods', { type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } } });
  // 30 on one pod against 10 each: 3 pods, each then at 10.
  const up = await settled('pods', 3, (h) => h.status.currentMetrics?.[0]?.pods?.current?.averageValue === '10');
  assert.deepEqual(up.status.currentMetrics, [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, current: { averageValue: '10' } } }]);
  const conditions = conditionsOf(up);
  assert.equal(conditions.ScalingActive.status, 'True');
  assert.equal(conditions.ScalingActive.reason, 'ValidMetricFound');
  assert.equal(conditions.ScalingActive.message, 'the HPA was able to successfully calculate a replica count from pods metric requests_per_second');
  assert.equal(conditions.AbleToScale.status, 'True');
  assert.match(await rescaleEvents('pods'), /New size: 3; reason: pods metric requests_per_second above target/);
  // The controller asked for the pods of the target's selector, as itself.
  const asked = seen.find((s) => s.url.startsWith(`/apis/${CUSTOM}/namespaces/default/pods/*/requests_per_second?`))!;
  assert.equal(new URL(asked.url, 'https://x').searchParams.get('labelSelector'), 'app=pods');
  assert.equal(asked.user, 'system:serviceaccount:kube-system:horizontal-pod-autoscaler');

  // 10 over 3 pods is 3333m each: one pod is enough.
  load.podRequests.pods = 10;
  const down = await settled('pods', 1, (h) => h.status.currentMetrics?.[0]?.pods?.current?.averageValue === '10');
  assert.equal(conditionsOf(down).ScalingActive.reason, 'ValidMetricFound');
  assert.match(await rescaleEvents('pods'), /New size: 1; reason: All metrics below target/);
});

test('an Object metric: a Value target (the ratio times the ready pods) scales up and down, an AverageValue target divides by the replicas', { timeout: 90_000 }, async () => {
  await deploy('object');
  load.ingressRequests = 300;
  const describedObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main-route' };
  await autoscale('object', { type: 'Object', object: { describedObject, metric: { name: 'requests_per_second' }, target: { type: 'Value', value: '100' } } });
  const up = await settled('object', 3, (h) => h.status.currentMetrics?.[0]?.object?.current?.value === '100');
  assert.deepEqual(up.status.currentMetrics, [{ type: 'Object', object: { describedObject, metric: { name: 'requests_per_second' }, current: { value: '100' } } }]);
  assert.equal(conditionsOf(up).ScalingActive.message, 'the HPA was able to successfully calculate a replica count from Ingress metric requests_per_second');
  assert.match(await rescaleEvents('object'), /New size: 3; reason: Ingress metric requests_per_second above target/);
  // Outside the core group the resource is qualified by its group, as upstream's RESTMapper gives it.
  assert.ok(seen.some((s) => s.url === `/apis/${CUSTOM}/namespaces/default/ingresses.networking.k8s.io/main-route/requests_per_second`));

  load.ingressRequests = 100;
  await settled('object', 1, (h) => h.status.currentMetrics?.[0]?.object?.current?.value === '100');
  assert.match(await rescaleEvents('object'), /New size: 1; reason: All metrics below target/);

  // An AverageValue target divides the value (now the ingress's total) by the target's replicas: 100 against 25 each is 4.
  load.ingressPerServingPod = false;
  await nc.cluster.kubectlOk(['patch', 'hpa.v2.autoscaling', 'object', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/metrics/0/object/target', value: { type: 'AverageValue', averageValue: '25' } }])]);
  const perPod = await settled('object', 4, (h) => h.status.currentMetrics?.[0]?.object?.current?.averageValue === '25');
  // Upstream writes no describedObject in this case: Go's empty struct, its two required fields empty.
  assert.deepEqual(perPod.status.currentMetrics, [{ type: 'Object', object: { describedObject: { kind: '', name: '' }, metric: { name: 'requests_per_second' }, current: { averageValue: '25' } } }]);
  assert.equal(conditionsOf(perPod).ScalingActive.message, 'the HPA was able to successfully calculate a replica count from external metric requests_per_second(nil)');
});

test('an External metric with an AverageValue target: the values summed, per replica, scale up and down; an erroring adapter gives FailedGetExternalMetric', { timeout: 90_000 }, async () => {
  await deploy('external');
  load.queueMessages = [60, 30];
  const metric = { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'worker_tasks' } } };
  await autoscale('external', { type: 'External', external: { metric, target: { type: 'AverageValue', averageValue: '30' } } });
  // 90 messages against 30 per replica: 3 replicas.
  const up = await settled('external', 3, (h) => h.status.currentMetrics?.[0]?.external?.current?.averageValue === '30');
  assert.deepEqual(up.status.currentMetrics, [{ type: 'External', external: { metric, current: { averageValue: '30' } } }]);
  assert.equal(conditionsOf(up).ScalingActive.message, `the HPA was able to successfully calculate a replica count from external metric queue_messages_ready(${QUEUE_SELECTOR})`);
  assert.match(await rescaleEvents('external'), new RegExp(`New size: 3; reason: external metric queue_messages_ready\\(${QUEUE_SELECTOR.replace(/[[\]{}()&]/g, '\\$&')}\\) above target`));
  assert.ok(seen.some((s) => s.url === `/apis/${EXTERNAL}/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks`));

  load.queueMessages = [20, 10];
  await settled('external', 1, (h) => h.status.currentMetrics?.[0]?.external?.current?.averageValue === '30');

  externalFails = true;
  const failed = await until('ScalingActive False for the failing adapter', async () => {
    const c = conditionsOf(await getHpa('external')).ScalingActive;
    return c?.status === 'False' ? c : undefined;
  });
  assert.equal(failed.reason, 'FailedGetExternalMetric');
  assert.equal(
    failed.message,
    `the HPA was unable to compute the replica count: unable to get external metric default/queue_messages_ready/${QUEUE_SELECTOR}: unable to fetch metrics from external metrics API: unable to fetch metrics from the queue: broker unreachable`,
  );
  const events = await nc.cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=external,involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
  assert.ok(events.includes('FailedGetExternalMetric') && events.includes('FailedComputeMetricsReplicas'), events);
  assert.equal(await nc.cluster.kubectlOk(['get', 'deploy', 'external', '-o', 'jsonpath={.spec.replicas}']), '1');
  externalFails = false;
});

test('an adapter serving custom.metrics.k8s.io at v1beta1 only: the controller finds that version through discovery and scales with it; at no version it knows, upstream\'s error', { timeout: 90_000 }, async () => {
  // The v1beta2 APIService goes, a v1beta1 one for the same server comes.
  await nc.cluster.kubectlOk(['delete', 'apiservice', 'v1beta2.custom.metrics.k8s.io']);
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: stringify(apiService('custom.metrics.k8s.io', 'v1beta1')) });
  await nc.cluster.kubectlOk(['wait', '--for=condition=Available', 'apiservice/v1beta1.custom.metrics.k8s.io', '--timeout=15s']);

  await deploy('legacy');
  load.podRequests.legacy = 30;
  await autoscale('legacy', { type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } } });
  const up = await settled('legacy', 3, (h) => h.status.currentMetrics?.[0]?.pods?.current?.averageValue === '10');
  assert.equal(conditionsOf(up).ScalingActive.reason, 'ValidMetricFound');
  assert.match(await rescaleEvents('legacy'), /New size: 3; reason: pods metric requests_per_second above target/);
  // The controller asked at v1beta1, as itself, for the target's pods.
  const asked = seen.filter((s) => s.url.startsWith('/apis/custom.metrics.k8s.io/') && s.url.includes('/pods/*/') && new URL(s.url, 'https://x').searchParams.get('labelSelector') === 'app=legacy');
  assert.ok(asked.length > 0);
  for (const s of asked) {
    assert.ok(s.url.startsWith(`/apis/${CUSTOM_V1BETA1}/namespaces/default/pods/*/requests_per_second?`), s.url);
    assert.equal(s.user, 'system:serviceaccount:kube-system:horizontal-pod-autoscaler');
  }
  // The HPA that had chosen v1beta2 before moved to v1beta1 too.
  await until('the pods HPA asking at v1beta1', async () => (seen.some((s) => s.url.startsWith(`/apis/${CUSTOM_V1BETA1}/namespaces/default/pods/*/requests_per_second?labelSelector=app%3Dpods`)) ? true : undefined));

  // Served only at a version the controller cannot read: upstream's error, and no rescale.
  await nc.cluster.kubectlOk(['delete', 'apiservice', 'v1beta1.custom.metrics.k8s.io']);
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: stringify(apiService('custom.metrics.k8s.io', 'v1alpha1')) });
  await nc.cluster.kubectlOk(['wait', '--for=condition=Available', 'apiservice/v1alpha1.custom.metrics.k8s.io', '--timeout=15s']);
  const failed = await until('ScalingActive False with no known version', async () => {
    const c = conditionsOf(await getHpa('legacy')).ScalingActive;
    return c?.status === 'False' && c.message.includes('no known available metric versions found') ? c : undefined;
  });
  assert.equal(failed.reason, 'FailedGetPodsMetric');
  assert.equal(
    failed.message,
    'the HPA was unable to compute the replica count: unable to get metric requests_per_second: unable to fetch metrics from custom metrics API: no known available metric versions found',
  );
  assert.equal(await nc.cluster.kubectlOk(['get', 'deploy', 'legacy', '-o', 'jsonpath={.spec.replicas}']), '3');
});
