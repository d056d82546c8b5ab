// The event recorder against the real API server, read back with the real kubectl.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import type { Event } from 'kubernetes-types/core/v1.js';
import { EventBroadcaster, restEventSink, type EventSink } from '../../../src/client/record/index.js';
import { Client } from '../../../src/client/rest/client.js';
import { loadConfig } from '../../../src/client/kubeconfig/load.js';
import { createLogger } from '../../../src/util/log.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { httpsEventSink } from './https-event-sink.js';

const log = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster.close();
});

async function configMap(name: string) {
  await cluster.kubectlOk(['create', 'configmap', name, '--from-literal=k=v']);
  const res = await cluster.request('GET', `/api/v1/namespaces/default/configmaps/${name}`);
  return res.json<{ apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid: string } }>();
}

async function eventsFor(name: string): Promise<Event[]> {
  const sel = encodeURIComponent(`involvedObject.name=${name}`);
  const res = await cluster.request('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`);
  assert.equal(res.status, 200, res.body);
  return res.json<{ items: Event[] }>().items;
}

function recorderTo(sink: EventSink) {
  const b = new EventBroadcaster({ log });
  b.startRecordingToSink(sink);
  return { b, r: b.newRecorder({ component: 'test-controller', host: 'test-host' }) };
}

test('30 identical events become one Event counted up to 25: the spam filter drops the rest, as upstream', async () => {
  const cm = await configMap('spammy');
  const { b, r } = recorderTo(httpsEventSink(cluster));
  for (let i = 0; i < 30; i++) r.event(cm, 'Warning', 'FailedSync', 'sync failed: boom');
  await b.flush();
  const events = await eventsFor('spammy');
  assert.equal(events.length, 1);
  const [e] = events;
  assert.equal(e.count, 25);
  assert.equal(e.reason, 'FailedSync');
  assert.equal(e.type, 'Warning');
  assert.deepEqual(
    { kind: e.involvedObject.kind, name: e.involvedObject.name, namespace: e.involvedObject.namespace, uid: e.involvedObject.uid },
    { kind: 'ConfigMap', name: 'spammy', namespace: 'default', uid: cm.metadata.uid },
  );
  assert.deepEqual(e.source, { component: 'test-controller', host: 'test-host' });
  assert.equal(e.reportingComponent, 'test-controller');
  assert.equal(e.reportingInstance, 'test-host');
  assert.match(e.metadata!.name!, /^spammy\.[0-9a-f]+$/);

  const described = await cluster.kubectlOk(['describe', 'configmap', 'spammy']);
  assert.match(described, /Events:/);
  assert.match(described, /Warning\s+FailedSync\s+\S+ \(x25 over \S+\)\s+test-controller\s+sync failed: boom/);
  await b.shutdown();
});

test('events with distinct reasons are separate Events, and kubectl describe lists each', async () => {
  const cm = await configMap('several');
  const { b, r } = recorderTo(httpsEventSink(cluster));
  r.event(cm, 'Normal', 'Created', 'created it');
  r.eventf(cm, 'Normal', 'Updated', 'updated %d keys', 2);
  r.event(cm, 'Warning', 'Invalid', 'something is off');
  await b.flush();
  const events = await eventsFor('several');
  assert.deepEqual(events.map((e) => [e.reason, e.count, e.message]).sort(), [
    ['Created', 1, 'created it'],
    ['Invalid', 1, 'something is off'],
    ['Updated', 1, 'updated 2 keys'],
  ]);
  const described = await cluster.kubectlOk(['describe', 'configmap', 'several']);
  for (const line of [/Normal\s+Created\s+\S+\s+test-controller\s+created it/, /Normal\s+Updated\s+\S+\s+test-controller\s+updated 2 keys/, /Warning\s+Invalid\s+\S+\s+test-controller\s+something is off/]) {
    assert.match(described, line);
  }
  await b.shutdown();
});

test('twelve events differing only in message: nine plain, then one aggregated Event counted up', async () => {
  const cm = await configMap('aggregated');
  const { b, r } = recorderTo(httpsEventSink(cluster));
  for (let i = 0; i < 12; i++) r.event(cm, 'Warning', 'BackOff', `attempt ${i} failed`);
  await b.flush();
  const events = await eventsFor('aggregated');
  assert.equal(events.length, 10);
  const combined = events.filter((e) => e.message!.startsWith('(combined from similar events): '));
  assert.equal(combined.length, 1);
  assert.equal(combined[0].count, 3);
  assert.equal(combined[0].message, '(combined from similar events): attempt 11 failed');
  await b.shutdown();
});

test('the REST client adapter writes and patches events the same way', async () => {
  const cm = await configMap('via-rest');
  const client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  try {
    const { b, r } = recorderTo(restEventSink(client));
    for (let i = 0; i < 3; i++) r.event(cm, 'Normal', 'Synced', 'synced');
    r.event({ kind: 'Node', apiVersion: 'v1', name: 'node-x' }, 'Normal', 'NodeReady', 'node is ready');
    await b.flush();
    const [e] = await eventsFor('via-rest');
    assert.equal(e.count, 3);
    const nodeEvents = await eventsFor('node-x');
    assert.equal(nodeEvents.length, 1);
    assert.equal(nodeEvents[0].metadata!.namespace, 'default');
    await b.shutdown();
  } finally {
    await client.close();
  }
});
