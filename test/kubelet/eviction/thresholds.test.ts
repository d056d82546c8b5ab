// Threshold flags parsed as upstream ParseThresholdConfig (table after helpers_test.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity } from '../../../src/api/validation/quantity.js';
import { parseEvictionMap, parseGoDuration, parseThresholdConfig, type ThresholdFlags } from '../../../src/kubelet/eviction/thresholds.js';
import type { Threshold, ThresholdValue } from '../../../src/kubelet/eviction/types.js';

const v = (x: ThresholdValue | undefined) => (x === undefined ? undefined : x.quantity ? formatQuantity({ ...x.quantity, text: undefined }) : `${x.percentage}`);
const show = (ts: Threshold[]) => ts.map((t) => ({ signal: t.signal, value: v(t.value), grace: t.gracePeriodMs, minReclaim: v(t.minReclaim) }));
const f32 = (n: number) => `${Math.fround(Math.fround(n) / 100)}`;

interface Case {
  name: string;
  flags: ThresholdFlags;
  want?: ReturnType<typeof show>;
  error?: string;
}

const cases: Case[] = [
  { name: 'no flags give upstream default hard thresholds', flags: {}, want: [
    { signal: 'memory.available', value: '100Mi', grace: 0, minReclaim: undefined },
    { signal: 'nodefs.available', value: f32(10), grace: 0, minReclaim: undefined },
    { signal: 'nodefs.inodesFree', value: f32(5), grace: 0, minReclaim: undefined },
    { signal: 'imagefs.available', value: f32(15), grace: 0, minReclaim: undefined },
  ] },
  { name: 'an empty hard map disables the defaults', flags: { hard: {} }, want: [] },
  {
    name: 'all memory eviction values: hard, soft with grace period, min-reclaim on both',
    flags: { hard: 'memory.available<150Mi', soft: 'memory.available<300Mi', softGracePeriod: 'memory.available=30s', minimumReclaim: 'memory.available=0' },
    want: [
      { signal: 'memory.available', value: '150Mi', grace: 0, minReclaim: '0' },
      { signal: 'memory.available', value: '300Mi', grace: 30_000, minReclaim: '0' },
    ],
  },
  {
    name: 'percentages are float32 fractions',
    flags: { hard: { 'memory.available': '10%' }, soft: { 'memory.available': '30%' }, softGracePeriod: { 'memory.available': '1m30s' }, minimumReclaim: { 'memory.available': '5%' } },
    want: [
      { signal: 'memory.available', value: f32(10), grace: 0, minReclaim: f32(5) },
      { signal: 'memory.available', value: f32(30), grace: 90_000, minReclaim: f32(5) },
    ],
  },
  {
    name: 'disk and inode signals',
    flags: { hard: 'imagefs.available<150Mi,nodefs.available<100Mi,nodefs.inodesFree<1k,imagefs.inodesFree<150', minimumReclaim: 'nodefs.available=2Gi' },
    want: [
      { signal: 'imagefs.available', value: '150Mi', grace: 0, minReclaim: undefined },
      { signal: 'nodefs.available', value: '100Mi', grace: 0, minReclaim: '2Gi' },
      { signal: 'nodefs.inodesFree', value: '1k', grace: 0, minReclaim: undefined },
      { signal: 'imagefs.inodesFree', value: '150', grace: 0, minReclaim: undefined },
    ],
  },
  { name: 'pid.available', flags: { hard: 'pid.available<500' }, want: [{ signal: 'pid.available', value: '500', grace: 0, minReclaim: undefined }] },
  { name: '0% and 100% are ignored', flags: { hard: 'memory.available<0%,nodefs.available<100%' }, want: [] },
  { name: 'an unknown signal is refused', flags: { hard: 'mem.available<150Mi' }, error: 'unsupported eviction signal mem.available' },
  { name: 'a negative hard threshold is refused', flags: { hard: 'memory.available<-150Mi' }, error: 'eviction threshold memory.available must be positive: -150Mi' },
  { name: 'a zero hard quantity is refused', flags: { hard: 'memory.available<0' }, error: 'eviction threshold memory.available must be positive: 0' },
  { name: 'a negative percentage is refused', flags: { hard: 'memory.available<-15%' }, error: 'eviction percentage threshold memory.available must be >= 0%: -15%' },
  { name: 'a percentage above 100 is refused', flags: { hard: 'memory.available<150%' }, error: 'eviction percentage threshold memory.available must be <= 100%: 150%' },
  { name: 'a soft threshold needs a grace period', flags: { soft: 'memory.available<150Mi' }, error: 'grace period must be specified for the soft eviction threshold memory.available' },
  { name: 'a negative grace period is refused', flags: { soft: 'memory.available<150Mi', softGracePeriod: 'memory.available=-30s' }, error: 'invalid eviction grace period specified: -30s, must be a positive value' },
  { name: 'a negative min-reclaim is refused', flags: { minimumReclaim: 'memory.available=-300Mi' }, error: 'negative eviction minimum reclaim specified for memory.available' },
  { name: 'a zero percentage min-reclaim is refused', flags: { minimumReclaim: 'memory.available=0%' }, error: 'eviction percentage minimum reclaim memory.available must be positive: 0%' },
  { name: 'a grace period for an unknown signal is refused', flags: { softGracePeriod: 'foo.available=30s' }, error: 'unsupported eviction signal foo.available' },
];

describe('eviction threshold flags', () => {
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) {
        assert.throws(() => parseThresholdConfig(c.flags), { message: c.error });
        return;
      }
      assert.deepEqual(show(parseThresholdConfig(c.flags)), c.want);
    });
  }

  it('a malformed pair in the flag text is refused', () => {
    assert.throws(() => parseEvictionMap('memory.available=100Mi', '<'), /malformed pair/);
  });

  it('Go durations: 1m30s, 1.5h, 300ms, 0, and garbage', () => {
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('300ms'), 300);
    assert.equal(parseGoDuration('0'), 0);
    assert.throws(() => parseGoDuration('30'), /invalid duration/);
  });
});

describe('eviction flags of the agent', () => {
  it('text flags become thresholds, transition period and max pod grace period', async () => {
    const { evictionConfig } = await import('../../../src/kubelet/eviction/thresholds.js');
    const c = evictionConfig({ evictionHard: 'memory.available<200Mi', evictionSoft: 'nodefs.available<20%', evictionSoftGracePeriod: 'nodefs.available=1m', evictionPressureTransitionPeriod: '30s', evictionMaxPodGracePeriod: 10 });
    assert.deepEqual(show(c.thresholds), [
      { signal: 'memory.available', value: '200Mi', grace: 0, minReclaim: undefined },
      { signal: 'nodefs.available', value: f32(20), grace: 60_000, minReclaim: undefined },
    ]);
    assert.equal(c.pressureTransitionPeriodMs, 30_000);
    assert.equal(c.maxPodGracePeriodSeconds, 10);
    const d = evictionConfig({});
    assert.equal(d.thresholds.length, 4);
    assert.equal(d.pressureTransitionPeriodMs, 300_000);
  });
});
