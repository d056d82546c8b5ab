// The eviction manager (upstream pkg/kubelet/eviction/eviction_manager.go). Every `intervalMs`
// (10 s) one synchronize():
//   1. observe the signals from a stats Summary;
//   2. thresholds met now, plus those met before whose min-reclaim is not yet satisfied;
//   3. node conditions from them, held for the pressure transition period (5 min) after the last
//      observation so that they do not flap;
//   4. pods over their own local storage limits (emptyDir sizeLimit, ephemeral-storage limits) are
//      evicted at once, pressure or not (local-storage.ts);
//   5. thresholds whose grace period (0 for hard ones) has passed and whose stats are new drive
//      eviction: memory first; for disk, node-level reclaim (dead containers) is tried first and
//      is enough if every threshold + min-reclaim is then satisfied;
//   6. rank the active pods for the starved resource and evict the first that may be evicted
//      (never a critical pod: static, mirror or system-critical priority) — one pod per round;
//      then wait (≤ 30 s) for it to be cleaned up before the next round.
// The kubelet side of an eviction (kill the pod, phase Failed, reason Evicted) is the evictPod
// callback; this manager records the Evicted event and the kubelet_evictions metric.
// Who may call what: synchronize() is not re-entrant — the loop (start) or a test calls it, never
// both; conditions() and admitPod() may be called any time (they read the last round's result).
import type { ObjectReference, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { EventRecorder } from '../../client/record/index.js';
import { counter, histogram } from '../../util/metrics.js';
import type { SummaryProvider } from '../stats/types.js';
import { admitPod, isCriticalPod, type AdmitResult } from './admission.js';
import { evictionMessage } from './message.js';
import {
  makeSignalObservations,
  mergeThresholds,
  nodeConditions,
  nodeConditionsLastObservedAt,
  nodeConditionsObservedSince,
  reclaimableThreshold,
  sortByEvictionPriority,
  thresholdsFirstObservedAt,
  thresholdsMet,
  thresholdsMetGracePeriod,
  thresholdsUpdatedStats,
  type Observations,
  type StatsFunc,
} from './observations.js';
import { localStorageViolation } from './local-storage.js';
import { rankFuncFor } from './rank.js';
import { defaultPressureTransitionPeriodMs, parseThresholdConfig } from './thresholds.js';
import { evictedReason, immediateEvictionGracePeriodSeconds, isHardEvictionThreshold, signalToResource, type NodeConditionType, type Signal, type Threshold } from './types.js';

const evictions = counter<'eviction_signal'>({ name: 'kubelet_evictions', help: 'Cumulative number of pod evictions by eviction signal', labelNames: ['eviction_signal'] });
const statsAge = histogram<'eviction_signal'>({
  name: 'kubelet_eviction_stats_age_seconds',
  help: 'Time between when stats are collected, and when pod is evicted based on those stats by eviction signal',
  labelNames: ['eviction_signal'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export interface EvictPodOptions {
  /** "Evicted": the pod's status.reason. */
  reason: string;
  /** The pod's status.message (and the event's). */
  message: string;
  /** Overrides the pod's grace period: 1 s for hard thresholds, --eviction-max-pod-grace-period for soft ones. */
  gracePeriodSeconds: number;
  /** DisruptionTarget / TerminationByKubelet, for the pod's status.conditions. */
  condition: PodCondition;
}

export interface EvictionManagerOptions {
  /** Default: upstream's hard thresholds (parseThresholdConfig()). */
  thresholds?: Threshold[];
  summary: SummaryProvider;
  /** The pods that may be evicted: admitted and not terminated. */
  activePods(): Pod[];
  /** Kills the pod and writes phase Failed, reason Evicted, the message (upstream TerminatePodAbnormallyAndWait). */
  evictPod(pod: Pod, opts: EvictPodOptions): Promise<void>;
  /** Whether an evicted pod's resources are gone; polled every second for ≤ 30 s after an eviction. */
  podCleanedUp?(pod: Pod): boolean;
  /** Node-level reclaim for disk signals (see reclaim.ts); none by default. */
  reclaimNodeResources?(signal: Signal): Promise<void>;
  /** Called with the new conditions when the set changes (the node status reporter posts at once). */
  onConditionsChanged?(conditions: NodeConditionType[]): void;
  recorder?: EventRecorder;
  /** The node, for the EvictionThresholdMet event. */
  nodeRef?: ObjectReference;
  log: Logger;
  intervalMs?: number;
  pressureTransitionPeriodMs?: number;
  /** --eviction-max-pod-grace-period (default 0). */
  maxPodGracePeriodSeconds?: number;
  now?: () => number;
  /** Evict pods over their emptyDir sizeLimit / ephemeral-storage limits (upstream LocalStorageCapacityIsolation, default true). */
  localStorageCapacityIsolation?: boolean;
}

const diskSignals = new Set<Signal>(['nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'containerfs.available', 'containerfs.inodesFree']);

export class EvictionManager {
  private readonly thresholds: Threshold[];
  private readonly now: () => number;
  private nodeConditionsList: NodeConditionType[] = [];
  private thresholdsObservedAt = new Map<Threshold, number>();
  private conditionsObservedAt = new Map<NodeConditionType, number>();
  private thresholdsMetList: Threshold[] = [];
  private lastObservations: Observations = new Map();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;

  constructor(private readonly o: EvictionManagerOptions) {
    this.thresholds = o.thresholds ?? parseThresholdConfig();
    this.now = o.now ?? Date.now;
  }

  /** For the node status reporter (MemoryPressure / DiskPressure / PIDPressure). */
  conditions(): { memoryPressure: boolean; diskPressure: boolean; pidPressure: boolean } {
    const c = this.nodeConditionsList;
    return { memoryPressure: c.includes('MemoryPressure'), diskPressure: c.includes('DiskPressure'), pidPressure: c.includes('PIDPressure') };
  }

  /** The node conditions in force (MemoryPressure, DiskPressure, PIDPressure order). */
  nodeConditions(): NodeConditionType[] {
    return [...this.nodeConditionsList];
  }

  /** Whether a new pod may start on this node now (reason "Evicted" when not). */
  admitPod(pod: Pod): AdmitResult {
    return admitPod(pod, this.nodeConditionsList);
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.synchronize()
        .then((evicted) => (evicted ? this.waitForCleanup(evicted) : undefined))
        .catch((err: unknown) => this.o.log.error({ err }, 'eviction manager: failed to synchronize'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs ?? 10_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async waitForCleanup(pod: Pod): Promise<void> {
    const cleaned = this.o.podCleanedUp;
    if (!cleaned) return;
    const deadline = Date.now() + 30_000;
    while (!this.stopped && Date.now() < deadline) {
      if (cleaned(pod)) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** One round; returns the evicted pod (the first one when several went over their storage limits). */
  async synchronize(): Promise<Pod | undefined> {
    const localStorage = this.o.localStorageCapacityIsolation ?? true;
    if (this.thresholds.length === 0 && !localStorage) return undefined;
    const log = this.o.log;
    const activePods = this.o.activePods();
    let summary;
    try {
      summary = await this.o.summary.get();
    } catch (err) {
      log.error({ err }, 'eviction manager: failed to get summary stats');
      return undefined;
    }
    const { observations, statsFunc } = makeSignalObservations(summary);

    let thresholds = thresholdsMet(this.thresholds, observations, false);
    if (this.thresholdsMetList.length > 0) thresholds = mergeThresholds(thresholds, thresholdsMet(this.thresholdsMetList, observations, true));

    const now = this.now();
    const firstObservedAt = thresholdsFirstObservedAt(thresholds, this.thresholdsObservedAt, now);
    const conditionsObservedAt = nodeConditionsLastObservedAt(nodeConditions(thresholds), this.conditionsObservedAt, now);
    const conditions = nodeConditionsObservedSince(conditionsObservedAt, this.o.pressureTransitionPeriodMs ?? defaultPressureTransitionPeriodMs, now);
    thresholds = thresholdsMetGracePeriod(firstObservedAt, now);

    const changed = conditions.join() !== this.nodeConditionsList.join();
    this.nodeConditionsList = conditions;
    this.thresholdsObservedAt = firstObservedAt;
    this.conditionsObservedAt = conditionsObservedAt;
    this.thresholdsMetList = thresholds;
    thresholds = thresholdsUpdatedStats(thresholds, observations, this.lastObservations);
    this.lastObservations = observations;
    if (changed) {
      log.info({ conditions }, 'eviction manager: node conditions changed');
      this.o.onConditionsChanged?.(conditions);
    }

    // Pods over their own storage limits go first, whatever the node's pressure.
    if (localStorage) {
      const evicted = await this.localStorageEviction(activePods, statsFunc);
      if (evicted.length) return evicted[0];
    }

    if (thresholds.length === 0) return undefined;
    thresholds = sortByEvictionPriority(thresholds);
    const toReclaim = reclaimableThreshold(thresholds);
    if (!toReclaim) return undefined;
    const resource = signalToResource[toReclaim.signal];
    log.info({ resourceName: resource }, 'eviction manager: attempting to reclaim');
    if (this.o.recorder && this.o.nodeRef) this.o.recorder.eventf(this.o.nodeRef, 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim %s', resource);

    if (await this.reclaimNodeLevelResources(toReclaim.signal)) {
      log.info({ resourceName: resource }, 'eviction manager: able to reduce resource pressure without evicting pods');
      return undefined;
    }
    if (activePods.length === 0) {
      log.error('eviction manager: eviction thresholds have been met, but no pods are active to evict');
      return undefined;
    }
    const ranked = rankFuncFor(toReclaim.signal)(activePods, statsFunc);
    for (const t of thresholds) {
      const at = observations.get(t.signal)?.time;
      if (at) statsAge.observe({ eviction_signal: t.signal }, Math.max(0, (Date.now() - at) / 1000));
    }
    for (const pod of ranked) {
      const gracePeriodSeconds = isHardEvictionThreshold(toReclaim) ? immediateEvictionGracePeriodSeconds : (this.o.maxPodGracePeriodSeconds ?? 0);
      const { message, annotations } = evictionMessage(resource, pod, statsFunc, thresholds, observations);
      if (await this.evictPod(pod, gracePeriodSeconds, message, annotations)) {
        evictions.inc({ eviction_signal: toReclaim.signal });
        return pod;
      }
    }
    log.info('eviction manager: unable to evict any pods from the node');
    return undefined;
  }

  private async localStorageEviction(pods: Pod[], statsFunc: StatsFunc): Promise<Pod[]> {
    const evicted: Pod[] = [];
    for (const pod of pods) {
      const stats = statsFunc(pod.metadata?.uid ?? '');
      const v = stats && localStorageViolation(pod, stats);
      if (v && (await this.evictPod(pod, immediateEvictionGracePeriodSeconds, v.message, {}))) {
        evictions.inc({ eviction_signal: v.signal });
        evicted.push(pod);
      }
    }
    return evicted;
  }

  /** True when reclaim alone satisfied every threshold including min-reclaim. */
  private async reclaimNodeLevelResources(signal: Signal): Promise<boolean> {
    if (!this.o.reclaimNodeResources || !diskSignals.has(signal)) return false;
    try {
      await this.o.reclaimNodeResources(signal);
    } catch (err) {
      this.o.log.info({ err, signal }, 'eviction manager: unexpected error when attempting to reduce resource pressure');
    }
    try {
      const { observations } = makeSignalObservations(await this.o.summary.get());
      return thresholdsMet(this.thresholds, observations, true).length === 0;
    } catch (err) {
      this.o.log.error({ err }, 'eviction manager: failed to get summary stats after resource reclaim');
      return false;
    }
  }

  private async evictPod(pod: Pod, gracePeriodSeconds: number, message: string, annotations: Record<string, string>): Promise<boolean> {
    const m = pod.metadata ?? {};
    if (isCriticalPod(pod)) {
      this.o.log.error({ pod: `${m.namespace}/${m.name}` }, 'eviction manager: cannot evict a critical pod');
      return false;
    }
    const ref: ObjectReference = { kind: 'Pod', apiVersion: 'v1', namespace: m.namespace ?? 'default', name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
    this.o.recorder?.annotatedEventf(ref, annotations, 'Warning', evictedReason, '%s', message);
    try {
      await this.o.evictPod(pod, {
        reason: evictedReason,
        message,
        gracePeriodSeconds,
        condition: { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message },
      });
      this.o.log.info({ pod: `${m.namespace}/${m.name}` }, 'eviction manager: pod is evicted successfully');
    } catch (err) {
      this.o.log.error({ err, pod: `${m.namespace}/${m.name}` }, 'eviction manager: pod failed to evict');
    }
    return true;
  }
}
