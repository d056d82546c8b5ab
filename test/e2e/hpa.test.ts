// The horizontal-pod-autoscaler end to end, with the real kubectl: a Deployment whose pod burns
// CPU (bounded: bash's SECONDS, 20 s, then it sleeps) under `kubectl autoscale --cpu-percent=20`
// scales up to its maximum, with upstream's event, conditions and `kubectl get hpa` columns; an
// HPA whose pods have no CPU request reports FailedGetResourceMetric. Scrapes and syncs every
// second (options), and every wait is on a condition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';

const NODE = 'hpa-node';
let nc: NodeCluster;

before(async () => {
  nc = await startNodeCluster({ nodeName: NODE, controllers: ['deployment', 'replicaset', 'horizontal-pod-autoscaler'], scheduler: true, metricResolutionMs: 1000, hpaSyncPeriodMs: 1000 });
});

after(async () => {
  await nc?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function deployment(name: string, container: Record<string, unknown>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [container] } } },
  };
}

test('kubectl autoscale: a CPU-burning Deployment scales up to maxReplicas, as kubectl get hpa and the events show', { timeout: 90_000 }, async () => {
  const burn = deployment('burn', { name: 'burn', image: 'bash', command: ['bash', '-c', 'while [ $SECONDS -lt 20 ]; do :; done; exec sleep 3600'], resources: { requests: { cpu: '100m' } } });
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(burn) });
  await nc.cluster.kubectlOk(['rollout', 'status', 'deployment/burn', '--timeout=30s']);
  await nc.cluster.kubectlOk(['autoscale', 'deployment', 'burn', '--cpu-percent=20', '--min=1', '--max=2']);
  await until('the Deployment scaled to 2', async () => ((await nc.cluster.kubectlOk(['get', 'deploy', 'burn', '-o', 'jsonpath={.spec.replicas}'])) === '2' ? true : undefined));
  const hpa = await until('the HPA status to show the rescale', async () => {
    const h = JSON.parse(await nc.cluster.kubectlOk(['get', 'hpa.v2.autoscaling', 'burn', '-o', 'json']));
    return h.status?.desiredReplicas === 2 && h.status?.lastScaleTime ? h : undefined;
  });
  const conditions = Object.fromEntries(hpa.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, `${c.status} ${c.reason}`]));
  assert.equal(conditions.ScalingActive, 'True ValidMetricFound');
  assert.match(conditions.AbleToScale, /^True (SucceededRescale|ReadyForNewScale|ScaleDownStabilized)$/);
  assert.equal(hpa.status.currentMetrics[0].type, 'Resource');
  assert.equal(hpa.status.currentMetrics[0].resource.name, 'cpu');
  assert.ok(hpa.status.currentMetrics[0].resource.current.averageUtilization > 20, JSON.stringify(hpa.status.currentMetrics));
  const events = await nc.cluster.kubectlOk(['get', 'events', '--field-selector', 'reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}']);
  assert.match(events, /New size: 2; reason: cpu resource utilization \(percentage of request\) above target/);
  const table = await nc.cluster.kubectlOk(['get', 'hpa', 'burn']);
  const [header, line] = table.trim().split('\n');
  assert.match(header!, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
  assert.match(line!, /^burn\s+Deployment\/burn\s+cpu: \d+%\/20%\s+1\s+2\s+[12]\s+\d+s$/);
});

test('an HPA whose pods have no CPU request cannot compute a replica count: FailedGetResourceMetric, ScalingActive False', { timeout: 60_000 }, async () => {
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(deployment('norequest', { name: 'sleep', image: 'sleep', args: ['3600'] })) });
  await nc.cluster.kubectlOk(['rollout', 'status', 'deployment/norequest', '--timeout=30s']);
  await nc.cluster.kubectlOk(['autoscale', 'deployment', 'norequest', '--cpu-percent=50', '--max=3']);
  // Before the new pod has usage the reason is the same with "no metrics returned from resource metrics API".
  const active = await until('ScalingActive False for the missing request', async () => {
    const h = JSON.parse(await nc.cluster.kubectlOk(['get', 'hpa.v2.autoscaling', 'norequest', '-o', 'json']));
    const c = h.status?.conditions?.find((x: { type: string }) => x.type === 'ScalingActive');
    return c?.status === 'False' && c.reason === 'FailedGetResourceMetric' && /missing request/.test(c.message) ? c : undefined;
  });
  assert.match(active.message, /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container sleep of Pod norequest-/);
  const events = await nc.cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=norequest,involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
  assert.ok(events.includes('FailedGetResourceMetric') && events.includes('FailedComputeMetricsReplicas'), events);
  assert.equal(await nc.cluster.kubectlOk(['get', 'deploy', 'norequest', '-o', 'jsonpath={.spec.replicas}']), '1');
});
