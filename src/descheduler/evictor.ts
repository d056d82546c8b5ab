// Evicting pods (upstream pkg/descheduler/evictions/evictions.go): one PodEvictor per pass, shared
// by every profile, counts evictions per node, per namespace and in total against the policy's
// limits; an eviction is a policy/v1 Eviction posted to pods/eviction, so the API server applies
// PodDisruptionBudgets (a 429 skips the pod: not an error of ours). Each eviction is counted in
// descheduler_pods_evicted, logged, and recorded as an events.k8s.io Event on the pod with
// upstream's reason (the plugin's name), action "Descheduled" and note. In dry-run nothing is
// posted: the pod is logged and counted as evicted, so the limits behave as in a real pass.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { isStatusError } from '../api/status.js';
import type { EventRecorder } from '../client/events/index.js';
import { podsEvicted } from './metrics.js';
import type { EvictResult } from './framework/types.js';

export interface EvictOptions {
  /** The plugin evicting (metrics' "strategy" label; the event's reason unless `reason` says). */
  strategy: string;
  profile: string;
  /** Why, for the log and the event's reason (upstream EvictOptions.Reason). */
  reason?: string;
}

export interface PodEvictorOptions {
  client: Client;
  log: Logger;
  recorder: EventRecorder;
  dryRun: boolean;
  maxPodsToEvictPerNode?: number;
  maxPodsToEvictPerNamespace?: number;
  maxPodsToEvictTotal?: number;
  gracePeriodSeconds?: number;
}

export const podRef = (pod: Pod) => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

export class PodEvictor {
  private readonly perNode = new Map<string, number>();
  private readonly perNamespace = new Map<string, number>();
  private total = 0;
  /** Pods evicted in this pass (a later plugin must not evict them again: the snapshot does not show them terminating). */
  readonly evicted = new Set<string>();

  constructor(private readonly opts: PodEvictorOptions) {}

  nodeEvicted(nodeName: string): number {
    return this.perNode.get(nodeName) ?? 0;
  }

  totalEvicted(): number {
    return this.total;
  }

  nodeLimitExceeded(nodeName: string): boolean {
    const max = this.opts.maxPodsToEvictPerNode;
    return max !== undefined && this.nodeEvicted(nodeName) >= max;
  }

  totalLimitExceeded(): boolean {
    const max = this.opts.maxPodsToEvictTotal;
    return max !== undefined && this.total >= max;
  }

  async evictPod(pod: Pod, opts: EvictOptions): Promise<EvictResult> {
    const namespace = pod.metadata?.namespace ?? '';
    const node = pod.spec?.nodeName ?? '';
    const count = (result: string) => podsEvicted.inc({ result, strategy: opts.strategy, namespace, node, profile: opts.profile });
    const { maxPodsToEvictPerNode: perNode, maxPodsToEvictPerNamespace: perNamespace, maxPodsToEvictTotal: total } = this.opts;
    if (total !== undefined && this.total + 1 > total) {
      count('maximum number of pods evicted in this cycle reached');
      this.opts.log.warn({ limit: total }, 'Error evicting pod: maximum number of evicted pods per a descheduling cycle reached');
      return 'total-limit';
    }
    if (node && perNode !== undefined && this.nodeEvicted(node) + 1 > perNode) {
      count('maximum number of pods per node reached');
      this.opts.log.warn({ limit: perNode, node }, 'Error evicting pod: maximum number of evicted pods per node reached');
      return 'node-limit';
    }
    if (perNamespace !== undefined && (this.perNamespace.get(namespace) ?? 0) + 1 > perNamespace) {
      count('maximum number of pods per namespace reached');
      this.opts.log.warn({ limit: perNamespace, namespace }, 'Error evicting pod: maximum number of evicted pods per namespace reached');
      return 'namespace-limit';
    }
    if (!this.opts.dryRun) {
      const failure = await this.post(pod);
      if (failure) {
        count('error');
        this.opts.log.warn({ pod: podRef(pod), reason: opts.reason, err: failure }, 'Error evicting pod');
        return 'skipped';
      }
    }
    if (node) this.perNode.set(node, this.nodeEvicted(node) + 1);
    this.perNamespace.set(namespace, (this.perNamespace.get(namespace) ?? 0) + 1);
    this.total++;
    this.evicted.add(podRef(pod));
    count('success');
    const fields = { pod: podRef(pod), reason: opts.reason, strategy: opts.strategy, node, profile: opts.profile };
    if (this.opts.dryRun) {
      this.opts.log.info(fields, 'Evicted pod in dry run mode');
    } else {
      this.opts.log.info(fields, 'Evicted pod');
      this.opts.recorder.eventf(pod, undefined, 'Normal', opts.reason || opts.strategy || 'NotSet', 'Descheduled', 'pod evicted from %v node by sigs.k8s.io/descheduler', node);
    }
    return 'evicted';
  }

  /** Posts the Eviction; returns why it failed (upstream's wording), or undefined. */
  private async post(pod: Pod): Promise<string | undefined> {
    const name = pod.metadata?.name ?? '';
    const deleteOptions = this.opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: this.opts.gracePeriodSeconds } : undefined;
    try {
      await this.opts.client.resource(resources.pods).evict(name, { metadata: { name, namespace: pod.metadata?.namespace }, deleteOptions }, { namespace: pod.metadata?.namespace });
      return undefined;
    } catch (err) {
      if (isStatusError(err) && err.code === 429) return `error when evicting pod (ignoring) "${name}": ${err.message}`;
      if (isStatusError(err) && err.code === 404) return `pod not found when evicting "${name}": ${err.message}`;
      return (err as Error).message;
    }
  }
}
