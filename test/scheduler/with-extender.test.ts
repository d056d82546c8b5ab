// The scheduler with an HTTP extender (kube-scheduler's extender API) against the real API
// server: the extender's filter removes nodes (its reasons show in the failure message), its
// priorities steer the choice, and it binds the pods it manages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import { waitForObject } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { runScheduler } from '../../src/scheduler/start.js';
import { schedulerConfigFrom } from '../../src/scheduler/config/load.js';
import { inTreeRegistry } from '../../src/scheduler/plugins/registry.js';
import { createLogger } from '../../src/util/log.js';
import { makeNode, makePod } from './fixtures.js';

const log = createLogger('extender-test', { level: 'silent' });
const registry = inTreeRegistry();

let api: InProcessApi;
let client: Client;
let abort: AbortController;
let running: Promise<void>;
let server: Server;
const calls = { filter: 0, prioritize: 0, bind: 0 };
const nodeLabels = new Map<string, Record<string, string>>();

/** A tiny extender: filter drops nodes labelled ext=no, prioritize prefers ext=best, bind binds. */
function handle(verb: string, body: Record<string, unknown>): unknown {
  if (verb === 'filter') {
    calls.filter++;
    const names = body.NodeNames as string[];
    const failed: Record<string, string> = {};
    const keep = names.filter((n) => {
      if (nodeLabels.get(n)?.ext !== 'no') return true;
      failed[n] = 'extender says no';
      return false;
    });
    return { NodeNames: keep, FailedNodes: failed, Error: '' };
  }
  if (verb === 'prioritize') {
    calls.prioritize++;
    return (body.NodeNames as string[]).map((n) => ({ Host: n, Score: nodeLabels.get(n)?.ext === 'best' ? 10 : 0 }));
  }
  if (verb === 'bind') {
    calls.bind++;
    void client
      .resource(resources.pods)
      .bind(body.PodName as string, { metadata: { name: body.PodName as string, namespace: body.PodNamespace as string, uid: body.PodUID as string }, target: { kind: 'Node', name: body.Node as string } }, { namespace: body.PodNamespace as string });
    return { Error: '' };
  }
  throw new Error(`unknown verb ${verb}`);
}

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const verb = (req.url ?? '').split('/').pop() ?? '';
      const out = handle(verb, JSON.parse(data) as Record<string, unknown>);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const config = schedulerConfigFrom(
    {
      extenders: [{ urlPrefix: `http://127.0.0.1:${port}/ext`, filterVerb: 'filter', prioritizeVerb: 'prioritize', bindVerb: 'bind', weight: 5, nodeCacheCapable: true }],
    },
    (n) => registry.has(n),
  );
  for (const [name, ext] of [['e-no', 'no'], ['e-ok', 'ok'], ['e-best', 'best']] as const) {
    const labels = { ext };
    nodeLabels.set(name, labels);
    await client.resource(resources.nodes).create(makeNode(name, { labels }));
  }
  abort = new AbortController();
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  running = runScheduler({ client, log, config, registry, onStarted: () => started() }, abort.signal);
  await ready;
});

after(async () => {
  abort?.abort();
  await running;
  server?.close();
  await api?.close();
});

describe('scheduler with an HTTP extender', () => {
  test('the extender filters, prioritizes and binds', async () => {
    await client.resource(resources.pods).create(makePod('ext-pod', { cpu: '100m' }));
    const p = (await waitForObject(client.resource(resources.pods), 'default', 'ext-pod', (o) => !!o?.spec?.nodeName, 'ext-pod bound')) as Pod;
    assert.equal(p.spec!.nodeName, 'e-best', 'the extender priority (weight 5 × 10) decides');
    assert.ok(calls.filter >= 1 && calls.prioritize >= 1);
    assert.equal(calls.bind, 1);
  });

  test("nodes the extender filters out carry its reason in the pod's failure message", async () => {
    await client.resource(resources.pods).create(makePod('ext-nowhere', { cpu: '100m', nodeSelector: { ext: 'no' } }));
    const p = await waitForObject(client.resource(resources.pods), 'default', 'ext-nowhere', (o) => o?.status?.conditions?.some((c) => c.reason === 'Unschedulable') ?? false, 'unschedulable');
    const msg = p!.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message!;
    // The selector rules out two nodes, the extender the third.
    assert.match(msg, /^0\/3 nodes are available: 1 extender says no, 2 node\(s\) didn't match Pod's node affinity\/selector\./);
  });
});
