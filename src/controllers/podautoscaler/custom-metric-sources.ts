// The Pods, Object and External metric sources of an HPA (upstream horizontal.go
// computeStatusForPodsMetric / computeStatusForObjectMetric / computeStatusForExternalMetric with
// the replica calculator's Get*Replicas): fetch through the custom or external metrics client,
// compute a replica count (replica-calculator.ts) and the metric's status. A failure is a
// MetricFailure carrying what upstream records: the ScalingActive reason, the error the event and
// condition show, and the (more wrapped) error the sync returns.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { milliQuantity, toMilli } from '../../api/validation/quantity.js';
import { labelSelectorAsSelector, selectorToString } from '../../api/selectors/labels.js';
import type { CustomMetricsClient, ExternalMetricsClient } from './custom-metrics-client.js';
import { externalMetricReplicas, externalPerPodMetricReplicas, objectMetricReplicas, perPodMetricReplicas, podsMetricReplicas, type CalculatorOptions } from './replica-calculator.js';

export interface MetricOutcome {
  replicas: number;
  /** How the SuccessfulRescale event and the ValidMetricFound condition name the metric. */
  metricName: string;
  status: MetricStatus;
}

/** A metric that yielded no replica count. */
export class MetricFailure extends Error {
  constructor(
    /** ScalingActive's reason and the event's, e.g. FailedGetPodsMetric. */
    readonly reason: string,
    /** What the event says and the condition quotes ("the HPA was unable to compute the replica count: …"). */
    readonly detail: string,
    /** The error the sync returns (upstream wraps it further than the condition's). */
    message: string,
  ) {
    super(message);
  }
}

export interface SourceContext {
  namespace: string;
  /** The target's scale: spec.replicas and status.replicas. */
  specReplicas: number;
  statusReplicas: number;
  /** The scale's selector text and the pods it selects in the namespace. */
  selector: string;
  pods: Pod[];
  calc: CalculatorOptions;
  custom: CustomMetricsClient;
  external: ExternalMetricsClient;
}

const errText = (err: unknown) => (err as Error).message;

/** metav1.LabelSelectorAsSelector(...).String(): "" for a missing selector, as upstream's Nothing() prints. */
function selectorText(ls: LabelSelector | undefined): string {
  return ls ? selectorToString(labelSelectorAsSelector(ls)) : '';
}

