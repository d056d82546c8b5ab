import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { FakeClock, settle } from '../../../src/client/clock.js';
import { LeaderElector, LeaseLock, formatMicroTime, type LeaseStore } from '../../../src/client/leaderelection/index.js';
import { createLogger } from '../../../src/util/log.js';
import { MemoryLeaseStore, partitionable } from './memory-lease-store.js';

const log = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });

interface Candidate {
  id: string;
  elector: LeaderElector;
  ac: AbortController;
  done: Promise<void>;
  started: number[];
  stopped: number[];
  leaders: string[];
  leading: boolean;
}

function candidate(id: string, store: LeaseStore, clock: FakeClock, extra: { releaseOnCancel?: boolean } = {}): Candidate {
  const c = { id, ac: new AbortController(), started: [], stopped: [], leaders: [], leading: false } as unknown as Candidate;
  c.elector = new LeaderElector({
    lock: new LeaseLock({ namespace: 'kube-system', name: 'lock', identity: id, store }),
    clock,
    log,
    random: () => 0,
    releaseOnCancel: extra.releaseOnCancel,
    callbacks: {
      onStartedLeading: (signal) => {
        c.started.push(clock.now());
        c.leading = true;
        signal.addEventListener('abort', () => (c.leading = false));
      },
      onStoppedLeading: () => {
        c.stopped.push(clock.now());
        c.leading = false;
      },
      onNewLeader: (l) => c.leaders.push(l),
    },
  });
  c.done = c.elector.run(c.ac.signal);
  return c;
}

const leadingOnes = (cs: Candidate[]) => cs.filter((c) => c.leading).map((c) => c.id);

test('a lone candidate creates the Lease with its identity and upstream default durations and starts leading', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const a = candidate('a', store, clock);
  await settle();
  assert.equal(a.leading, true);
  assert.equal(a.elector.isLeader(), true);
  assert.deepEqual(a.leaders, ['a']);
  const spec = store.spec('kube-system', 'lock')!;
  assert.equal(spec.holderIdentity, 'a');
  assert.equal(spec.leaseDurationSeconds, 15);
  assert.equal(spec.leaseTransitions, 0);
  assert.equal(spec.acquireTime, formatMicroTime(clock.now()));
  assert.match(spec.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  await clock.advance(2000);
  assert.equal(store.spec('kube-system', 'lock')!.renewTime, formatMicroTime(clock.now()), 'renewed every retry period');
  assert.equal(store.spec('kube-system', 'lock')!.acquireTime, spec.acquireTime, 'renewals keep the acquire time');
  a.ac.abort();
  await a.done;
  assert.deepEqual(a.stopped, [clock.now()]);
});

test('of three candidates exactly one leads at every moment of a minute, and the others see it as leader', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const cs = ['a', 'b', 'c'].map((id) => candidate(id, store, clock));
  await settle();
  for (let t = 0; t < 60; t++) {
    await clock.advance(1000);
    assert.equal(leadingOnes(cs).length, 1, `one leader at ${t}s`);
  }
  const leader = leadingOnes(cs)[0];
  for (const c of cs) assert.equal(c.elector.getLeader(), leader);
  assert.equal(store.spec('kube-system', 'lock')!.leaseTransitions, 0);
  for (const c of cs) c.ac.abort();
  await Promise.all(cs.map((c) => c.done));
});

test('a leader cut off from the server steps down after the renew deadline, before another takes over after the lease duration', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const aStore = partitionable(store);
  const a = candidate('a', aStore, clock);
  await settle();
  const b = candidate('b', store, clock);
  await clock.advance(4000);
  assert.equal(a.leading, true);
  assert.equal(b.leading, false);
  const lastRenew = Date.parse(store.spec('kube-system', 'lock')!.renewTime!);
  aStore.partitioned = true;
  for (let i = 0; i < 200 && !b.leading; i++) await clock.advance(100);
  assert.equal(b.leading, true);
  assert.equal(a.stopped.length, 1, 'a stopped leading');
  assert.ok(a.stopped[0] - lastRenew <= 10_000 + 2000, 'a gave up within the renew deadline of its last success');
  assert.ok(b.started[0] - lastRenew >= 15_000, `b waited for the lease to expire (${b.started[0] - lastRenew} ms)`);
  assert.ok(a.stopped[0] < b.started[0], 'never two leaders');
  const spec = store.spec('kube-system', 'lock')!;
  assert.equal(spec.holderIdentity, 'b');
  assert.equal(spec.leaseTransitions, 1);
  assert.ok(b.leaders.includes('a') && b.leaders.at(-1) === 'b');
  await a.done;
  b.ac.abort();
  await b.done;
});

