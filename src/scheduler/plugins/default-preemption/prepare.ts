// Acting on the chosen candidate (upstream Evaluator.prepareCandidate): each victim that waits in
// Permit is rejected; every other one gets the DisruptionTarget condition (reason
// PreemptionByScheduler) and a graceful delete, and a "Preempted" event. Then lower-priority pods
// nominated to the node lose their nomination, which sends them back to be scheduled elsewhere.
//
// prepareCandidateAsync is upstream's SchedulerAsyncPreemption (1.32 alpha, 1.33 default): the
// API calls run after the scheduling cycle returns, so the loop schedules other pods meanwhile;
// the preemptor is held out of activeQ (PreEnqueue) until its victims are on their way out.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../client/rest/errors.js';
import { resources } from '../../../client/rest/builtin-resources.js';
import { podReference } from '../../framework/pod-info.js';
import type { Handle } from '../../framework/types.js';
import type { Candidate } from './candidates.js';
import { podPriority } from './priority.js';

export type PrepareHandle = Pick<Handle, 'client' | 'getWaitingPod' | 'recorder' | 'nominator' | 'log'>;

const pods = (h: PrepareHandle) => h.client.resource(resources.pods);

/** The DisruptionTarget condition upstream sets on a victim before deleting it. */
export function disruptionTargetCondition(preemptor: Pod, now: Date): PodCondition {
  return {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: `${preemptor.spec?.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod`,
    lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** True if the pod already carries the condition with the same status, reason and message. */
function hasCondition(pod: Pod, c: PodCondition): boolean {
  const cur = pod.status?.conditions?.find((x) => x.type === c.type);
  return cur !== undefined && cur.status === c.status && cur.reason === c.reason && cur.message === c.message;
}

/** 'deleted': a graceful delete was sent; 'gone': the victim no longer existed; 'rejected': it waited in Permit. */
type VictimOutcome = 'deleted' | 'gone' | 'rejected';

async function preemptVictim(h: PrepareHandle, pluginName: string, preemptor: Pod, victim: Pod, nodeName: string): Promise<VictimOutcome> {
  const uid = victim.metadata?.uid;
  const waiting = uid ? h.getWaitingPod(uid) : undefined;
  let outcome: VictimOutcome = 'rejected';
  if (waiting) {
    waiting.reject(pluginName, 'preempted');
  } else {
    const name = victim.metadata?.name ?? '';
    const namespace = victim.metadata?.namespace;
    const cond = disruptionTargetCondition(preemptor, new Date());
    try {
      // Strategic merge: conditions merge by type, other conditions stay.
      if (!hasCondition(victim, cond)) await pods(h).patch(name, { status: { conditions: [cond] } }, { type: 'strategic', subresource: 'status', namespace });
      // A graceful delete: the victim gets its termination grace period.
      await pods(h).delete(name, { namespace });
      outcome = 'deleted';
    } catch (err) {
      // Already gone: nothing to evict, and no event (as upstream).
      if (isNotFound(err)) return 'gone';
      throw err;
    }
  }
  h.recorder.eventf(podReference(victim), podReference(preemptor), 'Normal', 'Preempted', 'Preempting', 'Preempted by pod %v on node %v', preemptor.metadata?.uid ?? '', nodeName);
  return outcome;
}

/**
 * Victims whose eviction has not started yet: a victim already being deleted (as the informer
 * shows it, or by an eviction of ours still on its way) needs no second call (upstream skips
 * the first kind; the second is what the informer shows a moment later).
 */
const notYetDeleting = (victims: readonly Pod[], evicting: Evicting) => victims.filter((v) => !v.metadata?.deletionTimestamp && !evicting.uids.has(v.metadata?.uid ?? ''));

/**
 * Victims (by uid) this scheduler is evicting. A victim counts as terminating from the moment a
 * preemption picks it until the informer shows it terminating or gone (the plugin's
 * observedTerminatingOrGone), so neither the eligibility check nor a later preemption is fooled
 * by the informer lagging the API calls. `keepUntilObserved` false (no informer feeds the
 * plugin): released when its API calls are done.
 */
export interface Evicting {
  uids: Set<string>;
  keepUntilObserved: boolean;
}

async function evict(h: PrepareHandle, pluginName: string, preemptor: Pod, victim: Pod, nodeName: string, evicting: Evicting): Promise<void> {
  const uid = victim.metadata?.uid ?? '';
  let outcome: VictimOutcome;
  try {
    outcome = await preemptVictim(h, pluginName, preemptor, victim, nodeName);
  } catch (err) {
    evicting.uids.delete(uid);
    throw err;
  }
  // A rejected waiting pod or a pod already gone will show no termination to wait for.
  if (outcome !== 'deleted' || !evicting.keepUntilObserved) evicting.uids.delete(uid);
}

/** Marks the victims as being evicted, synchronously (before the cycle that chose them returns). */
function markEvicting(victims: readonly Pod[], evicting: Evicting): void {
  for (const v of victims) evicting.uids.add(v.metadata?.uid ?? '');
}

/** Clears status.nominatedNodeName of the pods that have one (upstream util.ClearNominatedNodeName). */
export async function clearNominatedNodeName(h: Pick<Handle, 'client'>, list: Pod[]): Promise<void> {
  const errs: unknown[] = [];
  await Promise.all(
    list
      .filter((p) => p.status?.nominatedNodeName)
      .map((p) =>
        pods(h as PrepareHandle)
          .patch(p.metadata?.name ?? '', { status: { nominatedNodeName: null } }, { type: 'merge', subresource: 'status', namespace: p.metadata?.namespace })
          .catch((err: unknown) => {
            if (!isNotFound(err)) errs.push(err);
          }),
      ),
  );
  if (errs.length) throw errs[0];
}

export async function prepareCandidate(h: PrepareHandle, pluginName: string, c: Candidate, preemptor: Pod, evicting: Evicting): Promise<void> {
  const victims = notYetDeleting(c.victims.pods, evicting);
  markEvicting(victims, evicting);
  await Promise.all(victims.map((v) => evict(h, pluginName, preemptor, v, c.name, evicting)));
  const prio = podPriority(preemptor);
  const lower = h.nominator
    .nominatedPodsForNode(c.name)
    .map((pi) => pi.pod)
    .filter((p) => podPriority(p) < prio);
  try {
    await clearNominatedNodeName(h, lower);
  } catch (err) {
    // Not critical: those pods are retried with their stale nomination.
    h.log.error({ err }, "Cannot clear 'NominatedNodeName' field");
  }
}

/** The last victim of a preemptor whose other victims are evicted (upstream lastVictimsPendingPreemption). */
export interface PendingVictim {
  namespace: string;
  name: string;
  uid: string;
}

export interface AsyncPreemption {
  /**
   * Preemptors (by uid) whose victims are being evicted, with the last victim once only its
   * eviction is left; PreEnqueue holds them back (upstream Executor.preempting).
   */
  preempting: Map<string, PendingVictim | undefined>;
  evicting: Evicting;
  /** Moves the preemptor to activeQ (after an error, when no event would). */
  activate: (pods: Pod[]) => void;
}

/**
 * Evicts the candidate's victims in the background (upstream Executor.prepareCandidateAsync).
 * Victims already being deleted are skipped (nothing to do if none is left). Lower nominations
 * are cleared first; every victim but the last is evicted in parallel; then the last one is
 * recorded in `preempting` before its eviction, so that PreEnqueue lets the preemptor in as soon
 * as the informer shows that victim terminating or gone — and not before, so a preemptor
 * requeued by some other pod's deletion cannot preempt again while its own eviction is still on
 * its way. If an eviction fails, the last one is not attempted and the preemptor is activated
 * (it may be parked with no event to come for it). Resolves when done (callers do not wait for
 * it; tests may).
 */
export async function prepareCandidateAsync(h: PrepareHandle, pluginName: string, c: Candidate, preemptor: Pod, a: AsyncPreemption): Promise<void> {
  const victims = notYetDeleting(c.victims.pods, a.evicting);
  if (victims.length === 0) return;
  markEvicting(victims, a.evicting);
  const uid = preemptor.metadata?.uid ?? '';
  a.preempting.set(uid, undefined);
  let failed = false;
  const fail = (err: unknown, what: string) => {
    failed = true;
    h.log.error({ err, preemptor: `${preemptor.metadata?.namespace}/${preemptor.metadata?.name}`, node: c.name }, what);
  };
  let evictLast = true;
  try {
    const prio = podPriority(preemptor);
    const lower = h.nominator
      .nominatedPodsForNode(c.name)
      .map((pi) => pi.pod)
      .filter((p) => podPriority(p) < prio);
    await clearNominatedNodeName(h, lower).catch((err: unknown) => fail(err, "Cannot clear 'NominatedNodeName' field from lower priority pods on the same target node"));
    if (victims.length > 1) {
      const results = await Promise.allSettled(victims.slice(0, -1).map((v) => evict(h, pluginName, preemptor, v, c.name, a.evicting)));
      for (const r of results) {
        if (r.status !== 'rejected') continue;
        fail(r.reason, 'Error occurred during async preemption');
        evictLast = false;
      }
    }
    if (evictLast) {
      const last = victims[victims.length - 1]!;
      a.preempting.set(uid, { namespace: last.metadata?.namespace ?? '', name: last.metadata?.name ?? '', uid: last.metadata?.uid ?? '' });
      await evict(h, pluginName, preemptor, last, c.name, a.evicting).catch((err: unknown) => fail(err, 'Error occurred during async preemption of the last victim'));
    }
  } finally {
    // The last victim, when an earlier eviction failed, is not evicted after all.
    if (!evictLast) a.evicting.uids.delete(victims[victims.length - 1]!.metadata?.uid ?? '');
    a.preempting.delete(uid);
    if (failed) a.activate([preemptor]);
  }
}
