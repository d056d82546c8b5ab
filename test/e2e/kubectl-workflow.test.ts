// The commands people chain in day-to-day work, against a real k8ts API server: expose, set
// image/env/resources, rollout restart/pause/resume, scale preconditions, autoscale,
// replace --force, --save-config and view-last-applied, auth reconcile, server dry-run deletes,
// generateName, and kubectl proxy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { startTestCluster, kubectlPath, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'wf']);
  await c.kubectlOk(['create', 'deployment', 'web', '-n', 'wf', '--image=nginx:1.25', '--replicas=2', '--port=80', '--save-config']);
});
after(async () => {
  await c?.close();
});

const deploy = async () => JSON.parse(await c.kubectlOk(['get', 'deployment', 'web', '-n', 'wf', '-o', 'json']));

describe('deployment workflow', () => {
  test('expose creates a Service from the deployment selector with an allocated node port', async () => {
    assert.match(await c.kubectlOk(['expose', 'deployment', 'web', '-n', 'wf', '--port=8080', '--target-port=80', '--type=NodePort']), /service\/web exposed/);
    const svc = JSON.parse(await c.kubectlOk(['get', 'service', 'web', '-n', 'wf', '-o', 'json']));
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.equal(svc.spec.ports[0].port, 8080);
    assert.equal(svc.spec.ports[0].targetPort, 80);
    assert.ok(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767);
    const table = await c.kubectlOk(['get', 'service', 'web', '-n', 'wf']);
    assert.match(table, new RegExp(`^web\\s+NodePort\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+8080:${svc.spec.ports[0].nodePort}/TCP\\s+\\S+$`, 'm'));
  });

  test('set image, set env and set resources patch the pod template and bump the generation', async () => {
    const before = (await deploy()).metadata.generation;
    assert.match(await c.kubectlOk(['set', 'image', 'deployment/web', '-n', 'wf', 'nginx=nginx:1.26']), /deployment.apps\/web image updated/);
    assert.match(await c.kubectlOk(['set', 'env', 'deployment/web', '-n', 'wf', 'MODE=prod', 'LEVEL=3']), /deployment.apps\/web env updated/);
    assert.match(await c.kubectlOk(['set', 'resources', 'deployment/web', '-n', 'wf', '--limits=cpu=200m,memory=128Mi', '--requests=cpu=100m']), /resource requirements updated/);
    const d = await deploy();
    const ctr = d.spec.template.spec.containers[0];
    assert.equal(ctr.image, 'nginx:1.26');
    assert.deepEqual(ctr.env, [{ name: 'MODE', value: 'prod' }, { name: 'LEVEL', value: '3' }]);
    assert.deepEqual(ctr.resources, { limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '100m' } });
    assert.equal(d.metadata.generation, before + 3);
    const envList = await c.kubectlOk(['set', 'env', 'deployment/web', '-n', 'wf', '--list']);
    assert.match(envList, /^MODE=prod$/m);
  });

  test('rollout restart stamps the template; pause and resume toggle spec.paused', async () => {
    assert.match(await c.kubectlOk(['rollout', 'restart', 'deployment/web', '-n', 'wf']), /deployment.apps\/web restarted/);
    assert.ok((await deploy()).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    assert.match(await c.kubectlOk(['rollout', 'pause', 'deployment/web', '-n', 'wf']), /paused/);
    assert.equal((await deploy()).spec.paused, true);
    const again = await c.kubectl(['rollout', 'pause', 'deployment/web', '-n', 'wf']);
    assert.match(again.stderr, /already paused/);
    assert.match(await c.kubectlOk(['rollout', 'resume', 'deployment/web', '-n', 'wf']), /resumed/);
    assert.equal((await deploy()).spec.paused, undefined);
  });

  test('scale honours --current-replicas as a precondition', async () => {
    const wrong = await c.kubectl(['scale', 'deployment', 'web', '-n', 'wf', '--current-replicas=5', '--replicas=3']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Expected replicas to be 5, was 2/);
    assert.match(await c.kubectlOk(['scale', 'deployment', 'web', '-n', 'wf', '--current-replicas=2', '--replicas=3']), /deployment.apps\/web scaled/);
    assert.equal((await deploy()).spec.replicas, 3);
  });

  test('autoscale creates an autoscaling/v1 HorizontalPodAutoscaler (a protobuf body) targeting the deployment', async () => {
    assert.match(await c.kubectlOk(['autoscale', 'deployment', 'web', '-n', 'wf', '--min=2', '--max=5', '--cpu-percent=70']), /horizontalpodautoscaler.autoscaling\/web autoscaled/);
    const hpa = JSON.parse(await c.kubectlOk(['get', '--raw', '/apis/autoscaling/v1/namespaces/wf/horizontalpodautoscalers/web']));
    assert.deepEqual(hpa.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
  });

  // Upstream stores an HPA once and converts between autoscaling/v1 and v2 on the way in and out;
  // k8ts keeps each served version's objects under its own prefix (registry/builtin.ts: "keeps
  // each version's objects apart until conversion exists"), so `kubectl autoscale` (writes v1)
  // and `kubectl get hpa` (reads the preferred v2) never meet.
  test('the HPA kubectl autoscale wrote through v1 is visible to kubectl get hpa through v2', async () => {
    const hpa = JSON.parse(await c.kubectlOk(['get', 'hpa', 'web', '-n', 'wf', '-o', 'json']));
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
  });

  test('--save-config records last-applied, and a later apply merges against it', async () => {
    const last = JSON.parse(await c.kubectlOk(['apply', 'view-last-applied', 'deployment/web', '-n', 'wf', '-o', 'json']));
    assert.equal(last.spec.replicas, 2);
    assert.equal(last.spec.template.spec.containers[0].image, 'nginx:1.25');
    const manifest = { ...last, metadata: { ...last.metadata, namespace: 'wf', labels: { app: 'web', applied: 'yes' } } };
    assert.match(await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) }), /deployment.apps\/web configured/);
    const d = await deploy();
    assert.equal(d.metadata.labels.applied, 'yes');
    // A field in the file is set to the file's value (the live 1.26 came from `set image`); fields
    // in neither the file nor last-applied (env) keep their live values.
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'prod' }, { name: 'LEVEL', value: '3' }]);
  });
});

