// The eviction manager's decisions under provoked pressure, with a fake clock and a fake summary
// (after upstream eviction_manager_test.go TestMemoryPressure, TestDiskPressureNodeFs,
// TestMinReclaim, TestNodeReclaimFuncs, TestCriticalPodsAreNotEvicted, TestPIDPressure).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createLogger } from '../../../src/util/log.js';
import { metricsRegistry } from '../../../src/util/metrics.js';
import { EvictionManager, type EvictPodOptions } from '../../../src/kubelet/eviction/manager.js';
import { parseThresholdConfig, type ThresholdFlags } from '../../../src/kubelet/eviction/thresholds.js';
import type { PodStats, Summary } from '../../../src/kubelet/stats/types.js';
import { container, defaultPriority, emptyDirVolume, highPriority, lowPriority, newPod, nodeSummary, podDiskStats, podMemoryStats, podProcessStats, resources } from './helpers.js';

const log = createLogger('eviction-test', { level: 'silent' });

interface Harness {
  manager: EvictionManager;
  evicted: { pod: string; opts: EvictPodOptions }[];
  step(ms: number): void;
  /** Sets the summary the next round sees (its time = the fake clock). */
  set(o: Omit<Parameters<typeof nodeSummary>[0], 'time'>): void;
  sync(): Promise<string | undefined>;
  conditionChanges: string[][];
}

function harness(flags: ThresholdFlags, pods: Pod[], opts: { reclaim?: () => void; transitionMs?: number; maxPodGrace?: number } = {}): Harness {
  let now = 1_000_000;
  let summaryInput: Omit<Parameters<typeof nodeSummary>[0], 'time'> = {};
  const evicted: Harness['evicted'] = [];
  const conditionChanges: string[][] = [];
  const manager = new EvictionManager({
    thresholds: parseThresholdConfig(flags),
    summary: { get: async (): Promise<Summary> => nodeSummary({ time: now, ...summaryInput }) },
    activePods: () => pods,
    evictPod: async (pod, o) => {
      evicted.push({ pod: pod.metadata!.name!, opts: o });
    },
    reclaimNodeResources: opts.reclaim ? async () => opts.reclaim!() : undefined,
    onConditionsChanged: (c) => conditionChanges.push(c),
    log,
    now: () => now,
    pressureTransitionPeriodMs: opts.transitionMs ?? 5 * 60_000,
    maxPodGracePeriodSeconds: opts.maxPodGrace ?? 5,
  });
  return {
    manager,
    evicted,
    conditionChanges,
    step: (ms) => {
      now += ms;
    },
    set: (o) => {
      summaryInput = o;
    },
    sync: async () => (await manager.synchronize())?.metadata?.name,
  };
}

const minute = 60_000;

function memoryPods(): { pods: Pod[]; stats: PodStats[] } {
  const spec: [string, number, [string, string, string], [string, string, string], string][] = [
    ['guaranteed-low-priority-high-usage', lowPriority, ['100m', '1Gi', ''], ['100m', '1Gi', ''], '900Mi'],
    ['burstable-below-requests', defaultPriority, ['100m', '100Mi', ''], ['200m', '1Gi', ''], '50Mi'],
    ['burstable-above-requests', defaultPriority, ['100m', '100Mi', ''], ['200m', '1Gi', ''], '400Mi'],
    ['best-effort-high-priority-high-usage', highPriority, ['', '', ''], ['', '', ''], '400Mi'],
    ['best-effort-low-priority-low-usage', lowPriority, ['', '', ''], ['', '', ''], '100Mi'],
  ];
  const pods = spec.map(([name, prio, req, lim]) => newPod(name, prio, [container(name, resources(...req), resources(...lim))]));
  return { pods, stats: pods.map((p, i) => podMemoryStats(p, spec[i][4])) };
}

const bestEffort = newPod('best-admit', defaultPriority, [container('c', {}, {})]);
const burstable = newPod('burst-admit', defaultPriority, [container('c', { memory: '100Mi' }, {})]);

