// The horizontal-pod-autoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go),
// for autoscaling/v2 HPAs with all five metric types: Resource and ContainerResource from
// metrics.k8s.io, Pods and Object from custom.metrics.k8s.io and External from
// external.metrics.k8s.io (custom-metric-sources.ts). The last two groups are served by whatever
// aggregated API server an APIService names (prometheus-adapter, KEDA); the controller asks for
// them through its ordinary client, so the aggregation layer routes them.
//
// Every HPA is reconciled once per sync period (upstream's fixed-interval queue): read the
// target's scale subresource, compute a replica count per metric from metrics.k8s.io and the
// selected pods (replica-calculator.ts), take the largest, normalize it (stabilization and limits,
// behavior.ts), write the scale when it changes, and write status (replicas, current metrics,
// lastScaleTime, the AbleToScale / ScalingActive / ScalingLimited conditions) when it differs.
// Events and condition texts are upstream's. A failed reconcile is retried at the next period, not
// sooner, as upstream's queue does. An HPA whose target's pods another HPA in the namespace also
// selects does not scale (AmbiguousSelector, hpa-selectors.ts), as upstream's.
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, MetricSpec, MetricStatus, MetricValueStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { milliQuantity, toMilli } from '../../api/validation/quantity.js';
import { formatMetaTime } from '../../api/canonical-time.js';
import { matchesLabels, parseLabelSelector, type Selector } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { resourceRef } from '../../client/rest/resource-ref.js';
import { isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  newAutoscalerState,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
  type AutoscalerState,
} from './behavior.js';
import { restMetricsClient, type ResourceMetricsClient } from './metrics-client.js';
import { restCustomMetricsClient, restExternalMetricsClient, type CustomMetricsClient, type ExternalMetricsClient } from './custom-metrics-client.js';
import { externalMetric, MetricFailure, objectMetric, podsMetric, type MetricOutcome, type SourceContext } from './custom-metric-sources.js';
import { rawResourceReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.js';
import { newHpaSelectors } from './hpa-selectors.js';

type HPA = HorizontalPodAutoscaler & KubeObject;

export const hpaResource = resourceRef<HPA>({ group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true });

/** kube-controller-manager's --horizontal-pod-autoscaler-sync-period default. */
export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;
/** --horizontal-pod-autoscaler-downscale-stabilization default (5 min). */
export const DEFAULT_DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

export interface HorizontalControllerOptions {
  syncPeriodMs?: number;
  downscaleStabilizationMs?: number;
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  delayOfInitialReadinessStatusMs?: number;
  clock?: Clock;
  /** Default: metrics.k8s.io through the controller's client. */
  metricsClient?: ResourceMetricsClient;
  /** Default: custom.metrics.k8s.io/v1beta2 through the controller's client. */
  customMetricsClient?: CustomMetricsClient;
  /** Default: external.metrics.k8s.io/v1beta1 through the controller's client. */
  externalMetricsClient?: ExternalMetricsClient;
  workers?: number;
}

/** An error whose message is the event's and the returned error's (upstream returns them wrapped). */
class ReconcileError extends Error {}

export function newHorizontalController(ctx: ControllerContext, opts: HorizontalControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const syncPeriodMs = opts.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
  const downscaleWindowMs = opts.downscaleStabilizationMs ?? DEFAULT_DOWNSCALE_STABILIZATION_MS;
  const hpas = ctx.informers.for(hpaResource);
  const pods = ctx.informers.for(resources.pods);
  const hpaClient = ctx.client.resource(hpaResource);
  const metricsClient = opts.metricsClient ?? restMetricsClient(ctx.client);
  const customMetricsClient = opts.customMetricsClient ?? restCustomMetricsClient(ctx.client, { recheckVersionAfterMs: syncPeriodMs });
  const externalMetricsClient = opts.externalMetricsClient ?? restExternalMetricsClient(ctx.client);
  const recorder = ctx.recorder('horizontal-pod-autoscaler');
  const log = ctx.log.child({ controller: 'horizontal-pod-autoscaler' });
  const queue = newRateLimitingQueue<string>({ name: 'horizontalpodautoscaler', clock });
  /** Per HPA key: recommendations and scale events (upstream's maps, dropped when the HPA goes). */
  const states = new Map<string, AutoscalerState>();
  const key = (h: HPA) => `${h.metadata!.namespace}/${h.metadata!.name}`;
  /** Every HPA's last target selector, for the AmbiguousSelector check. */
  const selectors = newHpaSelectors();

  hpas.addEventHandler({
    onAdd: (h: HPA) => {
      selectors.register(key(h));
      queue.add(key(h));
    },
    // Our own status writes come back as updates: only a spec change is worth an early sync.
    onUpdate: (old: HPA, h: HPA) => {
      selectors.register(key(h));
      if (old.metadata?.generation !== h.metadata?.generation) queue.add(key(h));
    },
    onDelete: (h) => {
      const k = isDeletedFinalStateUnknown(h) ? h.key : key(h);
      states.delete(k);
      selectors.delete(k);
    },
  });

  const calcOptions = (): CalculatorOptions => ({
    now: clock.now(),
    tolerance: opts.tolerance,
    cpuInitializationPeriodMs: opts.cpuInitializationPeriodMs,
    delayOfInitialReadinessStatusMs: opts.delayOfInitialReadinessStatusMs,
  });

  const metaNow = () => formatMetaTime(clock.now());

  function setCondition(hpa: HPA, type: string, status: 'True' | 'False', reason: string, message: string): void {
    const conditions = (hpa.status!.conditions ??= []);
    const existing = conditions.find((c) => c.type === type);
    if (!existing) {
      conditions.push({ type, status, lastTransitionTime: metaNow(), reason, message } as HorizontalPodAutoscalerCondition);
      return;
    }
    if (existing.status !== status) existing.lastTransitionTime = metaNow();
    existing.status = status;
    existing.reason = reason;
    existing.message = message;
  }

  /** getUnableComputeReplicaCountCondition: the event now, the condition for the caller to set. */
  function unableToCompute(hpa: HPA, reason: string, cause: string): { type: string; status: 'False'; reason: string; message: string } {
    recorder.event(hpa, 'Warning', reason, cause);
    return { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${cause}` };
  }

  /** computeReplicasForMetric: one metric's outcome, or a MetricFailure. */
  async function replicasForMetric(hpa: HPA, spec: MetricSpec, c: SourceContext): Promise<MetricOutcome> {
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource':
        try {
          return await resourceMetric(hpa, spec, c.specReplicas, c.selector, c.pods);
        } catch (err) {
          const cause = (err as Error).message;
          if (spec.type === 'Resource') throw new MetricFailure('FailedGetResourceMetric', cause, `failed to get ${spec.resource?.name} resource metric value: ${cause}`);
          throw new MetricFailure('FailedGetContainerResourceMetric', cause, `failed to get ${spec.containerResource?.container} container metric value: ${cause}`);
        }
      case 'Pods':
        return podsMetric(spec, c);
      case 'Object':
        return objectMetric(spec, c);
      case 'External':
        return externalMetric(spec, c);
      default: {
        const msg = `unknown metric source type ${JSON.stringify(spec.type)}`;
        throw new MetricFailure('InvalidMetricSourceType', msg, msg);
      }
    }
  }

  /** computeStatusForResourceMetricGeneric, for Resource and ContainerResource. */
  async function resourceMetric(hpa: HPA, spec: MetricSpec, currentReplicas: number, selector: string, podList: Pod[]): Promise<MetricOutcome> {
    const source = spec.type === 'ContainerResource' ? spec.containerResource! : spec.resource!;
    const container = spec.type === 'ContainerResource' ? (spec.containerResource?.container ?? '') : '';
    const name = source.name;
    const target = source.target;
    const ns = hpa.metadata!.namespace!;
    const statusOf = (current: MetricValueStatus): MetricStatus =>
      spec.type === 'ContainerResource' ? { type: 'ContainerResource', containerResource: { name, container, current } } : { type: 'Resource', resource: { name, current } };
    const fetch = async () => {
      try {
        return (await metricsClient.getResourceMetric(name, ns, selector, container)).metrics;
      } catch (err) {
        throw new Error(`unable to get metrics for resource ${name}: ${(err as Error).message}`);
      }
    };
    if (target.averageValue !== undefined) {
      const targetMilli = toMilliQuantity(target.averageValue);
      let r;
      try {
        r = rawResourceReplicas(currentReplicas, targetMilli, name, podList, await fetch(), calcOptions());
      } catch (err) {
        throw new Error(`failed to get ${name} usage: ${(err as Error).message}`);
      }
      return { replicas: r.replicas, metricName: `${name} resource`, status: statusOf({ averageValue: milliQuantity(r.usage) }) };
    }
    if (target.averageUtilization === undefined) throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    let r;
    try {
      r = resourceReplicas(currentReplicas, target.averageUtilization, name, container, podList, await fetch(), calcOptions());
    } catch (err) {
      throw new Error(`failed to get ${name} utilization: ${(err as Error).message}`);
    }
    const metricName = spec.type === 'ContainerResource' ? `${name} container resource utilization (percentage of request)` : `${name} resource utilization (percentage of request)`;
    return { replicas: r.replicas, metricName, status: statusOf({ averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) }) };
  }

  /**
   * validateAndParseSelector: the target's selector and the pods it selects, or the error after
   * the event and the ScalingActive=False condition — for a missing or unparsable selector, or
   * pods that another HPA's selector also picks (which of the two would scale them is ambiguous).
   */
  function validateAndParseSelector(hpa: HPA, selectorText: string): { selector: Selector; podList: Pod[] } | Error {
    const fail = (eventReason: string, conditionReason: string, message: string, conditionMessage = message) => {
      recorder.event(hpa, 'Warning', eventReason, message);
      setCondition(hpa, 'ScalingActive', 'False', conditionReason, conditionMessage);
      return new Error(message);
    };
    if (!selectorText) return fail('SelectorRequired', 'InvalidSelector', 'selector is required', "the HPA target's scale is missing a selector");
    let selector: Selector;
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      return fail('InvalidSelector', 'InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`);
    }
    selectors.update(key(hpa), selector);
    const ns = hpa.metadata!.namespace!;
    const podList = (pods.getIndexer().list() as Pod[]).filter((p) => p.metadata?.namespace === ns && matchesLabels(selector, p.metadata?.labels));
    const controlling = selectors.controlling(podList);
    // Go's %v of a []selectors.Key: "[ns/a ns/b]"; the selector as the scale gave it.
    if (controlling.length > 1) return fail('AmbiguousSelector', 'AmbiguousSelector', `pods by selector ${selectorText} are controlled by multiple HPAs: [${controlling.join(' ')}]`);
    return { selector, podList };
  }

  /** computeReplicasForMetrics: -1 with an error when every metric (or one, on a scale-down) failed. */
  async function replicasForMetrics(hpa: HPA, scale: ScaleLike): Promise<{ replicas: number; metricName: string; statuses: MetricStatus[]; err?: Error }> {
    const selectorText = scale.status?.selector ?? '';
    const parsed = validateAndParseSelector(hpa, selectorText);
    if (parsed instanceof Error) return { replicas: -1, metricName: '', statuses: [], err: parsed };
    const { podList } = parsed;
    const ns = hpa.metadata!.namespace!;
    const specs = hpa.spec?.metrics ?? [];
    const specReplicas = scale.spec?.replicas ?? 0;
    const sources: SourceContext = {
      namespace: ns,
      specReplicas,
      statusReplicas: scale.status?.replicas ?? 0,
      selector: selectorText,
      pods: podList,
      calc: calcOptions(),
      custom: customMetricsClient,
      external: externalMetricsClient,
    };
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }) as MetricStatus);
    let replicas = 0;
    let metricName = '';
    let invalid = 0;
    let firstErr: Error | undefined;
    let firstCondition: ReturnType<typeof unableToCompute> | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        const out = await replicasForMetric(hpa, spec, sources);
        statuses[i] = out.status;
        if (replicas === 0 || out.replicas > replicas) {
          replicas = out.replicas;
          metricName = out.metricName;
        }
      } catch (err) {
        const failure = err instanceof MetricFailure ? err : new MetricFailure(`FailedGet${spec.type}Metric`, (err as Error).message, (err as Error).message);
        const condition = unableToCompute(hpa, failure.reason, failure.detail);
        const wrapped = new Error(failure.message);
        if (invalid === 0) {
          firstErr = wrapped;
          firstCondition = condition;
        }
        invalid++;
      }
    }
    const err = firstErr && new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstErr.message}`);
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      if (firstCondition) setCondition(hpa, firstCondition.type, firstCondition.status, firstCondition.reason, firstCondition.message);
      return { replicas: -1, metricName: '', statuses, err };
    }
    setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`);
    return { replicas, metricName, statuses, err };
  }

  /** normalizeDesiredReplicas / normalizeDesiredReplicasWithBehaviors */
  function normalize(hpa: HPA, state: AutoscalerState, current: number, desired: number, min: number): number {
    const now = clock.now();
    const max = hpa.spec!.maxReplicas;
    const behavior = hpa.spec?.behavior;
    let stabilized: number;
    let stabilizedReason = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    let limited;
    if (!behavior) {
      stabilized = stabilizeRecommendation(state, desired, downscaleWindowMs, now);
      if (stabilized !== desired) stabilizedReason = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
      setCondition(hpa, 'AbleToScale', 'True', stabilizedReason.reason, stabilizedReason.message);
      limited = convertDesiredReplicasWithRules(current, stabilized, min, max);
    } else {
      const scaleUp = behavior.scaleUp ?? {};
      const scaleDown = behavior.scaleDown ?? {};
      const s = stabilizeRecommendationWithBehaviors(
        state,
        { current, desired, scaleUpWindowSeconds: scaleUp.stabilizationWindowSeconds ?? 0, scaleDownWindowSeconds: scaleDown.stabilizationWindowSeconds ?? downscaleWindowMs / 1000 },
        now,
      );
      stabilized = s.replicas;
      if (stabilized !== desired) stabilizedReason = s;
      setCondition(hpa, 'AbleToScale', 'True', stabilizedReason.reason, stabilizedReason.message);
      limited = convertDesiredReplicasWithBehaviorRate(state, { current, desired: stabilized, min, max, scaleUp, scaleDown }, now);
    }
    setCondition(hpa, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message);
    return limited.replicas;
  }

  async function updateStatusIfNeeded(original: string, hpa: HPA): Promise<void> {
    if (JSON.stringify(hpa.status) === original) return;
    try {
      await hpaClient.updateStatus(hpa, { namespace: hpa.metadata!.namespace });
    } catch (err) {
      recorder.event(hpa, 'Warning', 'FailedUpdateStatus', (err as Error).message);
      throw new ReconcileError(`failed to update status for ${hpa.metadata!.name}: ${(err as Error).message}`);
    }
  }

  function setStatus(hpa: HPA, current: number, desired: number, statuses: MetricStatus[] | undefined, rescale: boolean): void {
    const prev: Partial<NonNullable<HPA['status']>> = hpa.status ?? {};
    hpa.status = {
      currentReplicas: current,
      desiredReplicas: desired,
      ...(rescale ? { lastScaleTime: metaNow() } : prev.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
      ...(statuses && statuses.length ? { currentMetrics: statuses } : {}),
      ...(prev.conditions ? { conditions: prev.conditions } : {}),
    };
  }

  async function reconcile(shared: HPA): Promise<void> {
    const hpa = structuredClone(shared);
    hpa.status ??= { desiredReplicas: 0 };
    const original = JSON.stringify(shared.status ?? { desiredReplicas: 0 });
    const k = key(hpa);
    const ns = hpa.metadata!.namespace!;
    const ref = hpa.spec!.scaleTargetRef;
    const reference = `${ref.kind}/${ns}/${ref.name}`;
    const state = states.get(k) ?? newAutoscalerState();
    states.set(k, state);

    let scaleClient;
    let scale: ScaleLike;
    try {
      scaleClient = await ctx.client.forKind(ref.apiVersion ?? '', ref.kind, ns);
      scale = (await scaleClient.getScale(ref.name, { namespace: ns })) as ScaleLike;
    } catch (err) {
      const msg = (err as Error).message;
      recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await updateStatusIfNeeded(original, hpa);
      throw new ReconcileError(`failed to query scale subresource for ${reference}: ${msg}`);
    }
    setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const currentReplicas = scale.spec?.replicas ?? 0;
    // recordInitialRecommendation
    if (state.recommendations.length === 0) state.recommendations.push({ recommendation: currentReplicas, timestampMs: clock.now() });

    const minReplicas = hpa.spec?.minReplicas ?? 1;
    const maxReplicas = hpa.spec!.maxReplicas;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let statuses: MetricStatus[] | undefined;
    let retErr: Error | undefined;
    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const m = await replicasForMetrics(hpa, scale);
      statuses = m.statuses;
      if (m.err && m.replicas === -1) {
        setStatus(hpa, currentReplicas, hpa.status.desiredReplicas, statuses, false);
        await updateStatusIfNeeded(original, hpa);
        recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', m.err.message);
        throw new ReconcileError(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${m.err.message}`);
      }
      retErr = m.err;
      let rescaleMetric = '';
      if (m.replicas > desiredReplicas) {
        desiredReplicas = m.replicas;
        rescaleMetric = m.metricName;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = normalize(hpa, state, currentReplicas, desiredReplicas, minReplicas);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await scaleClient.updateScale(ref.name, { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } } as never, { namespace: ns });
      } catch (err) {
        const msg = (err as Error).message;
        recorder.eventf(hpa, 'Warning', 'FailedRescale', 'New size: %d; reason: %s; error: %s', desiredReplicas, rescaleReason, msg);
        setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        setStatus(hpa, currentReplicas, hpa.status.desiredReplicas, statuses, false);
        await updateStatusIfNeeded(original, hpa);
        throw new ReconcileError(`failed to rescale ${reference}: ${msg}`);
      }
      setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
      recorder.eventf(hpa, 'Normal', 'SuccessfulRescale', 'New size: %d; reason: %s', desiredReplicas, rescaleReason);
      storeScaleEvent(state, hpa.spec?.behavior, currentReplicas, desiredReplicas, clock.now());
      log.info({ hpa: k, currentReplicas, desiredReplicas, reason: rescaleReason }, 'successful rescale');
    } else {
      desiredReplicas = currentReplicas;
    }
    setStatus(hpa, currentReplicas, desiredReplicas, statuses, rescale);
    await updateStatusIfNeeded(original, hpa);
    if (retErr) throw new ReconcileError(retErr.message);
  }

  async function process(k: string): Promise<void> {
    const hpa = hpas.getIndexer().getByKey(k) as HPA | undefined;
    if (!hpa) {
      states.delete(k);
      return;
    }
    try {
      await reconcile(hpa);
    } catch (err) {
      // Upstream's queue retries at the next period whatever happened; only unexpected errors are loud.
      if (err instanceof ReconcileError || isNotFound(err)) log.debug({ hpa: k, err: (err as Error).message }, 'reconcile failed');
      else log.error({ hpa: k, err }, 'reconcile failed');
    }
    // Still there: its next sync, one period from now.
    if (hpas.getIndexer().getByKey(k)) queue.addAfter(k, syncPeriodMs);
  }

  return {
    name: 'horizontal-pod-autoscaler',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (k) => process(k), signal, { log }),
  };
}

interface ScaleLike {
  metadata?: Record<string, unknown>;
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

const toMilliQuantity = (q: unknown) => toMilli(String(q));

export function horizontalPodAutoscalerControllerWith(opts: HorizontalControllerOptions): ControllerDescriptor {
  return { name: 'horizontal-pod-autoscaler', create: (ctx) => newHorizontalController(ctx, opts) };
}

export const horizontalPodAutoscalerController: ControllerDescriptor = horizontalPodAutoscalerControllerWith({});
