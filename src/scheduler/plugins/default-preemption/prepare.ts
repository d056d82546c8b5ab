// Acting on the chosen candidate (upstream Evaluator.prepareCandidate): each victim that waits in
// Permit is rejected; every other one gets the DisruptionTarget condition (reason
// PreemptionByScheduler) and a graceful delete, and a "Preempted" event. Then lower-priority pods
// nominated to the node lose their nomination, which sends them back to be scheduled elsewhere.
//
// prepareCandidateAsync is upstream's SchedulerAsyncPreemption (1.32 alpha, 1.33 default): the
// API calls run after the scheduling cycle returns, so the loop schedules other pods meanwhile;
// the preemptor is held out of activeQ (PreEnqueue) until its victims are on their way out.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { isNotFound } from '../../../client/rest/errors.js';
import { resources } from '../../../client/rest/builtin-resources.js';
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

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function preemptVictim(h: PrepareHandle, pluginName: string, preemptor: Pod, victim: Pod, nodeName: string): Promise<void> {
  const uid = victim.metadata?.uid;
  const waiting = uid ? h.getWaitingPod(uid) : undefined;
  if (waiting) {
    waiting.reject(pluginName, 'preempted');
  } else {
    const name = victim.metadata?.name ?? '';
    const namespace = victim.metadata?.namespace;
    const cond = disruptionTargetCondition(preemptor, new Date());
    if (!hasCondition(victim, cond)) {
      // Strategic merge: conditions merge by type, other conditions stay.
      await ignoreNotFound(pods(h).patch(name, { status: { conditions: [cond] } }, { type: 'strategic', subresource: 'status', namespace }));
    }
    // A graceful delete: the victim gets its termination grace period.
    await ignoreNotFound(pods(h).delete(name, { namespace }));
  }
  h.recorder.eventf(victim as KubeObject, 'Normal', 'Preempted', 'Preempted by pod %v on node %v', preemptor.metadata?.uid ?? '', nodeName);
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

export async function prepareCandidate(h: PrepareHandle, pluginName: string, c: Candidate, preemptor: Pod): Promise<void> {
  await Promise.all(c.victims.pods.map((v) => preemptVictim(h, pluginName, preemptor, v, c.name)));
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

export interface AsyncPreemption {
  /** Preemptors (by uid) whose victims are still being evicted; PreEnqueue holds them back. */
  preempting: Set<string>;
  /** Moves the preemptor to activeQ (after an error, when no event would). */
  activate: (pods: Pod[]) => void;
}

/**
 * Evicts the candidate's victims in the background (upstream prepareCandidateAsync). Lower
 * nominations are cleared first; every victim but the last is evicted in parallel; the preemptor
 * leaves `preempting` before the last eviction, so that deletion's event requeues it (an event
 * arriving while it is held back would be lost on it). On an error the preemptor is activated.
 * Resolves when done (callers do not wait for it; tests may).
 */
export async function prepareCandidateAsync(h: PrepareHandle, pluginName: string, c: Candidate, preemptor: Pod, a: AsyncPreemption): Promise<void> {
  const uid = preemptor.metadata?.uid ?? '';
  a.preempting.add(uid);
  let failed = false;
  const fail = (err: unknown, what: string) => {
    failed = true;
    h.log.error({ err, preemptor: `${preemptor.metadata?.namespace}/${preemptor.metadata?.name}`, node: c.name }, what);
  };
  try {
    const prio = podPriority(preemptor);
    const lower = h.nominator
      .nominatedPodsForNode(c.name)
      .map((pi) => pi.pod)
      .filter((p) => podPriority(p) < prio);
    await clearNominatedNodeName(h, lower).catch((err: unknown) => fail(err, "Cannot clear 'NominatedNodeName' field from lower priority pods on the same target node"));
    const victims = c.victims.pods;
    if (victims.length === 0) return;
    const results = await Promise.allSettled(victims.slice(0, -1).map((v) => preemptVictim(h, pluginName, preemptor, v, c.name)));
    for (const r of results) if (r.status === 'rejected') fail(r.reason, 'Error occurred during async preemption');
    a.preempting.delete(uid);
    await preemptVictim(h, pluginName, preemptor, victims[victims.length - 1], c.name).catch((err: unknown) => fail(err, 'Error occurred during async preemption'));
  } finally {
    a.preempting.delete(uid);
    // A failed eviction may leave the preemptor parked with no event to come for it.
    if (failed) a.activate([preemptor]);
  }
}
