// Finding preemption candidates (upstream Evaluator.findCandidates and DryRunPreemption): the
// nodes whose filter status is Unschedulable (not Unresolvable) are dry-run, starting at a random
// offset so that successive preemptions spread over the cluster, until enough candidates are
// found: at least one that violates no PDB, and numCandidates in all. Candidates violating no
// PDB come first.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { CycleState } from '../../framework/cycle-state.js';
import { NodeInfo } from '../../framework/node-info.js';
import { Code, Status } from '../../framework/status.js';
import type { NodeInfoLister, NodeToStatus } from '../../framework/types.js';
import { selectVictimsOnNode, type FilterRunner, type NodeVictims } from './select-victims.js';

export interface Candidate {
  name: string;
  victims: NodeVictims;
}

export interface DryRunResult {
  candidates: Candidate[];
  /** Why the dry run failed on the nodes it tried. */
  nodeStatuses: Map<string, Status>;
  errors: Error[];
}

/** The status of a node in m, absent nodes taking m.absentNodesStatus. */
export const statusOf = (m: NodeToStatus, name: string): Status | undefined => m.get(name) ?? m.absentNodesStatus;

/** Nodes whose status has `code` (upstream NodeToStatus.NodesForStatusCode), in lister order. */
export function nodesForStatusCode(m: NodeToStatus, lister: NodeInfoLister, code: Code): NodeInfo[] {
  if (m.absentNodesStatus?.code === code) return lister.list().filter((ni) => statusOf(m, ni.name)?.code === code);
  const out: NodeInfo[] = [];
  for (const [name, s] of m.entries()) {
    if (s.code !== code) continue;
    const ni = lister.get(name);
    if (ni) out.push(ni);
  }
  return out;
}

export interface DryRunInput {
  fw: FilterRunner;
  state: CycleState;
  pod: Pod;
  potentialNodes: NodeInfo[];
  pdbs: readonly PodDisruptionBudget[];
  offset: number;
  numCandidates: number;
  now: number;
}

export function dryRunPreemption(input: DryRunInput): DryRunResult {
  const { potentialNodes, numCandidates } = input;
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const nodeStatuses = new Map<string, Status>();
  const errors: Error[] = [];
  // One copy of the node and of the state, made again for each node: a dry run keeps neither
  // (a candidate holds the node's name and the victims).
  const nodeCopy = new NodeInfo();
  const stateCopy = new CycleState();
  for (let i = 0; i < potentialNodes.length; i++) {
    nodeCopy.assignFrom(potentialNodes[(input.offset + i) % potentialNodes.length]!);
    input.state.cloneInto(stateCopy);
    let res = selectVictimsOnNode(input.fw, stateCopy, input.pod, nodeCopy, input.pdbs, input.now);
    if (!(res instanceof Status)) {
      if (res.pods.length > 0) {
        const c = { name: nodeCopy.name, victims: res };
        if (res.numPDBViolations === 0) nonViolating.push(c);
        else violating.push(c);
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
        continue;
      }
      res = Status.error(new Error(`expected at least one victim pod on node "${nodeCopy.name}"`));
    }
    if (res.code === Code.Error) errors.push(res.error ?? new Error(res.message()));
    nodeStatuses.set(nodeCopy.name, res);
  }
  // upstream's candidate lists hold numCandidates each.
  return { candidates: [...nonViolating.slice(0, numCandidates), ...violating.slice(0, numCandidates)], nodeStatuses, errors };
}
