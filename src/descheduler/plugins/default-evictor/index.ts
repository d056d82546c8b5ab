// DefaultEvictor (upstream framework/plugins/defaultevictor): the filter that decides which pods
// may be evicted at all, and the preEvictionFilter (nodeFit) run just before each eviction. It
// evicts nothing itself. The annotation descheduler.alpha.kubernetes.io/evict lets any pod be
// evicted; otherwise mirror, static and terminating pods never are, and, unless the args allow,
// neither are pods without owners (failed bare pods only with evictFailedBarePods), DaemonSet
// pods, system-critical pods (or those at or above priorityThreshold), pods with local storage,
// with PVCs (ignorePvcPods), not covered by a PDB (ignorePodsWithoutPDB), not matching
// labelSelector, younger than minPodAge, or whose owner has fewer than minReplicas pods.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { parseGoDuration } from '../../../api/duration.js';
import { labelSelectorAsSelector, matchesLabels, parseLabelSelector } from '../../../api/selectors/labels.js';
import { resources } from '../../../client/rest/builtin-resources.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { podFitsAnyOtherNode } from '../../node-fit.js';
import { hasLocalStorage, hasPVC, isCriticalPriorityPod, isDaemonSetPod, isMirrorPod, isStaticPod, isTerminating, ownerRefs } from '../../pod-utils.js';
import { defaults, validate, type DefaultEvictorArgs } from './args.js';

export const NAME = 'DefaultEvictor';
export const EVICT_ANNOTATION = 'descheduler.alpha.kubernetes.io/evict';

type Constraint = (pod: Pod) => string | undefined;

async function constraints(args: DefaultEvictorArgs, handle: Handle): Promise<Constraint[]> {
  const out: Constraint[] = [];
  if (args.evictFailedBarePods) {
    out.push((pod) => (ownerRefs(pod).length === 0 && pod.status?.phase !== 'Failed' ? 'pod does not have any ownerRefs and is not in failed phase' : undefined));
  } else {
    out.push((pod) => (ownerRefs(pod).length === 0 ? 'pod does not have any ownerRefs' : undefined));
  }
  if (!args.evictSystemCriticalPods) {
    out.push((pod) => (isCriticalPriorityPod(pod) ? 'pod has system critical priority' : undefined));
    const pt = args.priorityThreshold;
    const threshold = pt?.value ?? (pt?.name ? await handle.priorityClassValue(pt.name) : undefined);
    if (pt?.name && threshold === undefined) throw new Error(`unable to get priority value from the priority class "${pt.name}"`);
    if (threshold !== undefined) out.push((pod) => (pod.spec?.priority !== undefined && pod.spec.priority >= threshold ? 'pod has higher priority than specified priority class threshold' : undefined));
  }
  if (!args.evictLocalStoragePods) out.push((pod) => (hasLocalStorage(pod) ? 'pod has local storage and descheduler is not configured with evictLocalStoragePods' : undefined));
  if (!args.evictDaemonSetPods) out.push((pod) => (isDaemonSetPod(pod) ? 'pod is related to daemonset and descheduler is not configured with evictDaemonSetPods' : undefined));
  if (args.ignorePvcPods) out.push((pod) => (hasPVC(pod) ? 'pod has a PVC and descheduler is configured to ignore PVC pods' : undefined));
  if (args.ignorePodsWithoutPDB) {
    const pdbs = (await handle.client.resource(resources.podDisruptionBudgets).list()).items as PodDisruptionBudget[];
    const covered = (pod: Pod) => pdbs.some((b) => b.metadata?.namespace === pod.metadata?.namespace && b.spec?.selector && matchesLabels(labelSelectorAsSelector(b.spec.selector), pod.metadata?.labels));
    out.push((pod) => (covered(pod) ? undefined : 'pod does not have a PodDisruptionBudget and descheduler is configured to ignore pods without PDB'));
  }
  if (args.labelSelector) {
    const selector = labelSelectorAsSelector(args.labelSelector);
    out.push((pod) => (matchesLabels(selector, pod.metadata?.labels) ? undefined : 'pod labels do not match the labelSelector filter in the policy parameter'));
  }
  if (args.minReplicas > 1) {
    // Pods per owner, over every pod of the pass (upstream indexes the pod informer by owner UID).
    const perOwner = new Map<string, number>();
    for (const node of handle.nodes) for (const p of handle.podsOnNode(node.metadata?.name ?? '')) for (const o of ownerRefs(p)) perOwner.set(o.uid, (perOwner.get(o.uid) ?? 0) + 1);
    out.push((pod) => {
      const owners = ownerRefs(pod);
      if (owners.length === 0) return undefined;
      const n = perOwner.get(owners[0]!.uid) ?? 0;
      return n < args.minReplicas ? `owner has ${n} replicas which is less than minReplicas of ${args.minReplicas}` : undefined;
    });
  }
  if (args.minPodAge !== undefined) {
    const minMs = parseGoDuration(args.minPodAge) ?? 0;
    out.push((pod) => {
      const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
      return handle.now() - created < minMs ? `pod age is not older than MinPodAge: ${minMs / 1000} seconds` : undefined;
    });
  }
  return out;
}

async function create(args: DefaultEvictorArgs, handle: Handle): Promise<Plugin> {
  const checks = await constraints(args, handle);
  const log = handle.log.child({ plugin: NAME });
  const nodeSelector = args.nodeSelector ? parseLabelSelector(args.nodeSelector) : undefined;
  return {
    name: NAME,
    filter(pod) {
      if (pod.metadata?.annotations?.[EVICT_ANNOTATION] !== undefined) return true;
      const failed: string[] = [];
      if (isMirrorPod(pod)) failed.push('pod is a mirror pod');
      if (isStaticPod(pod)) failed.push('pod is a static pod');
      if (isTerminating(pod)) failed.push('pod is terminating');
      for (const c of checks) {
        const why = c(pod);
        if (why) failed.push(why);
      }
      if (failed.length) log.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, checks: failed.join(', ') }, 'Pod fails the following checks');
      return failed.length === 0;
    },
    preEvictionFilter(pod) {
      if (!args.nodeFit) return true;
      const nodes = nodeSelector ? handle.nodes.filter((n) => matchesLabels(nodeSelector, n.metadata?.labels)) : handle.nodes;
      if (!podFitsAnyOtherNode(pod, nodes, (n) => handle.podsOnNode(n))) {
        log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` }, 'pod does not fit on any other node because of nodeSelector(s), Taint(s), or nodes marked as unschedulable');
        return false;
      }
      return true;
    },
  };
}

export const descriptor: PluginDescriptor<DefaultEvictorArgs> = { name: NAME, extensionPoints: ['filter', 'preEvictionFilter'], defaults, validate, create };
