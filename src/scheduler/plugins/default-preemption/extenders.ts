// Extenders that support preemption may narrow the candidates or change their victims
// (upstream Evaluator.callExtenders). Each extender sees what the previous one returned; an
// ignorable extender's error or empty answer for a node drops only that extender or node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Extender, NodeInfoLister } from '../../framework/types.js';
import type { Candidate } from './candidates.js';
import type { NodeVictims } from './select-victims.js';

export async function callExtenders(extenders: readonly Extender[], pod: Pod, candidates: Candidate[], lister: NodeInfoLister, log: Logger): Promise<Candidate[]> {
  if (extenders.length === 0) return candidates;
  let victims = new Map<string, NodeVictims>(candidates.map((c) => [c.name, c.victims]));
  if (victims.size === 0) return candidates;
  for (const ext of extenders) {
    if (!ext.supportsPreemption() || !ext.isInterested(pod)) continue;
    let answer: Map<string, NodeVictims>;
    try {
      answer = await ext.processPreemption(pod, victims, lister);
    } catch (err) {
      if (ext.isIgnorable()) {
        log.info({ extender: ext.name(), err }, 'Skipped extender as it returned error and has ignorable flag set');
        continue;
      }
      throw err;
    }
    for (const [node, v] of [...answer]) {
      if (v && v.pods.length > 0) continue;
      if (!ext.isIgnorable()) throw new Error(`expected at least one victim pod on node "${node}"`);
      answer.delete(node);
      log.info({ node, extender: ext.name() }, "Ignored node for which the extender didn't report victims");
    }
    victims = answer;
    // No node left: no extender can bring one back.
    if (victims.size === 0) break;
  }
  return [...victims].map(([name, v]) => ({ name, victims: v }));
}
