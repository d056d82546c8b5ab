// Node selectors compiled once per pod into matchers (upstream component-helpers
// scheduling/corev1/nodeaffinity): Filter and Score run for thousands of nodes per pod, so the
// requirement operators, value sets and validation are resolved here, not per node.
//
// Semantics kept from upstream:
// - required terms are ORed; a term ANDs its matchExpressions (labels) and matchFields;
// - an empty required term matches nothing and is dropped; a term with an invalid requirement is
//   dropped too (the selector then matches only through its other terms);
// - a preferred term with weight 0 is dropped; an empty preferred term matches every node;
// - matchFields supports only metadata.name with In/NotIn and exactly one value.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { newRequirement, type Operator } from '../../../api/selectors/labels.js';

type Labels = Record<string, string>;
type LabelMatcher = (labels: Labels) => boolean;

const OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };
const INT = /^[+-]?[0-9]+$/;
const has = (labels: Labels, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/** One matchExpressions entry as a matcher; throws on what labels.NewRequirement rejects. */
function compileExpression(r: NodeSelectorRequirement): LabelMatcher {
  const op = OPERATORS[r.operator];
  if (!op) throw new Error(`${JSON.stringify(r.operator)} is not a valid label selector operator`);
  const values = r.values ?? [];
  newRequirement(r.key, op, values); // validates key, values and their count exactly as upstream
  const key = r.key;
  switch (op) {
    case 'in': {
      if (values.length === 1) {
        const v = values[0];
        return (l) => has(l, key) && l[key] === v;
      }
      const set = new Set(values);
      return (l) => has(l, key) && set.has(l[key]!);
    }
    case 'notin': {
      const set = new Set(values);
      return (l) => !has(l, key) || !set.has(l[key]!);
    }
    case 'exists':
      return (l) => has(l, key);
    case '!':
      return (l) => !has(l, key);
    default: {
      const bound = BigInt(values[0]!);
      const gt = op === 'gt';
      return (l) => {
        if (!has(l, key)) return false;
        const v = l[key]!;
        if (!INT.test(v)) return false;
        const n = BigInt(v);
        return gt ? n > bound : n < bound;
      };
    }
  }
}

/** One matchFields entry: only In/NotIn with one value; the node's only field is metadata.name. */
function compileField(r: NodeSelectorRequirement): (name: string) => boolean {
  const values = r.values ?? [];
  if (r.operator !== 'In' && r.operator !== 'NotIn') throw new Error(`Unsupported value: ${JSON.stringify(r.operator)}: supported values: "In", "NotIn"`);
  if (values.length !== 1) throw new Error('must have one element');
  const want = values[0]!;
  const isName = r.key === 'metadata.name';
  // A key other than metadata.name reads as "" from the node's field set.
  if (r.operator === 'In') return isName ? (name) => name === want : () => want === '';
  return isName ? (name) => name !== want : () => want !== '';
}

/** A parsed term; undefined parts are "no constraint" (only possible for preferred terms). */
interface CompiledTerm {
  labels?: LabelMatcher[];
  fields?: ((name: string) => boolean)[];
}

function compileTerm(term: NodeSelectorTerm): CompiledTerm {
  const t: CompiledTerm = {};
  if (term.matchExpressions?.length) t.labels = term.matchExpressions.map(compileExpression);
  if (term.matchFields?.length) t.fields = term.matchFields.map(compileField);
  return t;
}

function termMatches(t: CompiledTerm, labels: Labels, name: string): boolean {
  if (t.labels) for (const m of t.labels) if (!m(labels)) return false;
  // Upstream skips the field check when the node has no name (empty field set).
  if (t.fields && name) for (const m of t.fields) if (!m(name)) return false;
  return true;
}

const isEmptyTerm = (t: NodeSelectorTerm) => !t.matchExpressions?.length && !t.matchFields?.length;

/** A required NodeSelector: matches when any valid non-empty term matches. */
export class CompiledNodeSelector {
  private readonly terms: CompiledTerm[] = [];
  /** Parse errors of dropped terms (reported, never fatal: upstream ignores them in Filter). */
  readonly errors: string[] = [];

  constructor(selector: NodeSelector) {
    for (const term of selector.nodeSelectorTerms ?? []) {
      if (isEmptyTerm(term)) continue;
      try {
        this.terms.push(compileTerm(term));
      } catch (e) {
        this.errors.push((e as Error).message);
      }
    }
  }

  match(node: Node): boolean {
    const labels = node.metadata?.labels ?? {};
    const name = node.metadata?.name ?? '';
    for (const t of this.terms) if (termMatches(t, labels, name)) return true;
    return false;
  }
}

/** Preferred terms: the score of a node is the sum of the weights of the terms it matches. */
export class CompiledPreferredTerms {
  private readonly terms: { term: CompiledTerm; weight: number }[] = [];
  readonly errors: string[] = [];

  constructor(terms: readonly PreferredSchedulingTerm[]) {
    for (const t of terms) {
      if (!t.weight) continue;
      try {
        this.terms.push({ term: compileTerm(t.preference ?? {}), weight: t.weight });
      } catch (e) {
        this.errors.push((e as Error).message);
      }
    }
  }

  score(node: Node): number {
    const labels = node.metadata?.labels ?? {};
    const name = node.metadata?.name ?? '';
    let sum = 0;
    for (const { term, weight } of this.terms) if (termMatches(term, labels, name)) sum += weight;
    return sum;
  }
}

/**
 * The pod's nodeSelector AND its required node affinity (upstream GetRequiredNodeAffinity).
 * Either may be absent; with neither, every node matches.
 */
export class RequiredNodeAffinity {
  private readonly selectorEntries: [string, string][] | undefined;
  private readonly affinity: CompiledNodeSelector | undefined;

  constructor(nodeSelector: Record<string, string> | undefined, required: NodeSelector | undefined) {
    const entries = nodeSelector ? Object.entries(nodeSelector) : [];
    this.selectorEntries = entries.length ? entries : undefined;
    this.affinity = required ? new CompiledNodeSelector(required) : undefined;
  }

  static forPod(pod: Pod): RequiredNodeAffinity {
    return new RequiredNodeAffinity(pod.spec?.nodeSelector, pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
  }

  match(node: Node): boolean {
    if (this.selectorEntries) {
      const labels = node.metadata?.labels ?? {};
      for (const [k, v] of this.selectorEntries) if (!has(labels, k) || labels[k] !== v) return false;
    }
    return this.affinity ? this.affinity.match(node) : true;
  }
}
