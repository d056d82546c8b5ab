// RemovePodsHavingTooManyRestarts (upstream plugins/removepodshavingtoomanyrestarts): evicts pods
// whose containers (and init containers, with includingInitContainers) restarted at least
// podRestartThreshold times in total, optionally only in `states` (Running, CrashLoopBackOff).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { evictPods } from '../../framework/evict-pods.js';
import { podArgsFilter, validateNamespaces } from '../../pod-utils.js';
import { containerStatuses, type PodSelectionArgs } from '../common-args.js';

export const NAME = 'RemovePodsHavingTooManyRestarts';

export interface TooManyRestartsArgs extends PodSelectionArgs {
  podRestartThreshold?: number;
  includingInitContainers?: boolean;
  states?: string[];
}

const ALLOWED_STATES = ['Running', 'CrashLoopBackOff'];

function validate(args: TooManyRestartsArgs): string | undefined {
  const ns = validateNamespaces(args.namespaces);
  if (ns) return ns;
  if (args.podRestartThreshold === undefined || args.podRestartThreshold < 1) return 'invalid PodsHavingTooManyRestarts threshold';
  if ((args.states ?? []).some((s) => !ALLOWED_STATES.includes(s))) return `states must be one of [${ALLOWED_STATES.join(' ')}]`;
  return undefined;
}

const restarts = (pod: Pod, init: boolean | undefined) => containerStatuses(pod, init).reduce((n, s) => n + (s.restartCount ?? 0), 0);

function inStates(pod: Pod, args: TooManyRestartsArgs): boolean {
  if (!args.states?.length) return true;
  if (pod.status?.phase && args.states.includes(pod.status.phase)) return true;
  return containerStatuses(pod, args.includingInitContainers).some((s) => s.state?.waiting?.reason !== undefined && args.states!.includes(s.state.waiting.reason));
}

function create(args: TooManyRestartsArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  const threshold = args.podRestartThreshold ?? 1;
  return {
    name: NAME,
    async deschedule(nodes, signal) {
      for (const node of nodes) {
        const pods = handle.podsOnNode(node.metadata?.name ?? '').filter((p) => selected(p) && restarts(p, args.includingInitContainers) >= threshold && inStates(p, args) && handle.evictor.filter(p));
        if ((await evictPods(handle, pods, NAME, signal)) === 'total-limit') return;
      }
    },
  };
}

export const descriptor: PluginDescriptor<TooManyRestartsArgs> = { name: NAME, extensionPoints: ['deschedule'], defaults: (raw) => ({ ...(raw as TooManyRestartsArgs) }), validate, create };
