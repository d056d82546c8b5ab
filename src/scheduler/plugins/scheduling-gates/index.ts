// SchedulingGates (upstream plugins/schedulinggates): a pod with spec.schedulingGates stays out of
// activeQ until every gate is removed; the gate removal event (a pod update) brings it back.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import { ActionType, QueueingHint, type ClusterEventWithHint, type EnqueueExtensions, type PluginFactory, type PreEnqueuePlugin } from '../../framework/types.js';

export const NAME = 'SchedulingGates';

/** Go's %v of a []string: "[a b]". */
export const gatesReason = (names: string[]) => `waiting for scheduling gates: [${names.join(' ')}]`;

export class SchedulingGatesPlugin implements PreEnqueuePlugin, EnqueueExtensions {
  readonly name = NAME;

  preEnqueue(pod: Pod): MaybeStatus {
    const gates = pod.spec?.schedulingGates;
    if (!gates?.length) return undefined;
    // Upstream answers UnschedulableAndUnresolvable; our framework's contract for "gated,
    // waiting outside the scheduler" is Pending (status.ts), with upstream's message.
    return new Status(Code.Pending, [gatesReason(gates.map((g) => g.name))]);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Pod', actionType: ActionType.UpdatePodSchedulingGatesEliminated }, hint: () => QueueingHint.Queue }];
  }
}

export const factory: PluginFactory = () => new SchedulingGatesPlugin();
