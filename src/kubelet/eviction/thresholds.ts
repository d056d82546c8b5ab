// Threshold configuration from the kubelet's flags, as upstream ParseThresholdConfig:
//   --eviction-hard=memory.available<100Mi,nodefs.available<10%
//   --eviction-soft=memory.available<300Mi  --eviction-soft-grace-period=memory.available=1m30s
//   --eviction-minimum-reclaim=memory.available=0Mi,nodefs.available=500Mi
// Percentages are kept as float32 fractions (upstream parsePercentage), so that the threshold
// quantity of "10%" of a capacity is the very number the real kubelet computes. "0%" and "100%"
// disable a threshold.
import { parseGoDuration as parseDuration } from '../../api/duration.js';
import { parseQuantity, quantitySign, isZeroQuantity } from '../../api/validation/quantity.js';
import { validSignal, type Signal, type Threshold, type ThresholdValue } from './types.js';

/** Upstream DefaultEvictionHard on Linux. */
export const defaultEvictionHard: Record<string, string> = {
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
};

export const defaultPressureTransitionPeriodMs = 5 * 60_000;

export class ThresholdError extends Error {}

const unsupported = (s: string) => new ThresholdError(`unsupported eviction signal ${s}`);

/** Splits "a<1,b<2" (sep "<", --eviction-hard/-soft) or "a=1,b=2" (sep "=") into a map. */
export function parseEvictionMap(text: string | undefined, sep: '<' | '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const s = part.trim();
    if (!s) continue;
    const i = s.indexOf(sep);
    if (i <= 0) throw new ThresholdError(`malformed pair, expect string${sep}string: "${s}"`);
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

function parsePercentage(input: string): number {
  const n = Number(input.replace(/%+$/, ''));
  if (input.replace(/%+$/, '') === '' || !Number.isFinite(n)) throw new ThresholdError(`strconv.ParseFloat: parsing "${input.replace(/%+$/, '')}": invalid syntax`);
  return Math.fround(Math.fround(n) / 100);
}

export function parseThresholdStatement(signal: string, val: string): Threshold | undefined {
  if (!validSignal(signal)) throw unsupported(signal);
  if (val.endsWith('%')) {
    if (val === '0%' || val === '100%') return undefined;
    const percentage = parsePercentage(val);
    if (percentage < 0) throw new ThresholdError(`eviction percentage threshold ${signal} must be >= 0%: ${val}`);
    if (percentage > 1) throw new ThresholdError(`eviction percentage threshold ${signal} must be <= 100%: ${val}`);
    return { signal, operator: 'LessThan', value: { percentage }, gracePeriodMs: 0 };
  }
  const quantity = parseQuantity(val);
  if (quantitySign(quantity) < 0 || isZeroQuantity(quantity)) throw new ThresholdError(`eviction threshold ${signal} must be positive: ${val}`);
  return { signal, operator: 'LessThan', value: { quantity }, gracePeriodMs: 0 };
}

/** Go's time.ParseDuration ("1m30s", "1.5h", "300ms", "0"), in milliseconds. */
export function parseGoDuration(text: string): number {
  const ms = parseDuration(text.trim());
  if (ms === undefined) throw new ThresholdError(`time: invalid duration "${text}"`);
  return ms;
}

function parseGracePeriods(statements: Record<string, string>): Map<Signal, number> {
  const out = new Map<Signal, number>();
  for (const [signal, val] of Object.entries(statements)) {
    if (!validSignal(signal)) throw unsupported(signal);
    const ms = parseGoDuration(val);
    if (ms < 0) throw new ThresholdError(`invalid eviction grace period specified: ${val}, must be a positive value`);
    out.set(signal, ms);
  }
  return out;
}

function parseMinimumReclaims(statements: Record<string, string>): Map<Signal, ThresholdValue> {
  const out = new Map<Signal, ThresholdValue>();
  for (const [signal, val] of Object.entries(statements)) {
    if (!validSignal(signal)) throw unsupported(signal);
    if (val.endsWith('%')) {
      const percentage = parsePercentage(val);
      if (percentage <= 0) throw new ThresholdError(`eviction percentage minimum reclaim ${signal} must be positive: ${val}`);
      out.set(signal, { percentage });
      continue;
    }
    const quantity = parseQuantity(val);
    if (quantitySign(quantity) < 0) throw new ThresholdError(`negative eviction minimum reclaim specified for ${signal}`);
    out.set(signal, { quantity });
  }
  return out;
}

export interface ThresholdFlags {
  /** Maps or flag text ("memory.available<100Mi,…"). Default: defaultEvictionHard. */
  hard?: Record<string, string> | string;
  soft?: Record<string, string> | string;
  softGracePeriod?: Record<string, string> | string;
  minimumReclaim?: Record<string, string> | string;
}

const asMap = (v: Record<string, string> | string | undefined, sep: '<' | '=') => (typeof v === 'string' ? parseEvictionMap(v, sep) : (v ?? {}));

/** upstream ParseThresholdConfig: hard thresholds, then soft ones (each needs a grace period), with min-reclaims. */
export function parseThresholdConfig(flags: ThresholdFlags = {}): Threshold[] {
  const out: Threshold[] = [];
  const statements = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([s, v]) => parseThresholdStatement(s, v))
      .filter((t): t is Threshold => t !== undefined);
  out.push(...statements(flags.hard === undefined ? defaultEvictionHard : asMap(flags.hard, '<')));
  const soft = statements(asMap(flags.soft, '<'));
  const grace = parseGracePeriods(asMap(flags.softGracePeriod, '='));
  const minReclaims = parseMinimumReclaims(asMap(flags.minimumReclaim, '='));
  for (const t of soft) {
    const period = grace.get(t.signal);
    if (period === undefined) throw new ThresholdError(`grace period must be specified for the soft eviction threshold ${t.signal}`);
    t.gracePeriodMs = period;
  }
  out.push(...soft);
  for (const t of out) {
    const mr = minReclaims.get(t.signal);
    if (mr) t.minReclaim = mr;
  }
  return out;
}

/** The kubelet's eviction flags as text, as `k8ts agent` takes them. */
export interface EvictionFlagText {
  evictionHard?: string;
  evictionSoft?: string;
  evictionSoftGracePeriod?: string;
  evictionMinimumReclaim?: string;
  /** Go duration, default 5m. */
  evictionPressureTransitionPeriod?: string;
  /** Seconds, default 0. */
  evictionMaxPodGracePeriod?: number;
}

/** Flags → the node agent's eviction options; throws ThresholdError with upstream's wording. */
export function evictionConfig(f: EvictionFlagText): { thresholds: Threshold[]; pressureTransitionPeriodMs: number; maxPodGracePeriodSeconds: number } {
  const pressureTransitionPeriodMs = f.evictionPressureTransitionPeriod === undefined ? defaultPressureTransitionPeriodMs : parseGoDuration(f.evictionPressureTransitionPeriod);
  if (pressureTransitionPeriodMs < 0) throw new ThresholdError(`invalid configuration: evictionPressureTransitionPeriod (--eviction-pressure-transition-period) must not be negative`);
  return {
    thresholds: parseThresholdConfig({ hard: f.evictionHard, soft: f.evictionSoft, softGracePeriod: f.evictionSoftGracePeriod, minimumReclaim: f.evictionMinimumReclaim }),
    pressureTransitionPeriodMs,
    maxPodGracePeriodSeconds: f.evictionMaxPodGracePeriod ?? 0,
  };
}