test('with releaseOnCancel a cancelled leader clears the holder and a waiting candidate takes over at its next retry', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const a = candidate('a', store, clock, { releaseOnCancel: true });
  await settle();
  const b = candidate('b', store, clock);
  await clock.advance(3000);
  a.ac.abort();
  await a.done;
  assert.equal(store.spec('kube-system', 'lock')!.holderIdentity, '');
  assert.equal(store.spec('kube-system', 'lock')!.leaseDurationSeconds, 1);
  const releasedAt = clock.now();
  for (let i = 0; i < 100 && !b.leading; i++) await clock.advance(100);
  assert.equal(b.leading, true);
  assert.ok(b.started[0] - releasedAt <= 2000, 'within one retry period, not a lease duration');
  b.ac.abort();
  await b.done;
});

test('a candidate measures expiry from when it observed the record, not from the holder\'s renewTime', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  // A holder whose clock is an hour behind: by its timestamps the lease expired long ago.
  await store.create({
    metadata: { namespace: 'kube-system', name: 'lock' },
    spec: { holderIdentity: 'skewed', leaseDurationSeconds: 15, renewTime: formatMicroTime(clock.now() - 3600_000), leaseTransitions: 4 },
  });
  const b = candidate('b', store, clock);
  await clock.advance(14_000);
  assert.equal(b.leading, false, 'the record has not been seen unchanged for 15 s yet');
  await clock.advance(4000);
  assert.equal(b.leading, true);
  assert.equal(store.spec('kube-system', 'lock')!.leaseTransitions, 5);
  b.ac.abort();
  await b.done;
});

test('two candidates racing for an expired lease both try, and optimistic concurrency lets exactly one win', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  await store.create({ metadata: { namespace: 'kube-system', name: 'lock' }, spec: { holderIdentity: '', leaseDurationSeconds: 1 } });
  const cs = [candidate('a', store, clock), candidate('b', store, clock)];
  await settle();
  assert.equal(leadingOnes(cs).length, 1);
  assert.equal(store.spec('kube-system', 'lock')!.leaseTransitions, 1);
  for (const c of cs) c.ac.abort();
  await Promise.all(cs.map((c) => c.done));
});

test('invalid timings are rejected as upstream validates them', () => {
  const lock = new LeaseLock({ namespace: 'n', name: 'l', identity: 'x', store: new MemoryLeaseStore() });
  const callbacks = { onStartedLeading() {}, onStoppedLeading() {} };
  const cases: Array<[string, object, RegExp]> = [
    ['lease not longer than renew deadline', { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, /leaseDuration must be greater than renewDeadline/],
    ['renew deadline within jittered retry', { renewDeadlineMs: 2000, retryPeriodMs: 2000 }, /renewDeadline must be greater than retryPeriod\*JitterFactor/],
  ];
  for (const [, opts, re] of cases) assert.throws(() => new LeaderElector({ lock, callbacks, log, ...opts }), re);
  assert.throws(
    () => new LeaderElector({ lock: new LeaseLock({ namespace: 'n', name: 'l', identity: '', store: new MemoryLeaseStore() }), callbacks, log }),
    /identity is empty/,
  );
});

test('a candidate whose campaign is cancelled before it ever leads still gets onStoppedLeading, as upstream', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore();
  const a = candidate('a', store, clock);
  await settle();
  const b = candidate('b', store, clock);
  await clock.advance(1000);
  b.ac.abort();
  await b.done;
  assert.deepEqual(b.started, []);
  assert.equal(b.stopped.length, 1);
  a.ac.abort();
  await a.done;
});
