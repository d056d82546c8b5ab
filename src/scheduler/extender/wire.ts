// The extender wire format: k8s.io/kube-scheduler/extender/v1. The Go structs carry no json
// tags, so the keys are the Go field names (Pod, Nodes, NodeNames, FailedNodes, …) and nil
// pointers/maps are sent as null. Go decodes keys case-insensitively, so extenders written in
// other languages often answer "nodeNames" or "failedNodes"; `field` accepts both.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

export interface ExtenderArgs {
  Pod: Pod;
  /** Set unless the extender is nodeCacheCapable (a v1.NodeList). */
  Nodes: { metadata: object; items: Node[] } | null;
  /** Set only when the extender is nodeCacheCapable. */
  NodeNames: string[] | null;
}

export interface ExtenderFilterResult {
  Nodes?: { items?: Node[] } | null;
  NodeNames?: string[] | null;
  FailedNodes?: Record<string, string> | null;
  FailedAndUnresolvableNodes?: Record<string, string> | null;
  Error?: string;
}

export interface HostPriority {
  Host: string;
  Score: number;
}

export interface ExtenderBindingArgs {
  PodName: string;
  PodNamespace: string;
  PodUID: string;
  Node: string;
}

export interface MetaPod {
  UID: string;
}

export interface Victims {
  Pods: Pod[];
  NumPDBViolations: number;
}

export interface MetaVictims {
  Pods: MetaPod[];
  NumPDBViolations: number;
}

export interface ExtenderPreemptionArgs {
  Pod: Pod;
  NodeNameToVictims: Record<string, Victims> | null;
  NodeNameToMetaVictims: Record<string, MetaVictims> | null;
}

/** Max priority an extender may give (upstream MaxExtenderPriority); the scheduler scales it to 100. */
export const MAX_EXTENDER_PRIORITY = 10;

/** A key of a decoded JSON object as Go's decoder finds it: exact name first, else case-insensitive. */
export function field(obj: unknown, name: string): unknown {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const rec = obj as Record<string, unknown>;
  if (name in rec) return rec[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}
