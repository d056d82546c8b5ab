// admissionregistration.k8s.io/v1 defaults for ValidatingAdmissionPolicy and its binding
// (upstream pkg/apis/admissionregistration/v1/defaults.go with the generated walk over nested
// structs). Go defaults a pointer only when it is nil, so an explicit "" is kept here too and
// left for validation to refuse. v1 gives paramRef no defaults (only v1alpha1 defaulted its
// parameterNotFoundAction).
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

function defaultRules(rules: unknown): void {
  if (!Array.isArray(rules)) return;
  for (const rule of rules) if (isObj(rule) && absent(rule.scope)) rule.scope = '*';
}

/** SetDefaults_MatchResources plus SetDefaults_Rule on every rule it holds. */
export function defaultMatchResources(match: Obj): void {
  if (absent(match.matchPolicy)) match.matchPolicy = 'Equivalent';
  if (absent(match.namespaceSelector)) match.namespaceSelector = {};
  if (absent(match.objectSelector)) match.objectSelector = {};
  defaultRules(match.resourceRules);
  defaultRules(match.excludeResourceRules);
}

export function defaultValidatingAdmissionPolicy(policy: Obj): void {
  // The spec is a struct, not a pointer, upstream: it is defaulted even when the client sent none.
  if (!isObj(policy.spec)) policy.spec = {};
  const spec = policy.spec as Obj;
  if (absent(spec.failurePolicy)) spec.failurePolicy = 'Fail';
  if (isObj(spec.matchConstraints)) defaultMatchResources(spec.matchConstraints);
}

export function defaultValidatingAdmissionPolicyBinding(binding: Obj): void {
  const spec = binding.spec;
  if (isObj(spec) && isObj(spec.matchResources)) defaultMatchResources(spec.matchResources);
}