describe('eviction manager', () => {
  it('memory pressure: soft threshold waits its grace period, hard evicts at once, the condition holds for the transition period, admission follows', async () => {
    const { pods, stats } = memoryPods();
    const h = harness({ hard: 'memory.available<1Gi', soft: 'memory.available<2Gi', softGracePeriod: 'memory.available=2m' }, pods);

    h.set({ memoryAvailable: '2Gi', pods: stats });
    assert.equal(await h.sync(), undefined);
    assert.deepEqual(h.manager.conditions(), { memoryPressure: false, diskPressure: false, pidPressure: false });
    assert.equal(h.manager.admitPod(bestEffort).admit, true);

    // Soft threshold crossed: pressure at once, no eviction before 2 minutes.
    h.step(minute);
    h.set({ memoryAvailable: '1500Mi', pods: stats });
    assert.equal(await h.sync(), undefined);
    assert.equal(h.manager.conditions().memoryPressure, true);
    assert.deepEqual(h.conditionChanges, [['MemoryPressure']]);

    h.step(3 * minute);
    assert.equal(await h.sync(), 'best-effort-low-priority-low-usage');
    assert.equal(h.evicted[0].opts.gracePeriodSeconds, 5, 'soft eviction: --eviction-max-pod-grace-period');
    assert.equal(h.evicted[0].opts.reason, 'Evicted');
    assert.deepEqual(h.evicted[0].opts.condition, { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: h.evicted[0].opts.message });

    // Pressure gone from the stats, but the condition stays for the transition period.
    h.step(minute);
    h.set({ memoryAvailable: '4Gi', pods: stats });
    assert.equal(await h.sync(), undefined);
    assert.equal(h.manager.conditions().memoryPressure, true);

    // Hard threshold crossed: evict now, with 1 s grace.
    h.step(minute);
    h.set({ memoryAvailable: '500Mi', pods: stats });
    assert.equal(await h.sync(), 'best-effort-low-priority-low-usage');
    assert.equal(h.evicted[1].opts.gracePeriodSeconds, 1);
    assert.equal(
      h.evicted[1].opts.message,
      'The node was low on resource: memory. Threshold quantity: 1Gi, available: 500Mi. Container best-effort-low-priority-low-usage was using 100Mi, request is 0, has larger consumption of memory. ',
    );
    const be = h.manager.admitPod(bestEffort);
    assert.deepEqual(be, { admit: false, reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
    assert.equal(h.manager.admitPod(burstable).admit, true);

    // Recovered: still pressure within 5 minutes of the last observation, then not.
    h.step(minute);
    h.set({ memoryAvailable: '2Gi', pods: stats });
    assert.equal(await h.sync(), undefined);
    assert.equal(h.manager.conditions().memoryPressure, true);
    h.step(5 * minute);
    assert.equal(await h.sync(), undefined);
    assert.equal(h.manager.conditions().memoryPressure, false);
    assert.equal(h.manager.admitPod(bestEffort).admit, true);
    assert.deepEqual(h.conditionChanges, [['MemoryPressure'], []]);
    assert.equal(h.evicted.length, 2);
  });

  it('exactly one pod is evicted per round, the next one only when the stats are new', async () => {
    const { pods, stats } = memoryPods();
    const h = harness({ hard: 'memory.available<1Gi' }, pods);
    h.set({ memoryAvailable: '500Mi', pods: stats });
    assert.equal(await h.sync(), 'best-effort-low-priority-low-usage');
    assert.equal(h.evicted.length, 1);
    assert.equal(await h.sync(), undefined, 'the same stats (same time) do not evict again');
    h.step(10_000);
    assert.equal(await h.sync(), 'best-effort-low-priority-low-usage');
    assert.equal(h.evicted.length, 2);
  });

  it('minimum reclaim: eviction continues until available exceeds threshold + min-reclaim', async () => {
    const { pods, stats } = memoryPods();
    const h = harness({ hard: 'memory.available<1Gi', minimumReclaim: 'memory.available=500Mi' }, pods);
    h.set({ memoryAvailable: '500Mi', pods: stats });
    assert.ok(await h.sync());
    h.step(10_000);
    h.set({ memoryAvailable: '1.2Gi', pods: stats });
    assert.ok(await h.sync(), 'above the threshold but below threshold + min-reclaim: evict again');
    h.step(10_000);
    h.set({ memoryAvailable: '2Gi', pods: stats });
    assert.equal(await h.sync(), undefined);
    assert.equal(h.evicted.length, 2);
    assert.equal(h.manager.conditions().memoryPressure, true, 'the transition period still holds the condition');
  });

  it('disk pressure: node-level reclaim first; no eviction when it satisfies threshold + min-reclaim', async () => {
    const pod = newPod('disk-user', defaultPriority, [container('app', {}, {})], [emptyDirVolume()]);
    const stats = [podDiskStats(pod, '0', '100Mi', '300Mi')];
    let reclaimed = 0;
    const h = harness({ hard: 'nodefs.available<1Gi', minimumReclaim: 'nodefs.available=500Mi' }, [pod], {
      reclaim: () => {
        reclaimed++;
        h.set({ nodefsAvailable: '2Gi', pods: stats });
      },
    });
    h.set({ nodefsAvailable: '500Mi', pods: stats });
    assert.equal(await h.sync(), undefined);
    assert.equal(reclaimed, 1);
    assert.equal(h.evicted.length, 0);
    assert.equal(h.manager.conditions().diskPressure, true);
    assert.equal(h.manager.admitPod(burstable).admit, false, 'disk pressure refuses every pod');
  });

  it('disk pressure: when reclaim is not enough the greediest pod is evicted with an ephemeral-storage message', async () => {
    const small = newPod('small', defaultPriority, [container('app', {}, {})], [emptyDirVolume()]);
    const big = newPod('big', defaultPriority, [container('app', {}, {})], [emptyDirVolume()]);
    const stats = [podDiskStats(small, '0', '1Mi', '1Mi'), podDiskStats(big, '0', '100Mi', '300Mi')];
    let reclaimed = 0;
    const h = harness({ hard: 'nodefs.available<1Gi' }, [small, big], { reclaim: () => reclaimed++ });
    h.set({ nodefsAvailable: '500Mi', pods: stats });
    assert.equal(await h.sync(), 'big');
    assert.equal(reclaimed, 1);
    assert.equal(
      h.evicted[0].opts.message,
      'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 500Mi. Container app was using 100Mi, request is 0, has larger consumption of ephemeral-storage. ',
    );
  });

  it('percentage thresholds print the computed quantity, inode signals print decimal counts', async () => {
    const pod = newPod('p', defaultPriority, [container('app', {}, {})]);
    const h = harness({ hard: 'nodefs.inodesFree<5%' }, [pod]);
    h.set({ inodes: 1_000_000, inodesFree: 20_000, pods: [podDiskStats(pod, '0', '10', '0', true)] });
    assert.equal(await h.sync(), 'p');
    const q = Math.trunc(1_000_000 * Math.fround(Math.fround(5) / 100));
    assert.equal(h.evicted[0].opts.message, `The node was low on resource: inodes. Threshold quantity: ${q}, available: 20k. `);
  });

  it('critical pods (static, mirror, system-critical priority) are never evicted; the next pod is', async () => {
    const staticPod = newPod('static', lowPriority, [container('a', {}, {})]);
    staticPod.metadata!.annotations = { 'kubernetes.io/config.source': 'file' };
    const critical = newPod('critical', 2_000_000_000, [container('a', {}, {})]);
    const normal = newPod('normal', highPriority, [container('a', {}, {})]);
    const stats = [podMemoryStats(staticPod, '900Mi'), podMemoryStats(critical, '900Mi'), podMemoryStats(normal, '10Mi')];
    const h = harness({ hard: 'memory.available<1Gi', soft: 'memory.available<2Gi', softGracePeriod: 'memory.available=0s' }, [critical, staticPod, normal]);
    h.set({ memoryAvailable: '500Mi', pods: stats });
    assert.equal(await h.sync(), 'normal');
    assert.deepEqual(
      h.evicted.map((e) => e.pod),
      ['normal'],
    );
    assert.equal(h.manager.admitPod(critical).admit, true);
  });

  it('PID pressure: condition PIDPressure, lowest priority then most processes evicted first', async () => {
    const a = newPod('high-prio-many', highPriority, []);
    const b = newPod('low-prio-few', lowPriority, []);
    const c = newPod('low-prio-many', lowPriority, []);
    const h = harness({ hard: 'pid.available<1k' }, [a, b, c]);
    h.set({ maxPid: 32768, procs: 32000, pods: [podProcessStats(a, 50), podProcessStats(b, 2), podProcessStats(c, 20)] });
    assert.equal(await h.sync(), 'low-prio-many');
    assert.deepEqual(h.manager.conditions(), { memoryPressure: false, diskPressure: false, pidPressure: true });
    assert.deepEqual(h.manager.admitPod(burstable), { admit: false, reason: 'Evicted', message: 'The node had condition: [PIDPressure]. ' });
  });

  it('kubelet_evictions counts evictions by signal', async () => {
    const before = (await metricsRegistry.getSingleMetric('kubelet_evictions')?.get())?.values.find((v) => v.labels.eviction_signal === 'pid.available')?.value ?? 0;
    const a = newPod('a', defaultPriority, []);
    const h = harness({ hard: 'pid.available<1k' }, [a]);
    h.set({ maxPid: 32768, procs: 32000, pods: [podProcessStats(a, 5)] });
    await h.sync();
    const after = (await metricsRegistry.getSingleMetric('kubelet_evictions')?.get())?.values.find((v) => v.labels.eviction_signal === 'pid.available')?.value ?? 0;
    assert.equal(after - before, 1);
  });
});

describe('admission under node pressure', () => {
  const be = newPod('be', defaultPriority, [container('c', {}, {})]);
  const beTolerates = { ...be, spec: { ...be.spec!, tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] } };
  const beToleratesAll = { ...be, spec: { ...be.spec!, tolerations: [{ operator: 'Exists' }] } };
  const beToleratesDisk = { ...be, spec: { ...be.spec!, tolerations: [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }] } };
  const guaranteed = newPod('g', defaultPriority, [container('c', { cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })]);
  const critical = newPod('crit', 2_000_000_000, [container('c', {}, {})]);
  const cases: { name: string; pod: Pod; conditions: ('MemoryPressure' | 'DiskPressure' | 'PIDPressure')[]; admit: boolean; message?: string }[] = [
    { name: 'no pressure admits a BestEffort pod', pod: be, conditions: [], admit: true },
    { name: 'memory pressure refuses a BestEffort pod', pod: be, conditions: ['MemoryPressure'], admit: false, message: 'The node had condition: [MemoryPressure]. ' },
    { name: 'memory pressure admits a BestEffort pod tolerating the memory-pressure taint', pod: beTolerates, conditions: ['MemoryPressure'], admit: true },
    { name: 'memory pressure admits a BestEffort pod tolerating everything', pod: beToleratesAll, conditions: ['MemoryPressure'], admit: true },
    { name: 'memory pressure refuses a BestEffort pod tolerating only disk pressure', pod: beToleratesDisk, conditions: ['MemoryPressure'], admit: false },
    { name: 'memory pressure admits a Guaranteed pod', pod: guaranteed, conditions: ['MemoryPressure'], admit: true },
    { name: 'disk pressure refuses a Guaranteed pod', pod: guaranteed, conditions: ['DiskPressure'], admit: false, message: 'The node had condition: [DiskPressure]. ' },
    { name: 'memory and disk pressure list both conditions', pod: guaranteed, conditions: ['MemoryPressure', 'DiskPressure'], admit: false, message: 'The node had condition: [MemoryPressure DiskPressure]. ' },
    { name: 'disk pressure admits a critical pod', pod: critical, conditions: ['DiskPressure'], admit: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { admitPod } = await import('../../../src/kubelet/eviction/admission.js');
      const r = admitPod(c.pod, c.conditions);
      assert.equal(r.admit, c.admit);
      if (!c.admit) assert.equal(r.reason, 'Evicted');
      if (c.message) assert.equal(r.message, c.message);
    });
  }
});

