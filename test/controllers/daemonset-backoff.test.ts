// Failed daemon pods against the real API server, with the backoff on a fake clock: the first
// failure on a node is killed at once (FailedDaemonPod warning) and replaced; a failure right
// after waits out the 1 s backoff before it is killed. The backoff itself doubles up to 15 min.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, until, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { FakeClock } from '../../src/client/clock.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';
import { newDaemonSetController } from '../../src/controllers/daemonset/index.js';
import { Backoff } from '../../src/controllers/daemonset/failed-pod-backoff.js';

const clock = new FakeClock(Date.now());
let rig: ControllerRig;
before(async () => {
  rig = await startControllers([{ name: 'daemonset', create: (ctx) => newDaemonSetController(ctx, { clock }) }]);
  await rig.client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
});
after(async () => {
  await rig?.close();
});

const ns = 'default';
const pods = () => rig.client.resource(resources.pods);
const live = (p: Pod) => !p.metadata?.deletionTimestamp;

async function failPod(name: string): Promise<void> {
  await pods().patch(name, { status: { phase: 'Failed', reason: 'Crashed' } }, { type: 'merge', subresource: 'status', namespace: ns });
}

/** The one live, not-failed daemon pod, once it exists and differs from `not`. */
async function nextPod(not: string[]): Promise<string> {
  const ps = await waitForObjects(pods(), (p) => p.some((x) => live(x) && x.status?.phase !== 'Failed' && !not.includes(x.metadata!.name!)), 'a new daemon pod', { namespace: ns, labelSelector: 'app=flaky' });
  return ps.find((x) => live(x) && x.status?.phase !== 'Failed' && !not.includes(x.metadata!.name!))!.metadata!.name!;
}

const gone = (name: string) => (ps: Pod[]) => !ps.some((p) => p.metadata?.name === name && live(p));

describe('daemonset failed pod backoff', () => {
  test('a failed daemon pod is killed with a FailedDaemonPod warning and replaced; a second failure waits out the backoff', async () => {
    const ds: DaemonSet & KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'flaky', namespace: ns },
      spec: { selector: { matchLabels: { app: 'flaky' } }, template: { metadata: { labels: { app: 'flaky' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }] } } },
    };
    await rig.client.resource(resources.daemonSets).create(ds, { namespace: ns });
    const first = await nextPod([]);
    await failPod(first);
    await waitForObjects(pods(), gone(first), 'first failed pod killed', { namespace: ns, labelSelector: 'app=flaky' });
    const events = await waitForObjects(rig.client.resource(resources.coreEvents), (evs) => evs.some((e) => e.reason === 'FailedDaemonPod'), 'FailedDaemonPod event', { namespace: ns });
    const ev = events.find((e) => e.reason === 'FailedDaemonPod')!;
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.involvedObject?.kind, 'DaemonSet');
    assert.equal(ev.involvedObject?.name, 'flaky');
    assert.equal(ev.message, `Found failed daemon pod ${ns}/${first} on node n1, will try to kill it`);

    const second = await nextPod([first]);
    assert.equal(clock.pending(), 0, 'no wake-up scheduled before the second failure');
    await failPod(second);
    // The controller saw the failure inside the 1 s backoff: it set a wake-up instead of killing.
    await until(() => clock.pending() > 0, 'the backoff wake-up', 10_000);
    const still = await pods().get(second, { namespace: ns });
    assert.equal(still.metadata?.deletionTimestamp, undefined, 'not killed during the backoff');
    await clock.advance(1000);
    await waitForObjects(pods(), gone(second), 'second failed pod killed after the backoff', { namespace: ns, labelSelector: 'app=flaky' });
    await nextPod([first, second]);
  });
});

describe('daemonset succeeded pods', () => {
  test('a succeeded daemon pod is deleted at once with a SucceededDaemonPod event and replaced', async () => {
    const ds: DaemonSet & KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'done', namespace: ns },
      spec: { selector: { matchLabels: { app: 'done' } }, template: { metadata: { labels: { app: 'done' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }] } } },
    };
    await rig.client.resource(resources.daemonSets).create(ds, { namespace: ns });
    const opts = { namespace: ns, labelSelector: 'app=done' };
    const [first] = await waitForObjects(pods(), (p) => p.filter(live).length === 1, 'a daemon pod', opts);
    const name = first.metadata!.name!;
    await pods().patch(name, { status: { phase: 'Succeeded' } }, { type: 'merge', subresource: 'status', namespace: ns });
    await waitForObjects(pods(), (p) => gone(name)(p) && p.some((x) => live(x) && x.metadata?.name !== name), 'succeeded pod replaced', opts);
    const events = await waitForObjects(rig.client.resource(resources.coreEvents), (evs) => evs.some((e) => e.reason === 'SucceededDaemonPod'), 'SucceededDaemonPod event', { namespace: ns });
    const ev = events.find((e) => e.reason === 'SucceededDaemonPod')!;
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.message, `Found succeeded daemon pod ${ns}/${name} on node n1, will try to delete it`);
  });
});

describe('failed pod backoff', () => {
  test('doubles from 1 s up to 15 min, and starts over after a quiet spell longer than the maximum', () => {
    const c = new FakeClock(0);
    const b = new Backoff(c);
    assert.equal(b.isInBackOffSinceUpdate('k', 0), false);
    b.next('k', 0);
    assert.equal(b.get('k'), 1000);
    assert.equal(b.isInBackOffSinceUpdate('k', 999), true);
    assert.equal(b.isInBackOffSinceUpdate('k', 1000), false);
    let t = 1000;
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      b.next('k', t);
      seen.push(b.get('k'));
      t += b.get('k');
    }
    assert.deepEqual(seen.slice(0, 4), [2000, 4000, 8000, 16000]);
    assert.equal(seen.at(-1), 15 * 60_000);
    t += 15 * 60_000 + 1;
    assert.equal(b.isInBackOffSinceUpdate('k', t), false);
    b.next('k', t);
    assert.equal(b.get('k'), 1000);
  });
});
