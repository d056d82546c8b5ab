// RemoveFailedPods (upstream plugins/removefailedpods): evicts pods in phase Failed, optionally
// only those at least minPodLifetimeSeconds old (from status.startTime), whose reason (the pod's
// or a container's terminated/waiting reason) is in `reasons`, whose containers exited with one
// of `exitCodes`, and not owned by an excludeOwnerKinds kind.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { evictPods } from '../../framework/evict-pods.js';
import { ownerRefs, podArgsFilter, validateNamespaces } from '../../pod-utils.js';
import { containerStatuses, type PodSelectionArgs } from '../common-args.js';

export const NAME = 'RemoveFailedPods';

export interface RemoveFailedPodsArgs extends PodSelectionArgs {
  excludeOwnerKinds?: string[];
  minPodLifetimeSeconds?: number;
  reasons?: string[];
  exitCodes?: number[];
  includingInitContainers?: boolean;
}

function matches(pod: Pod, args: RemoveFailedPodsArgs, now: number): boolean {
  if (pod.status?.phase !== 'Failed') return false;
  if (args.excludeOwnerKinds?.length && ownerRefs(pod).some((o) => args.excludeOwnerKinds!.includes(o.kind))) return false;
  if (args.minPodLifetimeSeconds !== undefined) {
    const started = Date.parse(pod.status?.startTime ?? '');
    if (Number.isNaN(started) || (now - started) / 1000 < args.minPodLifetimeSeconds) return false;
  }
  const statuses = containerStatuses(pod, args.includingInitContainers);
  if (args.reasons?.length) {
    const reasons = [pod.status?.reason, ...statuses.flatMap((s) => [s.state?.terminated?.reason, s.state?.waiting?.reason])];
    if (!reasons.some((r) => r !== undefined && args.reasons!.includes(r))) return false;
  }
  if (args.exitCodes?.length) {
    if (!statuses.some((s) => s.state?.terminated && args.exitCodes!.includes(s.state.terminated.exitCode))) return false;
  }
  return true;
}

function create(args: RemoveFailedPodsArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  return {
    name: NAME,
    async deschedule(nodes, signal) {
      for (const node of nodes) {
        const pods = handle.podsOnNode(node.metadata?.name ?? '').filter((p) => selected(p) && matches(p, args, handle.now()) && handle.evictor.filter(p));
        if ((await evictPods(handle, pods, NAME, signal)) === 'total-limit') return;
      }
    },
  };
}

export const descriptor: PluginDescriptor<RemoveFailedPodsArgs> = {
  name: NAME,
  extensionPoints: ['deschedule'],
  defaults: (raw) => ({ ...(raw as RemoveFailedPodsArgs) }),
  validate: (args) => validateNamespaces(args.namespaces),
  create,
};
