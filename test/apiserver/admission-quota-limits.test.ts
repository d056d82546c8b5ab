// ResourceQuota and LimitRanger admission end to end: the real kubectl over HTTPS against a real
// server, with the ResourceQuota controller running as the controller manager would run it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { runControllerManager } from '../../src/controllers/manager.js';
import { resourceQuotaController } from '../../src/controllers/resourcequota/index.js';
import { createLogger } from '../../src/util/log.js';
import { waitForObject } from '../helpers/controllers.js';
import { resourceQuotasRef } from '../../src/controllers/resourcequota/index.js';

let c: TestCluster;
let client: Client;
const stop = new AbortController();
let manager: Promise<void>;

before(async () => {
  c = await startTestCluster();
  client = Client.fromConfig(loadConfig({ kubeconfig: c.kubeconfig }));
  const log = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
  manager = runControllerManager({ client, log, controllers: [resourceQuotaController] }, stop.signal);
});
after(async () => {
  stop.abort();
  await manager;
  await client?.close();
  await c?.close();
});

const podYaml = (name: string, resources = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: nginx${resources}
`;

describe('quota and limit range admission with kubectl', () => {
  test('kubectl create quota, then pods beyond it fail with the upstream message; describe quota shows used and hard', async () => {
    await c.kubectlOk(['create', 'namespace', 'q1']);
    await c.kubectlOk(['create', 'quota', 'q', '-n', 'q1', '--hard=pods=2,configmaps=10']);
    await c.kubectlOk(['create', 'configmap', 'settings', '-n', 'q1', '--from-literal=a=b']);
    await waitForObject(client.resource(resourceQuotasRef), 'q1', 'q', (q) => !!q?.status?.used, 'quota status');
    await c.kubectlOk(['apply', '-n', 'q1', '-f', '-'], { stdin: podYaml('p1') });
    await c.kubectlOk(['apply', '-n', 'q1', '-f', '-'], { stdin: podYaml('p2') });
    const r = await c.kubectl(['apply', '-n', 'q1', '-f', '-'], { stdin: podYaml('p3') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
    const described = await c.kubectlOk(['describe', 'quota', 'q', '-n', 'q1']);
    assert.match(described, /Resource\s+Used\s+Hard/);
    assert.match(described, /pods\s+2\s+2/);
    assert.match(described, /configmaps\s+1\s+10/);
  });

  test('a LimitRange fills in default requests and limits, visible in kubectl get pod -o yaml, and rejects a pod over the max', async () => {
    await c.kubectlOk(['create', 'namespace', 'lr1']);
    await c.kubectlOk(['apply', '-n', 'lr1', '-f', '-'], {
      stdin: `apiVersion: v1
kind: LimitRange
metadata:
  name: limits
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
    max:
      cpu: "1"
`,
    });
    await c.kubectlOk(['apply', '-n', 'lr1', '-f', '-'], { stdin: podYaml('defaults') });
    const yaml = await c.kubectlOk(['get', 'pod', 'defaults', '-n', 'lr1', '-o', 'yaml']);
    // (kubectl folds the long annotation over two lines)
    assert.match(yaml, /kubernetes.io\/limit-ranger: 'LimitRanger plugin set: cpu, memory request for container\s+app; cpu, memory limit for container app'/);
    assert.match(yaml, /limits:\n\s+cpu: 500m\n\s+memory: 256Mi\n\s+requests:\n\s+cpu: 100m\n\s+memory: 256Mi/);
    assert.match(yaml, /qosClass: Burstable/);
    const r = await c.kubectl(['apply', '-n', 'lr1', '-f', '-'], { stdin: podYaml('big', '\n    resources:\n      limits:\n        cpu: "2"') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  });
});
