// The node agent under provoked memory pressure (injected NodeSignals), with the process runtime:
// eviction of the BestEffort pod, MemoryPressure on the Node, admission refused, recovery.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseThresholdConfig } from '../../../src/kubelet/eviction/thresholds.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import type { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { startNodeAgent, type NodeAgent } from '../../../src/kubelet/node-agent.js';
import type { NodeSignals } from '../../../src/kubelet/stats/types.js';
import { boundPod, processRuntimeEnv, silentLog, waitFor, waitForPod, type RuntimeEnv } from '../agent-helpers.js';

const nodeName = 'evict-e2e';
const Gi = 2 ** 30;

describe('node agent eviction with the process runtime', () => {
  let api: InProcessApi;
  let client: Client;
  let env: RuntimeEnv;
  let agent: NodeAgent;
  let manifests: string;
  let available = 8 * Gi;
  const signals: NodeSignals = {
    memory: () => ({ capacityBytes: 10 * Gi, workingSetBytes: 10 * Gi - available }),
    fs: () => ({ capacityBytes: 100 * Gi, availableBytes: 50 * Gi, usedBytes: 50 * Gi, inodes: 1e6, inodesFree: 5e5 }),
    rlimit: () => ({ maxPid: 32768, running: 100 }),
  };

  before(async () => {
    api = await startInProcessApi();
    client = api.client();
    env = processRuntimeEnv();
    manifests = path.join(env.dir, 'manifests');
    fs.mkdirSync(manifests);
    fs.writeFileSync(path.join(manifests, 'web.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: web\n    image: sleep\n    args: ["30"]\n');
    agent = await startNodeAgent({
      client,
      nodeName,
      rootDir: path.join(env.dir, 'agent'),
      runtime: env.runtime,
      log: silentLog,
      plegPeriodMs: 200,
      nodeIP: '127.0.0.1',
      podManifestPath: manifests,
      eviction: { thresholds: parseThresholdConfig({ hard: 'memory.available<1Gi' }), intervalMs: 200, pressureTransitionPeriodMs: 1000, signals },
    });
    await agent.ready;
  });

  after(async () => {
    await agent?.stop({ killPods: true });
    await env?.cleanup();
    await api?.close();
  });

  it('evicts the BestEffort pod under memory pressure, reports MemoryPressure, refuses new BestEffort pods, recovers', async () => {
    const pods = client.resource(resources.pods, 'default');
    await pods.create(boundPod('hog', nodeName, { containers: [{ name: 'app', image: 'sleep', args: ['30'] }] }));
    await pods.create(boundPod('steady', nodeName, { containers: [{ name: 'app', image: 'sleep', args: ['30'], resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }] }));
    await waitForPod(client, 'default', 'hog', (p) => p?.status?.phase === 'Running');
    await waitForPod(client, 'default', 'steady', (p) => p?.status?.phase === 'Running');

    available = 500 * 2 ** 20;
    const node = await waitFor(client, resources.nodes, undefined, nodeName, (n) => (n as Node | undefined)?.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status === 'True');
    assert.equal((node as Node).status?.conditions?.find((c) => c.type === 'MemoryPressure')?.reason, 'KubeletHasInsufficientMemory');
    const hog = (await waitForPod(client, 'default', 'hog', (p) => p?.status?.reason === 'Evicted' && !!p.status.containerStatuses?.[0]?.state?.terminated)) as Pod;
    available = 8 * Gi;
    assert.equal(hog.status?.phase, 'Failed');
    assert.match(hog.status?.message ?? '', /^The node was low on resource: memory\. Threshold quantity: 1Gi, available: 500Mi\. Container app was using \S+, request is 0, has larger consumption of memory\. $/);
    assert.equal(hog.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'TerminationByKubelet');

    available = 500 * 2 ** 20;
    await pods.create(boundPod('late', nodeName, { containers: [{ name: 'app', image: 'sleep', args: ['30'] }] }));
    const late = (await waitForPod(client, 'default', 'late', (p) => p?.status?.phase === 'Failed')) as Pod;
    available = 8 * Gi;
    assert.equal(late.status?.reason, 'Evicted');
    assert.equal(late.status?.message, 'Pod was rejected: The node had condition: [MemoryPressure]. ');

    await waitFor(client, resources.nodes, undefined, nodeName, (n) => (n as Node | undefined)?.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status === 'False');
  });
});
