// Which nodes a pod's required node selection (nodeSelector AND required node affinity)
// matches, remembered across pods: in a workload every pod of a Deployment has the same
// selector, and Filter evaluates it against hundreds of nodes per pod. The answer depends only
// on the selector and the node's labels and name, so it is remembered per Node object (the
// informer replaces the object on every change and the scheduler never edits one in place, so
// a changed node is a new object, evaluated afresh) under a key that is the selection's exact
// JSON (equal text, equal selection).
import type { Node, NodeSelector } from 'kubernetes-types/core/v1.js';
import { RequiredNodeAffinity } from './node-selector.js';

/** A selection compiled once, and its answer per Node object. */
export interface Selection {
  required: RequiredNodeAffinity;
  matches: WeakMap<Node, boolean>;
}

/** Distinct selections remembered (least recently used dropped first): at most this many × nodes answers. */
const MAX_SELECTORS = 64;

export class MatchMemo {
  private readonly bySelector = new Map<string, Selection>();

  /** The compiled selection and its answers so far (none the first time). */
  forSelection(nodeSelector: Record<string, string> | undefined, required: NodeSelector | undefined): Selection {
    const key = JSON.stringify([nodeSelector ?? null, required ?? null]);
    let m = this.bySelector.get(key);
    if (m) {
      // Most recently used last.
      this.bySelector.delete(key);
    } else {
      m = { required: new RequiredNodeAffinity(nodeSelector, required), matches: new WeakMap() };
      if (this.bySelector.size >= MAX_SELECTORS) this.bySelector.delete(this.bySelector.keys().next().value!);
    }
    this.bySelector.set(key, m);
    return m;
  }
}

/** Whether the selection matches node, remembered per Node object. */
export function matches(sel: Selection, node: Node): boolean {
  let m = sel.matches.get(node);
  if (m === undefined) {
    m = sel.required.match(node);
    sel.matches.set(node, m);
  }
  return m;
}
