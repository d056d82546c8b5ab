// An HTTP extender (a real server on loopback, written here as a user would write one) plugged
// into the real scheduler against the real API server: it filters and prioritizes nodes by name
// (nodeCacheCapable), binds pods itself through pods/binding, and its rejections show in the
// pod's FailedScheduling event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { Client } from '../../../src/client/rest/client.js';
import { schedulerConfigFrom } from '../../../src/scheduler/config/load.js';
import { inTreeRegistry } from '../../../src/scheduler/plugins/registry.js';
import { runScheduler } from '../../../src/scheduler/start.js';
import { createLogger } from '../../../src/util/log.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { waitForObject, waitForObjects } from '../../helpers/controllers.js';
import { makeNode, makePod } from '../fixtures.js';

let api: InProcessApi;
let client: Client;
let server: http.Server;
let abort: AbortController;
let running: Promise<void>;
const binds: Record<string, unknown>[] = [];

/** The extender: keeps "*-gpu" nodes, prefers b-gpu, binds through the API; pods labelled reject=all fit nowhere. */
async function answer(verb: string, body: Record<string, unknown>): Promise<unknown> {
  if (verb === 'filter') {
    const pod = body.Pod as Pod;
    const names = body.NodeNames as string[];
    if (pod.metadata?.labels?.reject === 'all') return { NodeNames: [], FailedAndUnresolvableNodes: Object.fromEntries(names.map((n) => [n, 'extender says no'])) };
    const keep = names.filter((n) => n.endsWith('-gpu'));
    return { NodeNames: keep, FailedNodes: Object.fromEntries(names.filter((n) => !keep.includes(n)).map((n) => [n, 'node(s) had no gpu'])), Error: '' };
  }
  if (verb === 'prioritize') return (body.NodeNames as string[]).map((n) => ({ Host: n, Score: n === 'b-gpu' ? 10 : 0 }));
  if (verb === 'bind') {
    binds.push(body);
    try {
      await client.resource(resources.pods).bind(String(body.PodName), { metadata: { name: String(body.PodName), namespace: String(body.PodNamespace), uid: String(body.PodUID) }, target: { kind: 'Node', name: String(body.Node) } }, { namespace: String(body.PodNamespace) });
      return { Error: '' };
    } catch (e) {
      return { Error: (e as Error).message };
    }
  }
  return {};
}

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const verb = (req.url ?? '').split('/').pop() ?? '';
      const out = await answer(verb, JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const urlPrefix = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ext`;
  for (const n of ['a', 'a-gpu', 'b-gpu']) await client.resource(resources.nodes).create(makeNode(n));

  const registry = inTreeRegistry();
  const config = schedulerConfigFrom(
    {
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      extenders: [{ urlPrefix, filterVerb: 'filter', prioritizeVerb: 'prioritize', bindVerb: 'bind', weight: 5, nodeCacheCapable: true, httpTimeout: '5s' }],
    },
    (n) => registry.has(n),
  );
  abort = new AbortController();
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  running = runScheduler({ client, log: createLogger('extender-e2e', { level: 'silent' }), config, registry, onStarted: () => started() }, abort.signal);
  await ready;
});

after(async () => {
  abort?.abort();
  await running;
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await api?.close();
});

test('the pod lands on the node the extender prefers among those it keeps, bound by the extender', async () => {
  await client.resource(resources.pods).create(makePod('gpu-job'));
  const pod = (await waitForObject(client.resource(resources.pods), 'default', 'gpu-job', (p) => !!p?.spec?.nodeName, 'gpu-job bound')) as Pod;
  assert.equal(pod.spec?.nodeName, 'b-gpu');
  const call = binds.find((b) => b.PodName === 'gpu-job');
  assert.deepEqual(call, { PodName: 'gpu-job', PodNamespace: 'default', PodUID: pod.metadata?.uid, Node: 'b-gpu' });
});

test('nodes the extender rejects are counted with its reasons in FailedScheduling', async () => {
  await client.resource(resources.pods).create(makePod('nowhere', { labels: { reject: 'all' } }));
  const events = await waitForObjects(
    client.resource(resources.coreEvents),
    (es) => es.some((e) => e.involvedObject?.name === 'nowhere' && e.reason === 'FailedScheduling'),
    'FailedScheduling for nowhere',
    { namespace: 'default' },
  );
  const msg = events.find((e) => e.involvedObject?.name === 'nowhere' && e.reason === 'FailedScheduling')!.message ?? '';
  assert.match(msg, /^0\/3 nodes are available: 3 extender says no\./);
});
