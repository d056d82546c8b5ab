// An agent restart: pods that still run are adopted (same container, no restart); after a stop
// that killed the pods (k8ts up's Ctrl-C), the next start runs them again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { startNodeAgent, type NodeAgent, type NodeAgentOptions } from '../../src/kubelet/node-agent.js';
import { boundPod, condition, processRuntimeEnv, silentLog, waitForPod, type RuntimeEnv } from './agent-helpers.js';

const nodeName = 'restart-node';

describe('node agent restart', () => {
  let api: InProcessApi;
  let client: Client;
  let env: RuntimeEnv;
  let agent: NodeAgent | undefined;
  const start = async () => {
    const opts: NodeAgentOptions = { client, nodeName, rootDir: path.join(env.dir, 'agent'), runtime: env.runtime, log: silentLog, nodeIP: '127.0.0.1', plegPeriodMs: 200 };
    agent = await startNodeAgent(opts);
    await agent.ready;
  };
  const sleeper = (name: string) => boundPod(name, nodeName, { containers: [{ name: 'c', image: 'sh', command: ['sh', '-c', 'sleep 30'] }] });

  before(async () => {
    api = await startInProcessApi();
    client = api.client();
    env = processRuntimeEnv();
  });

  after(async () => {
    await agent?.stop({ killPods: true });
    await env?.cleanup();
    await api?.close();
  });

  it('adopts running containers when it comes back without having stopped them', async () => {
    await start();
    await client.resource(resources.pods).create(sleeper('keep'));
    const before = await waitForPod(client, 'default', 'keep', (p) => condition(p, 'Ready') === 'True');
    const id = before?.status?.containerStatuses?.[0].containerID;
    await agent?.stop({ killPods: false });
    env.reopen();
    await start();
    // A pod created after the restart is Ready only after the initial list (with "keep") was handled.
    await client.resource(resources.pods).create(sleeper('marker'));
    await waitForPod(client, 'default', 'marker', (p) => condition(p, 'Ready') === 'True');
    const after = await waitForPod(client, 'default', 'keep', (p) => condition(p, 'Ready') === 'True');
    assert.equal(after?.status?.containerStatuses?.[0].containerID, id);
    assert.equal(after?.status?.containerStatuses?.[0].restartCount, 0);
  });

  it('runs the pods again after a stop that killed them', async () => {
    const before = await waitForPod(client, 'default', 'keep', (p) => condition(p, 'Ready') === 'True');
    const id = before?.status?.containerStatuses?.[0].containerID;
    await agent?.stop({ killPods: true });
    const running = await env.runtime.listContainers({ state: 'Running' });
    assert.equal(running.length, 0);
    env.reopen();
    await start();
    const after = await waitForPod(client, 'default', 'keep', (p) => condition(p, 'Ready') === 'True' && p?.status?.containerStatuses?.[0].containerID !== id);
    assert.ok(after?.status?.containerStatuses?.[0].state?.running);
  });
});