describe('other write paths', () => {
  test('replace --force deletes and recreates the object with a new uid', async () => {
    await c.kubectlOk(['create', 'configmap', 'forced', '-n', 'wf', '--from-literal=a=1']);
    const old = JSON.parse(await c.kubectlOk(['get', 'configmap', 'forced', '-n', 'wf', '-o', 'json']));
    const next = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'forced', namespace: 'wf' }, data: { a: '2' } };
    const out = await c.kubectlOk(['replace', '--force', '-f', '-'], { stdin: JSON.stringify(next) });
    assert.match(out, /configmap "forced" deleted/);
    assert.match(out, /configmap\/forced replaced/);
    const now = JSON.parse(await c.kubectlOk(['get', 'configmap', 'forced', '-n', 'wf', '-o', 'json']));
    assert.notEqual(now.metadata.uid, old.metadata.uid);
    assert.deepEqual(now.data, { a: '2' });
  });

  test('delete --dry-run=server reports the deletion and keeps the object', async () => {
    const out = await c.kubectlOk(['delete', 'configmap', 'forced', '-n', 'wf', '--dry-run=server']);
    assert.match(out, /configmap "forced" deleted \(server dry run\)/);
    assert.equal((await c.kubectlOk(['get', 'configmap', 'forced', '-n', 'wf', '-o', 'name'])).trim(), 'configmap/forced');
  });

  test('create -f with generateName gets a server-generated name', async () => {
    const out = await c.kubectlOk(['create', '-f', '-', '-o', 'name'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', namespace: 'wf' } }) });
    assert.match(out.trim(), /^configmap\/gen-[a-z0-9]{5}$/);
  });

  test('auth reconcile creates RBAC objects, and a second run merges added verbs into the live role', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'viewer', namespace: 'wf' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewer', namespace: 'wf' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' }, subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }] },
      ],
    };
    const first = await c.kubectlOk(['auth', 'reconcile', '-f', '-'], { stdin: JSON.stringify(manifest) });
    assert.match(first, /role.rbac.authorization.k8s.io\/viewer reconciled/);
    assert.match(first, /rolebinding.rbac.authorization.k8s.io\/viewer reconciled/);
    const role = JSON.parse(await c.kubectlOk(['get', 'role', 'viewer', '-n', 'wf', '-o', 'json']));
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    manifest.items[0].rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }];
    await c.kubectlOk(['auth', 'reconcile', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const merged = JSON.parse(await c.kubectlOk(['get', 'role', 'viewer', '-n', 'wf', '-o', 'json']));
    assert.ok(merged.rules.some((r: { verbs: string[] }) => r.verbs.includes('watch')), JSON.stringify(merged.rules));
  });

  test('kubectl proxy serves the API over plain HTTP on a local port', { timeout: 20_000 }, async () => {
    const child = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, 'proxy', '--port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('close', (code) => reject(new Error(`kubectl proxy exited ${code}: ${out}`)));
      });
      const body = await new Promise<string>((resolve, reject) => {
        httpGet(`http://127.0.0.1:${port}/api/v1/namespaces/wf/configmaps/forced`, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      assert.deepEqual(JSON.parse(body).data, { a: '2' });
    } finally {
      child.kill();
    }
  });
});

describe('metadata.generation only where upstream tracks it', () => {
  // Upstream 1.32 sets generation in the PrepareForCreate of kinds with a spec that controllers
  // observe (deployments, jobs, PDBs, …), not for every object with a spec: Services, Pods (until
  // 1.33), Namespaces, Nodes and ResourceQuotas have none. k8ts' generic store sets it whenever
  // the object has a `spec` (registry/generic-store.ts, create path).
  test('a Service, a Pod, a Namespace and a ResourceQuota carry no metadata.generation', async () => {
    await c.kubectlOk(['create', 'quota', 'gq', '-n', 'wf', '--hard=pods=1']);
    await c.kubectlOk(['run', 'gp', '-n', 'wf', '--image=busybox']);
    for (const args of [['service', 'web', '-n', 'wf'], ['pod', 'gp', '-n', 'wf'], ['namespace', 'wf'], ['resourcequota', 'gq', '-n', 'wf']]) {
      const o = JSON.parse(await c.kubectlOk(['get', ...args, '-o', 'json']));
      assert.equal(o.metadata.generation, undefined, `${args[0]} has generation ${o.metadata.generation}`);
    }
  });
});
