// DefaultPreemption (upstream defaultpreemption + framework/preemption's Evaluator.Preempt), at
// PostFilter: when no node fits, find the node where evicting the fewest, least important pods
// makes room, evict them and nominate the node for the pod.
//   1. eligibility (preemptionPolicy, terminating victims on the nominated node);
//   2. candidates: dry runs on the nodes that failed with Unschedulable;
//   3. extenders that support preemption narrow the candidates;
//   4. pick the best candidate; 5. evict its victims, clear lower nominations; nominate.
// Step 5 runs after the cycle by default (upstream SchedulerAsyncPreemption); the preemptor waits
// at PreEnqueue until its victims are on their way out.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import type { Handle, NodeToStatus, PostFilterPlugin, PostFilterResult, PreEnqueuePlugin } from '../../framework/types.js';
import { numCandidates, type DefaultPreemptionArgs } from './args.js';
import { dryRunPreemption, nodesForStatusCode, statusOf } from './candidates.js';
import { ineligibleReason } from './eligibility.js';
import { callExtenders } from './extenders.js';
import { fitErrorMessage } from './fit-error.js';
import { preemptionAttempts, preemptionVictims } from './metrics.js';
import { pickOneNodeForPreemption } from './pick-node.js';
import { clearNominatedNodeName, prepareCandidate, prepareCandidateAsync, type Evicting, type PendingVictim } from './prepare.js';
import type { NodeVictims } from './select-victims.js';

export const NAME = 'DefaultPreemption';

export const PREEMPTION_NOT_HELPFUL_REASON = 'Preemption is not helpful for scheduling';

export type PreemptionHandle = Pick<
  Handle,
  | 'client'
  | 'log'
  | 'recorder'
  | 'snapshotSharedLister'
  | 'nominator'
  | 'runFilterPluginsWithNominatedPods'
  | 'runPreFilterExtensionAddPod'
  | 'runPreFilterExtensionRemovePod'
  | 'getWaitingPod'
  | 'extenders'
  | 'activate'
>;

/** Upstream's PreEnqueue message for a preemptor whose victims are still being evicted. */
export const WAITING_FOR_PREEMPTION_REASON = 'waiting for the preemption for this pod to be finished';

export interface DefaultPreemptionDeps {
  args: DefaultPreemptionArgs;
  handle: PreemptionHandle;
  /** Every PodDisruptionBudget (from an informer). */
  pdbs: () => readonly PodDisruptionBudget[];
  /** In [0, 1): picks the dry run's first node. Injectable for tests. */
  random?: () => number;
  /** ms since epoch: the start time of pods not started yet. */
  now?: () => number;
  /** The latest copy of the preemptor (from the pod informer); the cycle's copy when absent. */
  latestPod?: (pod: Pod) => Pod | undefined;
  /** The pod informer calls observedTerminatingOrGone() (the factory wires it); else victims count as terminating only while their API calls run. */
  informerReleasesVictims?: boolean;
  /** Evict victims after the cycle (upstream SchedulerAsyncPreemption); default true. */
  asyncPreemption?: boolean;
}

type PostFilterAnswer = { result?: PostFilterResult; status: MaybeStatus };

export class DefaultPreemption implements PostFilterPlugin, PreEnqueuePlugin {
  readonly name = NAME;
  /** Preemptors whose victims are being evicted in the background (by uid), with the last victim once only it is left. */
  readonly preempting = new Map<string, PendingVictim | undefined>();
  /** Victims being evicted: terminating, as far as eligibility and later preemptions go, until the informer shows it. */
  readonly evicting: Evicting;
  /** Background evictions in flight (tests and shutdown may wait for them). */
  readonly evictions = new Set<Promise<void>>();

  constructor(private readonly deps: DefaultPreemptionDeps) {
    this.evicting = { uids: new Set(), keepUntilObserved: deps.informerReleasesVictims ?? false };
  }

  /**
   * From the pod informer (deps.informerReleasesVictims): a pod seen terminating or deleted. A
   * victim stays counted as terminating until then, not just until its API calls return, which
   * the informer may lag by seconds under load.
   */
  observedTerminatingOrGone(pod: Pod): void {
    if (this.evicting.uids.size) this.evicting.uids.delete(pod.metadata?.uid ?? '');
  }

