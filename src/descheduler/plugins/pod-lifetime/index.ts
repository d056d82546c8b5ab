// PodLifeTime (upstream plugins/podlifetime): evicts pods older than maxPodLifeTimeSeconds
// (from metadata.creationTimestamp), oldest first, optionally only those whose phase or a
// container's waiting reason is one of `states`.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { podArgsFilter, validateNamespaces } from '../../pod-utils.js';
import { containerStatuses, type PodSelectionArgs } from '../common-args.js';

export const NAME = 'PodLifeTime';

export interface PodLifeTimeArgs extends PodSelectionArgs {
  maxPodLifeTimeSeconds?: number;
  states?: string[];
  includingInitContainers?: boolean;
}

const ALLOWED_STATES = [
  'Running', 'Pending', 'Succeeded', 'Failed', 'Unknown',
  'PodInitializing', 'ContainerCreating', 'CrashLoopBackOff', 'CreateContainerConfigError', 'ErrImagePull',
  'ImagePullBackOff', 'CreateContainerError', 'InvalidImageName',
];

function validate(args: PodLifeTimeArgs): string | undefined {
  const ns = validateNamespaces(args.namespaces);
  if (ns) return ns;
  if (args.maxPodLifeTimeSeconds === undefined || args.maxPodLifeTimeSeconds === null) return 'MaxPodLifeTimeSeconds not set';
  const bad = (args.states ?? []).filter((s) => !ALLOWED_STATES.includes(s));
  if (bad.length) return `states must be one of [${ALLOWED_STATES.join(' ')}]`;
  return undefined;
}

function inStates(pod: Pod, args: PodLifeTimeArgs): boolean {
  if (!args.states?.length) return true;
  if (pod.status?.phase && args.states.includes(pod.status.phase)) return true;
  return containerStatuses(pod, args.includingInitContainers).some((s) => s.state?.waiting?.reason !== undefined && args.states!.includes(s.state.waiting.reason));
}

const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;

function create(args: PodLifeTimeArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  const maxMs = (args.maxPodLifeTimeSeconds ?? 0) * 1000;
  return {
    name: NAME,
    async deschedule(nodes, signal) {
      // Upstream collects the old pods of every node, then evicts the oldest first.
      const old: Pod[] = [];
      for (const node of nodes) {
        for (const p of handle.podsOnNode(node.metadata?.name ?? '')) {
          if (selected(p) && handle.now() - created(p) > maxMs && inStates(p, args) && handle.evictor.filter(p)) old.push(p);
        }
      }
      old.sort((a, b) => created(a) - created(b));
      for (const pod of old) {
        if (signal.aborted) return;
        if (handle.evictor.nodeLimitExceeded(pod.spec?.nodeName ?? '')) continue;
        if ((await handle.evictor.evict(pod, { strategy: NAME })) === 'total-limit') return;
      }
    },
  };
}

export const descriptor: PluginDescriptor<PodLifeTimeArgs> = { name: NAME, extensionPoints: ['deschedule'], defaults: (raw) => ({ ...(raw as PodLifeTimeArgs) }), validate, create };