describe('eviction helpers for the node agent', () => {
  it('evictedPodStatus: Failed, Evicted, the message and a DisruptionTarget condition, other conditions kept', async () => {
    const { evictedPodStatus, rejectedPodStatus } = await import('../../../src/kubelet/eviction/pod-status.js');
    const s = evictedPodStatus(
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      { reason: 'Evicted', message: 'm', gracePeriodSeconds: 1, condition: { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: 'm' } },
      Date.parse('2026-01-01T00:00:00Z'),
    );
    assert.equal(s.phase, 'Failed');
    assert.equal(s.reason, 'Evicted');
    assert.deepEqual(s.conditions, [
      { type: 'Ready', status: 'True' },
      { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ]);
    assert.deepEqual(rejectedPodStatus({ phase: 'Pending' }, { admit: false, reason: 'Evicted', message: 'The node had condition: [DiskPressure]. ' }), {
      phase: 'Failed',
      reason: 'Evicted',
      message: 'Pod was rejected: The node had condition: [DiskPressure]. ',
    });
  });

  it('allocatable reserves the hard memory.available and nodefs.available thresholds', async () => {
    const { evictionHardReservation } = await import('../../../src/kubelet/eviction/allocatable.js');
    assert.deepEqual(evictionHardReservation(parseThresholdConfig(), { memoryBytes: 8 * 2 ** 30, nodefsBytes: 100 * 2 ** 30 }), {
      memoryAvailableBytes: 100 * 2 ** 20,
      nodefsAvailableFraction: Math.fround(Math.fround(10) / 100),
    });
    assert.deepEqual(evictionHardReservation(parseThresholdConfig({ hard: 'nodefs.available<10Gi' }), { memoryBytes: 1, nodefsBytes: 100 * 2 ** 30 }), { memoryAvailableBytes: 0, nodefsAvailableFraction: 0.1 });
  });

  it('dead-container reclaim removes dead containers but keeps the newest attempt of a running pod', async () => {
    const { FakeRuntime } = await import('../../../src/kubelet/runtime/fake/runtime.js');
    const { deadContainerReclaimer } = await import('../../../src/kubelet/eviction/reclaim.js');
    const rt = new FakeRuntime({ logsOnDisk: false });
    const sbCfg = (uid: string) => ({ name: uid, namespace: 'ns', uid, attempt: 0, hostname: uid, logDirectory: '/nonexistent', labels: { 'io.kubernetes.pod.uid': uid }, annotations: {}, portMappings: [] });
    const ctr = (uid: string, attempt: number) => ({ name: 'app', attempt, image: 'x', command: [], args: [], envs: [], mounts: [], logPath: `app/${attempt}.log`, labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': 'app' }, annotations: {} });
    const running = await rt.runPodSandbox(sbCfg('live'));
    const old0 = await rt.createContainer(running, ctr('live', 0), sbCfg('live'));
    const old1 = await rt.createContainer(running, ctr('live', 1), sbCfg('live'));
    await rt.startContainer(old0);
    await rt.startContainer(old1);
    await rt.stopContainer(old0, 0);
    await rt.stopContainer(old1, 0);
    const done = await rt.runPodSandbox(sbCfg('done'));
    const finished = await rt.createContainer(done, ctr('done', 0), sbCfg('done'));
    await rt.startContainer(finished);
    await rt.stopPodSandbox(done);
    await deadContainerReclaimer(rt)();
    assert.deepEqual(
      (await rt.listContainers()).map((c) => c.id),
      [old1],
    );
  });
});

describe('local storage limits (no node pressure needed)', () => {
  const cases: { name: string; pod: () => Pod; stats: (p: Pod) => PodStats; message?: string; signal?: string }[] = [
    {
      name: 'an emptyDir over its sizeLimit evicts the pod',
      pod: () => newPod('ed', defaultPriority, [container('app', {}, {})], [{ name: 'scratch', emptyDir: { sizeLimit: '1Mi' } }]),
      stats: (p) => podDiskStats(p, '0', '0', '2Mi'),
      message: 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ',
      signal: 'emptydirfs.limit',
    },
    {
      name: "a pod over the sum of its containers' ephemeral-storage limits is evicted",
      pod: () => newPod('pl', defaultPriority, [container('a', {}, { 'ephemeral-storage': '1Gi' }), container('b', {}, { 'ephemeral-storage': '1Gi' })]),
      stats: (p) => ({ ...podDiskStats(p, '0', '10Mi', '0'), 'ephemeral-storage': { time: '', usedBytes: 3 * 2 ** 30 } }),
      message: 'Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ',
      signal: 'ephemeralpodfs.limit',
    },
    {
      name: 'a container over its own ephemeral-storage limit evicts the pod',
      pod: () => newPod('cl', defaultPriority, [container('app', {}, { 'ephemeral-storage': '100Mi' }), container('side', {}, {})]),
      stats: (p) => ({ ...podDiskStats(p, '0', '150Mi', '0'), 'ephemeral-storage': { time: '', usedBytes: 50 * 2 ** 20 } }),
      message: 'Container app exceeded its local ephemeral storage limit "100Mi". ',
      signal: 'ephemeralcontainerfs.limit',
    },
    {
      name: 'a pod within its limits is left alone',
      pod: () => newPod('ok', defaultPriority, [container('app', {}, { 'ephemeral-storage': '1Gi' })], [{ name: 'scratch', emptyDir: { sizeLimit: '1Gi' } }]),
      stats: (p) => podDiskStats(p, '0', '10Mi', '10Mi'),
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const pod = c.pod();
      const h = harness({ hard: {} }, [pod]);
      h.set({ pods: [c.stats(pod)] });
      const before = (await metricsRegistry.getSingleMetric('kubelet_evictions')?.get())?.values.find((v) => v.labels.eviction_signal === c.signal)?.value ?? 0;
      const got = await h.sync();
      if (!c.message) {
        assert.equal(got, undefined);
        return;
      }
      assert.equal(got, pod.metadata!.name);
      assert.equal(h.evicted[0].opts.message, c.message);
      assert.equal(h.evicted[0].opts.gracePeriodSeconds, 1);
      const after = (await metricsRegistry.getSingleMetric('kubelet_evictions')?.get())?.values.find((v) => v.labels.eviction_signal === c.signal)?.value ?? 0;
      assert.equal(after - before, 1);
    });
  }
});
