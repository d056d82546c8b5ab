// From a stats Summary to decisions (upstream helpers.go): what each signal observes, which
// thresholds are met (optionally counting min-reclaim), since when, and which node conditions
// follow. Pure functions; the manager keeps the state between rounds.
import { formatQuantity, toValue, type QuantityFormat } from '../../api/validation/quantity.js';
import type { PodStats, Summary } from '../stats/types.js';
import { signalToNodeCondition, signalToResource, type NodeConditionType, type Signal, type Threshold, type ThresholdValue } from './types.js';

export interface SignalObservation {
  available: number;
  capacity: number;
  /** ms since epoch of the stats the observation came from. */
  time: number;
  /** How upstream prints the quantity (bytes BinarySI, counts DecimalSI). */
  format: QuantityFormat;
}

export type Observations = Map<Signal, SignalObservation>;
export type StatsFunc = (uid: string) => PodStats | undefined;

const ms = (t: string | undefined) => (t ? Date.parse(t) : 0);

/** upstream makeSignalObservations (memory.available = node memory available; pid = maxpid − curproc). */
export function makeSignalObservations(summary: Summary): { observations: Observations; statsFunc: StatsFunc } {
  const byUid = new Map(summary.pods.map((p) => [p.podRef.uid, p]));
  const out: Observations = new Map();
  const n = summary.node;
  if (n.memory?.availableBytes !== undefined && n.memory.workingSetBytes !== undefined) {
    out.set('memory.available', { available: n.memory.availableBytes, capacity: n.memory.availableBytes + n.memory.workingSetBytes, time: ms(n.memory.time), format: 'BinarySI' });
  }
  const fs = (bytes: Signal, inodes: Signal, f: typeof n.fs) => {
    if (!f) return;
    if (f.availableBytes !== undefined && f.capacityBytes !== undefined) out.set(bytes, { available: f.availableBytes, capacity: f.capacityBytes, time: ms(f.time), format: 'BinarySI' });
    if (f.inodesFree !== undefined && f.inodes !== undefined) out.set(inodes, { available: f.inodesFree, capacity: f.inodes, time: ms(f.time), format: 'DecimalSI' });
  };
  fs('nodefs.available', 'nodefs.inodesFree', n.fs);
  fs('imagefs.available', 'imagefs.inodesFree', n.runtime?.imageFs);
  fs('containerfs.available', 'containerfs.inodesFree', n.runtime?.containerFs);
  if (n.rlimit?.maxpid !== undefined && n.rlimit.curproc !== undefined) {
    out.set('pid.available', { available: n.rlimit.maxpid - n.rlimit.curproc, capacity: n.rlimit.maxpid, time: ms(n.rlimit.time), format: 'DecimalSI' });
  }
  return { observations: out, statsFunc: (uid) => byUid.get(uid) };
}

/** upstream GetThresholdQuantity: the literal, or int64(capacity × float32 percentage). */
export function thresholdQuantity(value: ThresholdValue, capacity: number): number {
  if (value.quantity) return toValue(value.quantity);
  return Math.trunc(capacity * (value.percentage ?? 0));
}

/** The threshold quantity as upstream prints it in the eviction message. */
export function thresholdQuantityText(value: ThresholdValue, capacity: number): string {
  if (value.quantity) return formatQuantity({ ...value.quantity, text: undefined });
  return formatQuantity({ unscaled: BigInt(thresholdQuantity(value, capacity)), scale: 0, format: 'BinarySI' });
}

export const quantityText = (n: number, format: QuantityFormat) => formatQuantity({ unscaled: BigInt(Math.trunc(n)), scale: 0, format });

/** Thresholds whose signal is below the threshold (+ min-reclaim when enforceMinReclaim). */
export function thresholdsMet(thresholds: Threshold[], observations: Observations, enforceMinReclaim: boolean): Threshold[] {
  return thresholds.filter((t) => {
    const o = observations.get(t.signal);
    if (!o) return false;
    let q = thresholdQuantity(t.value, o.capacity);
    if (enforceMinReclaim && t.minReclaim) q += thresholdQuantity(t.minReclaim, o.capacity);
    return q > o.available;
  });
}

export function mergeThresholds(a: Threshold[], b: Threshold[]): Threshold[] {
  const out = [...a];
  for (const t of b) if (!out.includes(t)) out.push(t);
  return out;
}

/** Keeps the first time each still-met threshold was seen; new ones are seen now. */
export function thresholdsFirstObservedAt(thresholds: Threshold[], last: Map<Threshold, number>, now: number): Map<Threshold, number> {
  return new Map(thresholds.map((t) => [t, last.get(t) ?? now]));
}

export function thresholdsMetGracePeriod(observedAt: Map<Threshold, number>, now: number): Threshold[] {
  return [...observedAt].filter(([t, at]) => now - at >= t.gracePeriodMs).map(([t]) => t);
}

const conditionOrder: NodeConditionType[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function nodeConditions(thresholds: Threshold[]): NodeConditionType[] {
  const set = new Set(thresholds.map((t) => signalToNodeCondition[t.signal]));
  return conditionOrder.filter((c) => set.has(c));
}

export function nodeConditionsLastObservedAt(conditions: NodeConditionType[], last: Map<NodeConditionType, number>, now: number): Map<NodeConditionType, number> {
  const out = new Map(last);
  for (const c of conditions) out.set(c, now);
  return out;
}

/** Conditions observed within the transition period (so a condition does not flap). */
export function nodeConditionsObservedSince(observedAt: Map<NodeConditionType, number>, periodMs: number, now: number): NodeConditionType[] {
  return conditionOrder.filter((c) => observedAt.has(c) && now - observedAt.get(c)! < periodMs);
}

/** Thresholds whose observation is newer than the one acted on last round. */
export function thresholdsUpdatedStats(thresholds: Threshold[], observations: Observations, last: Observations): Threshold[] {
  return thresholds.filter((t) => {
    const o = observations.get(t.signal);
    if (!o) return false;
    const l = last.get(t.signal);
    return !l || o.time === 0 || o.time > l.time;
  });
}

/** Memory first, then in configuration order (upstream byEvictionPriority with a stable sort). */
export function sortByEvictionPriority(thresholds: Threshold[]): Threshold[] {
  const isMemory = (t: Threshold) => t.signal === 'memory.available' || t.signal === 'allocatableMemory.available';
  return [...thresholds].sort((a, b) => Number(isMemory(b)) - Number(isMemory(a)));
}

export function reclaimableThreshold(thresholds: Threshold[]): Threshold | undefined {
  return thresholds.find((t) => signalToResource[t.signal] !== undefined);
}
