// The horizontal-pod-autoscaler end to end, with the real kubectl: a Deployment whose pod burns
// CPU (bounded: bash's SECONDS, 20 s, then it sleeps) under `kubectl autoscale --cpu-percent=20`
// scales up to its maximum, with upstream's event, conditions and `kubectl get hpa` columns; an
// HPA whose pods have no CPU request reports FailedGetResourceMetric; two HPAs over the same pods
// are both AmbiguousSelector until one goes; a custom resource's unparsable or missing scale
// selector gives InvalidSelector. Scrapes and syncs every second (options), and every wait is on a
// condition.
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

/** An HPA on 1Ki of memory per pod: any running pod uses far more, so one free to act scales to its maximum. */
function memoryHpa(name: string, target: { apiVersion: string; kind: string; name: string }, maxReplicas: number) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Ki' } } }] },
  };
}

async function scalingActive(hpa: string): Promise<{ status: string; reason: string; message: string } | undefined> {
  const h = JSON.parse(await nc.cluster.kubectlOk(['get', 'hpa.v2.autoscaling', hpa, '-o', 'json']));
  return h.status?.conditions?.find((x: { type: string }) => x.type === 'ScalingActive');
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

test('two HPAs over the same pods: both AmbiguousSelector with upstream\'s message, no rescale; deleting one lets the other scale', { timeout: 90_000 }, async () => {
  const c = nc.cluster;
  const hpa = (name: string, maxReplicas: number) => memoryHpa(name, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shared' }, maxReplicas);
  const replicas = async () => c.kubectlOk(['get', 'deploy', 'shared', '-o', 'jsonpath={.spec.replicas}']);
  const ambiguousCount = async (name: string) => {
    const counts = await c.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${name},reason=AmbiguousSelector`, '-o', 'jsonpath={.items[*].count}']);
    return counts.split(' ').reduce((sum, n) => sum + Number(n || 0), 0);
  };
  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(deployment('shared', { name: 'sleep', image: 'sleep', args: ['3600'] })) });
  await c.kubectlOk(['rollout', 'status', 'deployment/shared', '--timeout=30s']);

  // The first HPA syncs alone, held at 1 replica by its maximum: its selector is now known.
  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(hpa('ambiguous-a', 1)) });
  await until('ambiguous-a computing from memory', async () => ((await scalingActive('ambiguous-a'))?.reason === 'ValidMetricFound' ? true : undefined));
  // The second one's first sync already sees the first; the first's next sync sees the second.
  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(hpa('ambiguous-b', 3)) });
  const message = 'pods by selector app=shared are controlled by multiple HPAs: [default/ambiguous-a default/ambiguous-b]';
  for (const name of ['ambiguous-b', 'ambiguous-a']) {
    const cond = await until(`${name} AmbiguousSelector`, async () => {
      const s = await scalingActive(name);
      return s?.reason === 'AmbiguousSelector' ? s : undefined;
    });
    assert.deepEqual({ status: cond.status, message: cond.message }, { status: 'False', message });
  }
  // Now free the first to scale too; two more syncs of each after that still leave the target alone.
  await c.kubectlOk(['patch', 'hpa', 'ambiguous-a', '--type=merge', '-p', '{"spec":{"maxReplicas":3}}']);
  const before = { a: await ambiguousCount('ambiguous-a'), b: await ambiguousCount('ambiguous-b') };
  await until('two more ambiguous syncs of each', async () => ((await ambiguousCount('ambiguous-a')) >= before.a + 2 && (await ambiguousCount('ambiguous-b')) >= before.b + 2 ? true : undefined));
  assert.equal(await replicas(), '1');
  for (const name of ['ambiguous-a', 'ambiguous-b']) {
    const events = await c.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${name},type=Warning`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.ok(events.includes(`AmbiguousSelector: ${message}\n`), events);
    assert.ok(events.includes(`FailedComputeMetricsReplicas: ${message}\n`), events);
  }
  const rescales = await c.kubectlOk(['get', 'events', '--field-selector', 'reason=SuccessfulRescale', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}{"\\n"}{end}']);
  assert.ok(!/^ambiguous-/m.test(rescales), rescales);

  // Without the second, the first computes again and scales.
  await c.kubectlOk(['delete', 'hpa', 'ambiguous-b']);
  await until('ambiguous-a computing from memory again', async () => ((await scalingActive('ambiguous-a'))?.reason === 'ValidMetricFound' ? true : undefined));
  await until('the Deployment scaled to 3', async () => ((await replicas()) === '3' ? true : undefined));
});

test('an HPA whose target\'s scale selector does not parse, or is missing: InvalidSelector, as upstream words it', { timeout: 60_000 }, async () => {
  const c = nc.cluster;
  // A custom resource's scale carries whatever string its labelSelectorPath holds.
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'workers.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'workers', singular: 'worker', kind: 'Worker' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } }, status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } } } } },
          subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
        },
      ],
    },
  };
  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(crd) });
  await c.kubectlOk(['wait', '--for=condition=Established', 'crd/workers.example.com', '--timeout=15s']);
  const worker = (selector: string) => ({ apiVersion: 'example.com/v1', kind: 'Worker', metadata: { name: 'queue' }, spec: { replicas: 1 }, status: { replicas: 1, selector } });
  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(worker('a b')) });
  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(memoryHpa('queue', { apiVersion: 'example.com/v1', kind: 'Worker', name: 'queue' }, 3)) });
  const warnings = () => c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=queue,involvedObject.kind=HorizontalPodAutoscaler,type=Warning', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);

  const invalid = "couldn't convert selector into a corresponding internal selector object: unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt";
  const bad = await until('ScalingActive InvalidSelector', async () => {
    const s = await scalingActive('queue');
    return s?.reason === 'InvalidSelector' ? s : undefined;
  });
  assert.deepEqual({ status: bad.status, message: bad.message }, { status: 'False', message: invalid });
  const events = await until('the InvalidSelector event', async () => {
    const e = await warnings();
    return e.includes(`InvalidSelector: ${invalid}\n`) ? e : undefined;
  });
  assert.ok(events.includes(`FailedComputeMetricsReplicas: ${invalid}\n`), events);

  await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(worker('')) });
  const missing = await until('the missing selector', async () => {
    const s = await scalingActive('queue');
    return s?.reason === 'InvalidSelector' && s.message === "the HPA target's scale is missing a selector" ? s : undefined;
  });
  assert.equal(missing.status, 'False');
  await until('the SelectorRequired event', async () => ((await warnings()).includes('SelectorRequired: selector is required\n') ? true : undefined));
  assert.equal(await c.kubectlOk(['get', 'worker', 'queue', '-o', 'jsonpath={.spec.replicas}']), '1');
});
