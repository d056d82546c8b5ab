// Ranking as upstream's helpers_test.go: the same pods, usages and expected orders.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  disk,
  exceedDiskRequests,
  exceedMemoryRequests,
  memory,
  priority,
  rankDiskPressure,
  rankMemoryPressure,
  rankPIDPressure,
} from '../../../src/kubelet/eviction/rank.js';
import { container, defaultPriority, emptyDirVolume, highPriority, lowPriority, names, newPod, podDiskStats, podMemoryStats, podProcessStats, resources, statsFn } from './helpers.js';

const sortWith = (pods: Pod[], ...cmps: ((a: Pod, b: Pod) => number)[]) =>
  [...pods].sort((a, b) => {
    for (const c of cmps) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  });

const p = (name: string, prio: number, req: [string, string, string], lim: [string, string, string] = ['', '', ''], volumes = false) =>
  newPod(name, prio, [container(name, resources(...req), resources(...lim))], volumes ? [emptyDirVolume()] : undefined);

describe('eviction ranking (upstream helpers_test.go)', () => {
  it('TestOrderedByExceedsRequestMemory: a pod above its memory request ranks before one below', () => {
    const below = p('below-requests', -1, ['', '200Mi', '']);
    const exceeds = p('exceeds-requests', 1, ['', '100Mi', '']);
    const stats = statsFn([
      [below, podMemoryStats(below, '199Mi')],
      [exceeds, podMemoryStats(exceeds, '101Mi')],
    ]);
    assert.deepEqual(names(sortWith([below, exceeds], exceedMemoryRequests(stats))), ['exceeds-requests', 'below-requests']);
  });

  it('TestOrderedByExceedsRequestDisk: a pod above its ephemeral-storage request ranks first', () => {
    const below = p('below-requests', -1, ['', '', '200Mi']);
    const exceeds = p('exceeds-requests', 1, ['', '', '100Mi']);
    const stats = statsFn([
      [below, podDiskStats(below, '100Mi', '99Mi', '0Mi')],
      [exceeds, podDiskStats(exceeds, '90Mi', '11Mi', '0Mi')],
    ]);
    assert.deepEqual(names(sortWith([below, exceeds], exceedDiskRequests(stats, 'ephemeral-storage'))), ['exceeds-requests', 'below-requests']);
  });

  it('TestOrderedByPriority: lower priority first', () => {
    const low = p('low-priority', -134, ['', '', '']);
    const medium = p('medium-priority', 1, ['100m', '100Mi', ''], ['200m', '200Mi', '']);
    const high = p('high-priority', 12534, ['200m', '200Mi', ''], ['200m', '200Mi', '']);
    assert.deepEqual(names(sortWith([high, medium, low], priority)), ['low-priority', 'medium-priority', 'high-priority']);
  });

  it('TestOrderedbyDisk: by disk usage above the ephemeral-storage request', () => {
    const pod1 = p('best-effort-high', defaultPriority, ['', '', ''], undefined, true);
    const pod2 = p('best-effort-low', defaultPriority, ['', '', ''], undefined, true);
    const pod3 = p('burstable-high', defaultPriority, ['', '', '100Mi'], ['', '', '400Mi'], true);
    const pod4 = p('burstable-low', defaultPriority, ['', '', '100Mi'], ['', '', '400Mi'], true);
    const pod5 = p('guaranteed-high', defaultPriority, ['', '', '400Mi'], ['', '', '400Mi'], true);
    const pod6 = p('guaranteed-low', defaultPriority, ['', '', '400Mi'], ['', '', '400Mi'], true);
    const stats = statsFn([
      [pod1, podDiskStats(pod1, '50Mi', '100Mi', '150Mi')],
      [pod2, podDiskStats(pod2, '25Mi', '25Mi', '50Mi')],
      [pod3, podDiskStats(pod3, '150Mi', '150Mi', '50Mi')],
      [pod4, podDiskStats(pod4, '25Mi', '35Mi', '50Mi')],
      [pod5, podDiskStats(pod5, '225Mi', '100Mi', '50Mi')],
      [pod6, podDiskStats(pod6, '25Mi', '45Mi', '50Mi')],
    ]);
    const out = sortWith([pod1, pod2, pod3, pod4, pod5, pod6], disk(stats, 'ephemeral-storage'));
    assert.deepEqual(names(out), names([pod1, pod3, pod2, pod4, pod5, pod6]));
  });

  it('TestOrderedbyInodes: by inodes used', () => {
    const low = p('low', defaultPriority, ['', '', ''], undefined, true);
    const medium = p('medium', defaultPriority, ['', '', ''], undefined, true);
    const high = p('high', defaultPriority, ['', '', ''], undefined, true);
    const stats = statsFn([
      [low, podDiskStats(low, '50000', '100000', '50000', true)],
      [medium, podDiskStats(medium, '100000', '150000', '50000', true)],
      [high, podDiskStats(high, '200000', '150000', '50000', true)],
    ]);
    assert.deepEqual(names(sortWith([low, medium, high], disk(stats, 'inodes'))), ['high', 'medium', 'low']);
  });

  it('TestOrderedByPriorityDisk: exceeds requests, then priority, then usage', () => {
    const pods = [
      p('above-requests-low-priority-high-usage', lowPriority, ['', '', ''], undefined, true),
      p('above-requests-low-priority-low-usage', lowPriority, ['', '', ''], undefined, true),
      p('above-requests-high-priority-high-usage', highPriority, ['', '', '100Mi'], undefined, true),
      p('above-requests-high-priority-low-usage', highPriority, ['', '', '100Mi'], undefined, true),
      p('below-requests-low-priority-high-usage', lowPriority, ['', '', '1Gi'], undefined, true),
      p('below-requests-low-priority-low-usage', lowPriority, ['', '', '1Gi'], undefined, true),
      p('below-requests-high-priority-high-usage', highPriority, ['', '', '1Gi'], undefined, true),
      p('below-requests-high-priority-low-usage', highPriority, ['', '', '1Gi'], undefined, true),
    ];
    const usage: [string, string, string][] = [
      ['200Mi', '100Mi', '200Mi'],
      ['10Mi', '10Mi', '30Mi'],
      ['200Mi', '150Mi', '250Mi'],
      ['90Mi', '50Mi', '10Mi'],
      ['500Mi', '200Mi', '100Mi'],
      ['50Mi', '100Mi', '50Mi'],
      ['250Mi', '500Mi', '50Mi'],
      ['100Mi', '60Mi', '40Mi'],
    ];
    const stats = statsFn(pods.map((pod, i) => [pod, podDiskStats(pod, ...usage[i])]));
    assert.deepEqual(names(rankDiskPressure('ephemeral-storage')([...pods].reverse(), stats)), names(pods));
  });

  it('TestOrderedByPriorityInodes: priority, then inodes', () => {
    const pods = [
      p('low-priority-high-usage', lowPriority, ['', '', ''], undefined, true),
      p('low-priority-low-usage', lowPriority, ['', '', ''], undefined, true),
      p('high-priority-high-usage', highPriority, ['', '', ''], undefined, true),
      p('high-priority-low-usage', highPriority, ['', '', ''], undefined, true),
    ];
    const usage: [string, string, string][] = [
      ['50000', '100000', '250000'],
      ['60000', '30000', '10000'],
      ['150000', '150000', '50000'],
      ['10000', '40000', '100000'],
    ];
    const stats = statsFn(pods.map((pod, i) => [pod, podDiskStats(pod, ...usage[i], true)]));
    assert.deepEqual(names(sortWith([...pods].reverse(), priority, disk(stats, 'inodes'))), names(pods));
  });

  it('TestOrderedByMemory: by working set above the memory request', () => {
    const pods = [
      p('best-effort-high', defaultPriority, ['', '', '']),
      p('best-effort-low', defaultPriority, ['', '', '']),
      p('burstable-high', defaultPriority, ['', '100Mi', ''], ['', '1Gi', '']),
      p('burstable-low', defaultPriority, ['', '100Mi', ''], ['', '1Gi', '']),
      p('guaranteed-high', defaultPriority, ['', '1Gi', ''], ['', '1Gi', '']),
      p('guaranteed-low', defaultPriority, ['', '1Gi', ''], ['', '1Gi', '']),
    ];
    const usage = ['500Mi', '300Mi', '800Mi', '300Mi', '800Mi', '200Mi'];
    const stats = statsFn(pods.map((pod, i) => [pod, podMemoryStats(pod, usage[i])]));
    const [p1, p2, p3, p4, p5, p6] = pods;
    assert.deepEqual(names(sortWith(pods, memory(stats))), names([p3, p1, p2, p4, p5, p6]));
  });

  it('TestOrderedByPriorityMemory: exceeds requests, then priority, then usage above request', () => {
    const pods = [
      p('above-requests-low-priority-high-usage', lowPriority, ['', '', '']),
      p('above-requests-low-priority-low-usage', lowPriority, ['', '', '']),
      p('above-requests-high-priority-high-usage', highPriority, ['', '100Mi', '']),
      p('above-requests-high-priority-low-usage', highPriority, ['', '100Mi', '']),
      p('below-requests-low-priority-high-usage', lowPriority, ['', '1Gi', '']),
      p('below-requests-low-priority-low-usage', lowPriority, ['', '1Gi', '']),
      p('below-requests-high-priority-high-usage', highPriority, ['', '1Gi', '']),
      p('below-requests-high-priority-low-usage', highPriority, ['', '1Gi', '']),
    ];
    const usage = ['500Mi', '50Mi', '600Mi', '150Mi', '800Mi', '200Mi', '800Mi', '200Mi'];
    const stats = statsFn(pods.map((pod, i) => [pod, podMemoryStats(pod, usage[i])]));
    assert.deepEqual(names(rankMemoryPressure([...pods].reverse(), stats)), names(pods));
  });

  it('TestOrderedByPriorityProcess: priority, then process count', () => {
    const pods = [newPod('low-priority-high-usage', lowPriority, []), newPod('low-priority-low-usage', lowPriority, []), newPod('high-priority-high-usage', highPriority, []), newPod('high-priority-low-usage', highPriority, [])];
    const counts = [20, 6, 20, 5];
    const stats = statsFn(pods.map((pod, i) => [pod, podProcessStats(pod, counts[i])]));
    assert.deepEqual(names(rankPIDPressure([...pods].reverse(), stats)), names(pods));
  });

  it('pods without stats rank before pods with stats', () => {
    const a = p('with-stats', lowPriority, ['', '', '']);
    const b = p('no-stats', highPriority, ['', '1Gi', '']);
    const stats = statsFn([[a, podMemoryStats(a, '1Gi')]]);
    assert.deepEqual(names(rankMemoryPressure([a, b], stats)), ['no-stats', 'with-stats']);
  });
});
