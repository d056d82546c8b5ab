// Upstream's normalization of a desired replica count (horizontal.go): stabilization over past
// recommendations, then limits — min/max replicas and either the fixed scale-up limit
// (max(2×current, 4)) without `behavior`, or the behavior's policies (Pods/Percent per period,
// selectPolicy Max/Min/Disabled) over the scale events of the last periods. The state kept per
// HPA (recommendations, scale events) lives in AutoscalerState; time is passed in, never read.
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';

export interface Recommendation {
  recommendation: number;
  timestampMs: number;
}

export interface ScaleEvent {
  replicaChange: number;
  timestampMs: number;
  outdated: boolean;
}

/** What the controller remembers of one HPA between syncs. */
export interface AutoscalerState {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const newAutoscalerState = (): AutoscalerState => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

/** A limit's outcome: the count and the ScalingLimited reason and message. */
export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

const WITHIN: Omit<Limited, 'replicas'> = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };

/** Without behavior: the highest recommendation of the downscale window (which records this one). */
export function stabilizeRecommendation(state: AutoscalerState, desired: number, windowMs: number, now: number): number {
  let max = desired;
  let oldIndex = -1;
  state.recommendations.forEach((rec, i) => {
    if (rec.timestampMs < now - windowMs) oldIndex = i;
    else if (rec.recommendation > max) max = rec.recommendation;
  });
  const fresh = { recommendation: desired, timestampMs: now };
  if (oldIndex >= 0) state.recommendations[oldIndex] = fresh;
  else state.recommendations.push(fresh);
  return max;
}

/** convertDesiredReplicasWithRules: min/max replicas and the fixed scale-up limit. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): Limited {
  const scaleUpLimit = Math.max(2 * current, 4);
  const [maximum, reason, message] =
    max > scaleUpLimit
      ? [scaleUpLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, ...WITHIN };
}

/** With behavior: between the lowest recommendation of the scale-up window and the highest of the scale-down one. */
export function stabilizeRecommendationWithBehaviors(
  state: AutoscalerState,
  args: { current: number; desired: number; scaleUpWindowSeconds: number; scaleDownWindowSeconds: number },
  now: number,
): Limited {
  const upCutoff = now - args.scaleUpWindowSeconds * 1000;
  const downCutoff = now - args.scaleDownWindowSeconds * 1000;
  let up = args.desired;
  let down = args.desired;
  let oldIndex = -1;
  state.recommendations.forEach((rec, i) => {
    if (rec.timestampMs > upCutoff) up = Math.min(rec.recommendation, up);
    if (rec.timestampMs > downCutoff) down = Math.max(rec.recommendation, down);
    if (rec.timestampMs < upCutoff && rec.timestampMs < downCutoff) oldIndex = i;
  });
  let recommendation = args.current;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  const fresh = { recommendation: args.desired, timestampMs: now };
  if (oldIndex >= 0) state.recommendations[oldIndex] = fresh;
  else state.recommendations.push(fresh);
  return args.desired >= args.current
    ? { replicas: recommendation, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
    : { replicas: recommendation, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.timestampMs > cutoff) replicas += e.replicaChange;
  return replicas;
}

/** calculateScaleUpLimitWithScalingRules */
export function scaleUpLimit(current: number, state: AutoscalerState, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const minChange = rules.selectPolicy === 'Min';
  let result = minChange ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, state.scaleUpEvents, now) + changeInPeriod(p.periodSeconds, state.scaleDownEvents, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = minChange ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors */
export function scaleDownLimit(current: number, state: AutoscalerState, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const minChange = rules.selectPolicy === 'Min';
  let result = minChange ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, state.scaleUpEvents, now) + changeInPeriod(p.periodSeconds, state.scaleDownEvents, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = minChange ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithBehaviorRate */
export function convertDesiredReplicasWithBehaviorRate(
  state: AutoscalerState,
  args: { current: number; desired: number; min: number; max: number; scaleUp: HPAScalingRules; scaleDown: HPAScalingRules },
  now: number,
): Limited {
  if (args.desired > args.current) {
    const limit = Math.max(scaleUpLimit(args.current, state, args.scaleUp, now), args.current);
    const [maximum, reason, message] =
      args.max > limit
        ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
        : [args.max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (args.desired > maximum) return { replicas: maximum, reason, message };
  } else if (args.desired < args.current) {
    const limit = Math.min(scaleDownLimit(args.current, state, args.scaleDown, now), args.current);
    const [minimum, reason, message] =
      args.min < limit
        ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
        : [args.min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (args.desired < minimum) return { replicas: minimum, reason, message };
  }
  return { replicas: args.desired, ...WITHIN };
}

function longestPeriodSeconds(rules: HPAScalingRules | undefined): number {
  return Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
}

/** storeScaleEvent: reuses an event older than the longest policy period, else appends. */
export function storeScaleEvent(state: AutoscalerState, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, now: number): void {
  if (!behavior) return;
  const up = next > prev;
  const events = up ? state.scaleUpEvents : state.scaleDownEvents;
  const cutoff = now - longestPeriodSeconds(up ? behavior.scaleUp : behavior.scaleDown) * 1000;
  for (const e of events) if (e.timestampMs < cutoff) e.outdated = true;
  const fresh = { replicaChange: Math.abs(next - prev), timestampMs: now, outdated: false };
  const i = events.findIndex((e) => e.outdated);
  if (i >= 0) events[i] = fresh;
  else events.push(fresh);
}