  /**
   * Holds a preemptor back while its victims are being evicted (upstream IsPodRunningPreemption):
   * once only the last victim is left, until the informer shows it terminating or gone.
   */
  preEnqueue(pod: Pod): MaybeStatus {
    const uid = pod.metadata?.uid ?? '';
    if (!this.preempting.has(uid)) return null;
    const last = this.preempting.get(uid);
    if (last) {
      const cur = this.deps.latestPod?.({ metadata: { namespace: last.namespace, name: last.name } });
      if (!cur || cur.metadata?.uid !== last.uid || cur.metadata?.deletionTimestamp) return null;
    }
    return new Status(Code.UnschedulableAndUnresolvable, [WAITING_FOR_PREEMPTION_REASON], NAME);
  }

  async postFilter(state: CycleState, pod: Pod, m: NodeToStatus): Promise<PostFilterAnswer> {
    preemptionAttempts.inc();
    const { result, status } = await this.preempt(state, pod, m);
    const msg = status ? status.message() : '';
    if (status && msg) return { result, status: new Status(status.code, [`preemption: ${msg}`], '', status.error) };
    return { result, status };
  }

  /** upstream Evaluator.Preempt. */
  async preempt(state: CycleState, pod: Pod, m: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status }> {
    const h = this.deps.handle;
    // The queue's copy may predate a change of its nomination: use the informer's.
    pod = this.deps.latestPod?.(pod) ?? pod;
    const lister = h.snapshotSharedLister();
    const nominated = pod.status?.nominatedNodeName;
    const reason = ineligibleReason(pod, nominated ? statusOf(m, nominated) : undefined, lister, this.evicting.uids);
    if (reason) return { status: Status.unschedulable(reason) };

    const allNodes = lister.list();
    if (allNodes.length === 0) return { status: Status.error(new Error('no nodes available')) };
    const now = (this.deps.now ?? Date.now)();

    const potential = nodesForStatusCode(m, lister, Code.Unschedulable);
    let candidates: ReturnType<typeof dryRunPreemption>['candidates'] = [];
    let nodeStatuses = new Map<string, Status>();
    if (potential.length === 0) {
      // Preemption cannot help anywhere: drop a nomination the pod may still carry.
      await clearNominatedNodeName(h, [pod]).catch((err: unknown) => h.log.error({ err }, 'Could not clear the nominatedNodeName field of pod'));
    } else {
      const n = numCandidates(this.deps.args, potential.length);
      const offset = Math.floor((this.deps.random ?? Math.random)() * potential.length);
      const run = dryRunPreemption({ fw: h, state, pod, potentialNodes: potential, pdbs: this.deps.pdbs(), offset, numCandidates: n, now });
      if (run.errors.length && run.candidates.length === 0) return { status: Status.error(run.errors[0]) };
      candidates = run.candidates;
      nodeStatuses = run.nodeStatuses;
    }

    if (candidates.length === 0) {
      const msg = fitErrorMessage(allNodes.length, nodeStatuses, Status.unresolvable(PREEMPTION_NOT_HELPFUL_REASON));
      // An empty nomination clears the pod's nominatedNodeName, if any.
      return { result: { nominatedNodeName: '' }, status: Status.unschedulable(msg) };
    }

    try {
      candidates = await callExtenders(h.extenders, pod, candidates, lister, h.log);
    } catch (err) {
      return { status: Status.error(err) };
    }

    const best = pickOneNodeForPreemption(new Map<string, NodeVictims>(candidates.map((c) => [c.name, c.victims])), now);
    if (!best) return { status: Status.unschedulable('no candidate node for preemption') };
    const chosen = candidates.find((c) => c.name === best)!;

    preemptionVictims.observe(chosen.victims.pods.length);
    if (this.deps.asyncPreemption ?? true) {
      const eviction = prepareCandidateAsync(h, NAME, chosen, pod, { preempting: this.preempting, evicting: this.evicting, activate: (pods) => h.activate(pods) });
      this.evictions.add(eviction);
      void eviction.finally(() => this.evictions.delete(eviction));
    } else {
      try {
        await prepareCandidate(h, NAME, chosen, pod, this.evicting);
      } catch (err) {
        return { status: Status.error(err) };
      }
    }
    h.log.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, node: best, victims: chosen.victims.pods.length }, 'Preempted victims');
    return { result: { nominatedNodeName: best }, status: Status.success() };
  }
}
