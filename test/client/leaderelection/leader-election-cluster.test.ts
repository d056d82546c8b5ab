// Leader election against the real API server: real Leases, real optimistic concurrency, real time
// (short durations: a 1 s lease).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import { LeaderElector, LeaseLock, restLeaseStore, type LeaseStore, type LockEventRecorder } from '../../../src/client/leaderelection/index.js';
import { EventBroadcaster, restEventSink } from '../../../src/client/record/index.js';
import { Client } from '../../../src/client/rest/client.js';
import { loadConfig } from '../../../src/client/kubeconfig/load.js';
import { createLogger } from '../../../src/util/log.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { httpsLeaseStore } from './https-lease-store.js';
import { partitionable } from './memory-lease-store.js';

const log = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster.close();
});

interface Timing {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}
const fast: Timing = { leaseDurationMs: 1000, renewDeadlineMs: 800, retryPeriodMs: 200 };

/** Leadership intervals of every candidate, to check they never overlap. */
class Timeline {
  readonly intervals: Array<{ id: string; from: number; to?: number }> = [];
  private waiters: Array<() => void> = [];
  /** Who each candidate last saw as leader (onNewLeader). */
  readonly seen = new Map<string, string>();
  see(id: string, leader: string): void {
    this.seen.set(id, leader);
    for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves once candidate id has observed leader. */
  sawLeader(id: string, leader: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.seen.get(id) === leader ? resolve() : this.waiters.push(check));
      check();
    });
  }
  start(id: string): void {
    this.intervals.push({ id, from: performance.now() });
    for (const w of this.waiters.splice(0)) w();
  }
  stop(id: string): void {
    const open = this.intervals.find((i) => i.id === id && i.to === undefined);
    if (open) open.to = performance.now();
  }
  leaders(): string[] {
    return this.intervals.filter((i) => i.to === undefined).map((i) => i.id);
  }
  /** Resolves when a candidate other than those in `except` starts leading. */
  nextLeader(except: string[] = []): Promise<string> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.leaders().find((id) => !except.includes(id));
        if (found) resolve(found);
        else this.waiters.push(check);
      };
      check();
    });
  }
  assertNoOverlap(): void {
    const sorted = [...this.intervals].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      assert.ok(prev.to !== undefined && prev.to <= sorted[i].from, `${prev.id} still led when ${sorted[i].id} started`);
    }
  }
}

function campaign(lockName: string, id: string, store: LeaseStore, timeline: Timeline, timing: Timing, releaseOnCancel = false, eventRecorder?: LockEventRecorder) {
  const ac = new AbortController();
  const elector = new LeaderElector({
    lock: new LeaseLock({ namespace: 'default', name: lockName, identity: id, store, eventRecorder }),
    ...timing,
    releaseOnCancel,
    log,
    callbacks: {
      onStartedLeading: (signal) => {
        timeline.start(id);
        signal.addEventListener('abort', () => timeline.stop(id));
      },
      onStoppedLeading: () => timeline.stop(id),
      onNewLeader: (leader) => timeline.see(id, leader),
    },
  });
  return { id, ac, elector, done: elector.run(ac.signal) };
}

async function lease(name: string) {
  const res = await cluster.request('GET', `/apis/coordination.k8s.io/v1/namespaces/default/leases/${name}`);
  assert.equal(res.status, 200);
  return res.json<{ spec: { holderIdentity: string; leaseDurationSeconds: number; leaseTransitions: number; renewTime: string } }>();
}

// Only where the claim is that nothing happens for a while (no second leader appears).
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('three candidates on one Lease: exactly one leads, and the Lease names it', async () => {
  const timeline = new Timeline();
  const cs = ['a', 'b', 'c'].map((id) => campaign('three', id, httpsLeaseStore(cluster), timeline, fast));
  const leader = await timeline.nextLeader();
  // Several lease durations of renewals and contention: still one leader.
  await quiet(2500);
  assert.deepEqual(timeline.leaders(), [leader]);
  assert.equal(timeline.intervals.length, 1);
  const l = await lease('three');
  assert.equal(l.spec.holderIdentity, leader);
  assert.equal(l.spec.leaseDurationSeconds, 1);
  for (const c of cs) c.ac.abort();
  await Promise.all(cs.map((c) => c.done));
  timeline.assertNoOverlap();
});

test('when the leader stops renewing, another candidate takes over only after the lease has expired', async () => {
  const timeline = new Timeline();
  const stores = ['a', 'b'].map(() => partitionable(httpsLeaseStore(cluster)));
  const cs = ['a', 'b'].map((id, i) => campaign('takeover', id, stores[i], timeline, fast));
  const first = await timeline.nextLeader();
  const firstIdx = first === 'a' ? 0 : 1;
  await timeline.sawLeader(first === 'a' ? 'b' : 'a', first);
  stores[firstIdx].partitioned = true;
  const lastRenew = Date.parse((await lease('takeover')).spec.renewTime);
  const second = await timeline.nextLeader([first]);
  const tookOverAt = Date.now();
  assert.notEqual(second, first);
  assert.ok(tookOverAt - lastRenew >= 1000, `took over ${tookOverAt - lastRenew} ms after the last renewal`);
  const l = await lease('takeover');
  assert.equal(l.spec.holderIdentity, second);
  assert.equal(l.spec.leaseTransitions, 1);
  timeline.assertNoOverlap();
  for (const c of cs) c.ac.abort();
  await Promise.all(cs.map((c) => c.done));
});

test('a leader cancelled with releaseOnCancel hands over well before its lease would expire', async () => {
  const timeline = new Timeline();
  const slowLease: Timing = { leaseDurationMs: 10_000, renewDeadlineMs: 5000, retryPeriodMs: 200 };
  const a = campaign('release', 'a', httpsLeaseStore(cluster), timeline, slowLease, true);
  await timeline.nextLeader();
  const b = campaign('release', 'b', httpsLeaseStore(cluster), timeline, slowLease);
  await timeline.sawLeader('b', 'a');
  const cancelledAt = performance.now();
  a.ac.abort();
  await a.done;
  assert.equal((await lease('release')).spec.holderIdentity, '');
  assert.equal(await timeline.nextLeader(['a']), 'b');
  const handover = performance.now() - cancelledAt;
  assert.ok(handover < 2000, `handed over in ${Math.round(handover)} ms (the lease is 10 s)`);
  timeline.assertNoOverlap();
  b.ac.abort();
  await b.done;
});

test('over the REST client adapters: one leader, and a LeaderElection event on the Lease says who became leader', async () => {
  const client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  const broadcaster = new EventBroadcaster({ log });
  broadcaster.startRecordingToSink(restEventSink(client));
  const recorder = broadcaster.newRecorder({ component: 'test-election', host: 'h' });
  try {
    const timeline = new Timeline();
    const cs = ['a', 'b'].map((id) => campaign('via-rest', id, restLeaseStore(client), timeline, fast, false, recorder));
    const leader = await timeline.nextLeader();
    await quiet(1200);
    assert.deepEqual(timeline.leaders(), [leader]);
    await broadcaster.flush();
    const sel = encodeURIComponent('involvedObject.name=via-rest,involvedObject.kind=Lease');
    const res = await cluster.request('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`);
    const events = res.json<{ items: Array<{ reason: string; message: string }> }>().items;
    assert.deepEqual(events.map((e) => [e.reason, e.message]), [['LeaderElection', `${leader} became leader`]]);
    for (const c of cs) c.ac.abort();
    await Promise.all(cs.map((c) => c.done));
    timeline.assertNoOverlap();
  } finally {
    await broadcaster.shutdown();
    await client.close();
  }
});
