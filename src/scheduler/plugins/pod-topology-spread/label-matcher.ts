// A label selector compiled into one predicate. Spreading matches a selector against every pod
// on every node for each pod it schedules (tens of thousands of calls per cycle), so the common
// requirements (=, in, notin, exists, !) become direct property reads instead of the generic
// matcher's per-call closures. Semantics equal matchesLabels in src/api/selectors/labels.ts.
import { requirementMatches, type Requirement, type Selector } from '../../../api/selectors/labels.js';

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Own string-valued label (an inherited property such as "constructor" is not a label). */
const valueOf = (labels: Record<string, string>, key: string): string | undefined => {
  const v = labels[key];
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(labels, key) ? v : undefined;
};

function compileRequirement(r: Requirement): (labels: Record<string, string>) => boolean {
  const key = r.key;
  const values = r.values;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      if (values.length === 1) {
        const want = values[0];
        return (l) => valueOf(l, key) === want;
      }
      return (l) => {
        const v = valueOf(l, key);
        return v !== undefined && values.includes(v);
      };
    case 'notin':
    case '!=':
      return (l) => {
        const v = valueOf(l, key);
        return v === undefined || !values.includes(v);
      };
    case 'exists':
      return (l) => valueOf(l, key) !== undefined;
    case '!':
      return (l) => valueOf(l, key) === undefined;
    default:
      return (l) => requirementMatches(r, l);
  }
}

const none: LabelMatcher = () => false;
const all: LabelMatcher = () => true;
const noLabels: Record<string, string> = {};

export function compileSelector(selector: Selector): LabelMatcher {
  if (selector.nothing) return none;
  const tests = selector.requirements.map(compileRequirement);
  if (tests.length === 0) return all;
  if (tests.length === 1) {
    const t = tests[0]!;
    return (labels) => t(labels ?? noLabels);
  }
  return (labels) => {
    const l = labels ?? noLabels;
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(l)) return false;
    return true;
  };
}
