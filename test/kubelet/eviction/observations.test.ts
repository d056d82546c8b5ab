// Signal observation and the pure decisions on it (upstream TestMakeSignalObservations,
// TestThresholdsMet, TestThresholdsMetGracePeriod, TestNodeConditionsObservedSince, …).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  makeSignalObservations,
  nodeConditions,
  nodeConditionsLastObservedAt,
  nodeConditionsObservedSince,
  sortByEvictionPriority,
  thresholdQuantity,
  thresholdQuantityText,
  thresholdsFirstObservedAt,
  thresholdsMet,
  thresholdsMetGracePeriod,
  thresholdsUpdatedStats,
  type Observations,
} from '../../../src/kubelet/eviction/observations.js';
import { parseThresholdStatement } from '../../../src/kubelet/eviction/thresholds.js';
import type { Threshold } from '../../../src/kubelet/eviction/types.js';
import { parseQuantity } from '../../../src/api/validation/quantity.js';
import type { Summary } from '../../../src/kubelet/stats/types.js';
import { q } from './helpers.js';

const th = (signal: string, value: string, graceMs = 0, minReclaim?: string): Threshold => {
  const t = parseThresholdStatement(signal, value)!;
  t.gracePeriodMs = graceMs;
  if (minReclaim) t.minReclaim = minReclaim.endsWith('%') ? { percentage: Number(minReclaim.slice(0, -1)) / 100 } : { quantity: parseQuantity(minReclaim) };
  return t;
};
const obs = (entries: [string, string, string][], time = 1000): Observations =>
  new Map(entries.map(([s, available, capacity]) => [s as never, { available: q(available), capacity: q(capacity), time, format: 'BinarySI' as const }]));

describe('signal observations', () => {
  it('every signal is observed from the summary as upstream computes it', () => {
    const t = '2026-01-01T00:00:00Z';
    const summary: Summary = {
      node: {
        nodeName: 'n',
        memory: { time: t, availableBytes: 1 << 30, workingSetBytes: 1 << 30 },
        fs: { time: t, availableBytes: 1024, capacityBytes: 2048, inodesFree: 1024, inodes: 1 << 20 },
        runtime: { imageFs: { time: t, availableBytes: 1 << 20, capacityBytes: 2 << 20, inodesFree: 1024, inodes: 1 << 20 } },
        rlimit: { time: t, maxpid: 255816, curproc: 1000 },
      },
      pods: [{ podRef: { name: 'p', namespace: 'ns', uid: 'u1' }, containers: [], memory: { time: t, workingSetBytes: 5 } }],
    };
    const { observations: o, statsFunc } = makeSignalObservations(summary);
    const got = Object.fromEntries([...o].map(([s, x]) => [s, [x.available, x.capacity]]));
    assert.deepEqual(got, {
      'memory.available': [2 ** 30, 2 ** 31],
      'nodefs.available': [1024, 2048],
      'nodefs.inodesFree': [1024, 1 << 20],
      'imagefs.available': [1 << 20, 2 << 20],
      'imagefs.inodesFree': [1024, 1 << 20],
      'pid.available': [255816 - 1000, 255816],
    });
    assert.equal(statsFunc('u1')?.memory?.workingSetBytes, 5);
    assert.equal(statsFunc('u2'), undefined);
  });

  it('a percentage threshold is int64(capacity × float32 fraction), printed as BinarySI', () => {
    const t = th('nodefs.available', '10%');
    assert.equal(thresholdQuantity(t.value, 1000), Math.trunc(1000 * Math.fround(Math.fround(10) / 100)));
    assert.equal(thresholdQuantityText(th('memory.available', '100Mi').value, 0), '100Mi');
  });
});

describe('thresholds met', () => {
  const hard = th('memory.available', '1Gi', 0, '500Mi');
  const cases: { name: string; available: string; enforceMinReclaim: boolean; met: boolean }[] = [
    { name: 'above the threshold is not met', available: '3Gi', enforceMinReclaim: false, met: false },
    { name: 'below the threshold is met', available: '500Mi', enforceMinReclaim: false, met: true },
    { name: 'between threshold and threshold + min-reclaim is not met without enforcing min-reclaim', available: '1.2Gi', enforceMinReclaim: false, met: false },
    { name: 'between threshold and threshold + min-reclaim is met when enforcing min-reclaim', available: '1.2Gi', enforceMinReclaim: true, met: true },
    { name: 'above threshold + min-reclaim is not met even when enforcing it', available: '2Gi', enforceMinReclaim: true, met: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const met = thresholdsMet([hard], obs([['memory.available', c.available, '10Gi']]), c.enforceMinReclaim);
      assert.equal(met.length === 1, c.met);
    });
  }

  it('a threshold without an observation is not met', () => {
    assert.deepEqual(thresholdsMet([th('pid.available', '100')], obs([]), false), []);
  });

  it('soft thresholds wait out their grace period; hard ones do not', () => {
    const hardT = th('memory.available', '1Gi');
    const softT = th('memory.available', '2Gi', 120_000);
    const seen = thresholdsFirstObservedAt([hardT, softT], new Map(), 0);
    assert.deepEqual(thresholdsMetGracePeriod(seen, 60_000), [hardT]);
    const later = thresholdsFirstObservedAt([hardT, softT], seen, 120_000);
    assert.equal(later.get(softT), 0, 'the first observation is kept');
    assert.deepEqual(thresholdsMetGracePeriod(later, 120_000), [hardT, softT]);
  });

  it('node conditions follow the signals and are held for the transition period', () => {
    const conds = nodeConditions([th('nodefs.available', '1Gi'), th('memory.available', '1Gi'), th('pid.available', '10'), th('imagefs.available', '1Gi')]);
    assert.deepEqual(conds, ['MemoryPressure', 'DiskPressure', 'PIDPressure']);
    const at = nodeConditionsLastObservedAt(['MemoryPressure'], new Map(), 0);
    assert.deepEqual(nodeConditionsObservedSince(at, 300_000, 299_999), ['MemoryPressure']);
    assert.deepEqual(nodeConditionsObservedSince(at, 300_000, 300_000), []);
  });

  it('only thresholds with newer stats than last round drive eviction', () => {
    const t = th('memory.available', '1Gi');
    const last = obs([['memory.available', '500Mi', '10Gi']], 1000);
    assert.deepEqual(thresholdsUpdatedStats([t], obs([['memory.available', '500Mi', '10Gi']], 1000), last), []);
    assert.deepEqual(thresholdsUpdatedStats([t], obs([['memory.available', '500Mi', '10Gi']], 2000), last), [t]);
  });

  it('memory thresholds sort first (upstream TestSortByEvictionPriority)', () => {
    const out = sortByEvictionPriority([th('nodefs.available', '1Gi'), th('pid.available', '10'), th('memory.available', '1Gi')]);
    assert.deepEqual(
      out.map((t) => t.signal),
      ['memory.available', 'nodefs.available', 'pid.available'],
    );
  });
});