/** Go's %+v of a *metav1.LabelSelector (its generated String()): upstream puts it in metric names and errors. */
export function goLabelSelector(ls: LabelSelector | undefined): string {
  if (!ls) return 'nil';
  const labels = Object.keys(ls.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${ls.matchLabels![k]},`)
    .join('');
  const exprs = (ls.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** computeStatusForPodsMetric: the pods' average against an AverageValue target. */
export async function podsMetric(spec: MetricSpec, c: SourceContext): Promise<MetricOutcome> {
  const source = spec.pods!;
  const name = source.metric.name;
  const fail = (cause: string) => new MetricFailure('FailedGetPodsMetric', cause, `failed to get pods metric value: ${cause}`);
  let metricSelector: string;
  try {
    metricSelector = selectorText(source.metric.selector);
  } catch (err) {
    throw fail(errText(err));
  }
  let r;
  try {
    let metrics;
    try {
      metrics = await c.custom.getRawMetric(name, c.namespace, c.selector, metricSelector);
    } catch (err) {
      throw new Error(`unable to get metric ${name}: ${errText(err)}`);
    }
    r = podsMetricReplicas(c.specReplicas, toMilli(String(source.target.averageValue ?? '0')), c.pods, metrics, c.calc);
  } catch (err) {
    throw fail(errText(err));
  }
  return {
    replicas: r.replicas,
    metricName: `pods metric ${name}`,
    status: { type: 'Pods', pods: { metric: identifier(source.metric), current: { averageValue: milliQuantity(r.usage) } } },
  };
}

/** computeStatusForObjectMetric: the described object's value against a Value or AverageValue target. */
export async function objectMetric(spec: MetricSpec, c: SourceContext): Promise<MetricOutcome> {
  const source = spec.object!;
  const name = source.metric.name;
  const ref = source.describedObject;
  const outer = (msg: string) => `failed to get object metric value: ${msg}`;
  let metricSelector: string;
  try {
    metricSelector = selectorText(source.metric.selector);
  } catch (err) {
    throw new MetricFailure('FailedGetObjectMetric', errText(err), outer(errText(err)));
  }
  const fetch = async () => {
    try {
      return await c.custom.getObjectMetric(name, c.namespace, ref, metricSelector);
    } catch (err) {
      // Upstream's format string takes its arguments in this order: the kind lands after the colon, the error last.
      throw new Error(`unable to get metric ${name}: ${ref.kind} on ${c.namespace} ${ref.name}/${errText(err)}`);
    }
  };
  const target = source.target;
  if (target.type === 'Value' && target.value !== undefined) {
    let r;
    try {
      r = objectMetricReplicas(c.specReplicas, toMilli(String(target.value)), await fetch(), c.pods, c.calc);
    } catch (err) {
      throw new MetricFailure('FailedGetObjectMetric', errText(err), outer(errText(err)));
    }
    return {
      replicas: r.replicas,
      metricName: `${ref.kind} metric ${name}`,
      status: { type: 'Object', object: { describedObject: ref, metric: identifier(source.metric), current: { value: milliQuantity(r.usage) } } },
    };
  }
  if (target.type === 'AverageValue' && target.averageValue !== undefined) {
    let r;
    try {
      r = perPodMetricReplicas(c.statusReplicas, toMilli(String(target.averageValue)), await fetch(), c.calc);
    } catch (err) {
      throw new MetricFailure('FailedGetObjectMetric', errText(err), outer(`failed to get ${name} object metric: ${errText(err)}`));
    }
    return {
      replicas: r.replicas,
      // Upstream's own words for this case, "external" included.
      metricName: `external metric ${name}(${goLabelSelector(source.metric.selector)})`,
      // Upstream leaves describedObject out here: Go writes the empty struct's required fields.
      status: { type: 'Object', object: { describedObject: { kind: '', name: '' }, metric: identifier(source.metric), current: { averageValue: milliQuantity(r.usage) } } },
    };
  }
  const msg = 'invalid object metric source: neither a value target nor an average value target was set';
  throw new MetricFailure('FailedGetObjectMetric', msg, outer(msg));
}

/** computeStatusForExternalMetric: the sum of the metric's values against a Value or AverageValue target. */
export async function externalMetric(spec: MetricSpec, c: SourceContext): Promise<MetricOutcome> {
  const source = spec.external!;
  const name = source.metric.name;
  const selector = source.metric.selector;
  const outer = (msg: string) => `failed to get ${name} external metric value: ${msg}`;
  const fetch = async () => {
    const metricSelector = selectorText(selector);
    try {
      return await c.external.getExternalMetric(name, c.namespace, metricSelector);
    } catch (err) {
      throw new Error(`unable to get external metric ${c.namespace}/${name}/${goLabelSelector(selector)}: ${errText(err)}`);
    }
  };
  const metricName = `external metric ${name}(${goLabelSelector(selector)})`;
  const target = source.target;
  if (target.averageValue !== undefined) {
    let r;
    try {
      r = externalPerPodMetricReplicas(c.statusReplicas, toMilli(String(target.averageValue)), await fetch(), c.calc);
    } catch (err) {
      throw new MetricFailure('FailedGetExternalMetric', errText(err), outer(`failed to get ${name} external metric: ${errText(err)}`));
    }
    return { replicas: r.replicas, metricName, status: { type: 'External', external: { metric: identifier(source.metric), current: { averageValue: milliQuantity(r.usage) } } } };
  }
  if (target.value !== undefined) {
    let r;
    try {
      r = externalMetricReplicas(c.specReplicas, toMilli(String(target.value)), await fetch(), c.pods, c.calc);
    } catch (err) {
      throw new MetricFailure('FailedGetExternalMetric', errText(err), outer(`failed to get external metric ${name}: ${errText(err)}`));
    }
    return { replicas: r.replicas, metricName, status: { type: 'External', external: { metric: identifier(source.metric), current: { value: milliQuantity(r.usage) } } } };
  }
  const msg = 'invalid external metric source: neither a value target nor an average value target was set';
  throw new MetricFailure('FailedGetExternalMetric', msg, outer(msg));
}

/** MetricIdentifier: the name, and the selector when the spec has one. */
function identifier(m: { name: string; selector?: LabelSelector }): { name: string; selector?: LabelSelector } {
  return m.selector ? { name: m.name, selector: m.selector } : { name: m.name };
}
