// A ValidatingAdmissionPolicy compiled once per stored version (the watch cache replaces the
// object on every change, so the object itself is the cache key): its variables composited in
// order, then its matchConditions, validations, messageExpressions and auditAnnotations in the
// scope they give. An expression that does not compile is kept with its error, which becomes
// that expression's evaluation error at admission, as upstream reports it.
import type { ValidatingAdmissionPolicy, Validation } from 'kubernetes-types/admissionregistration/v1.js';
import { compilePolicyExpression, compileVariables, type CompiledExpression, type CompiledVariable } from '../../../api/cel/admission-policy.js';

export interface CompiledPolicy {
  variables: CompiledVariable[];
  matchConditions: { name: string; compiled: CompiledExpression; expression: string }[];
  validations: { validation: Validation; compiled: CompiledExpression; message?: CompiledExpression }[];
  auditAnnotations: { key: string; valueExpression: string; compiled: CompiledExpression }[];
}

const compiledPolicies = new WeakMap<ValidatingAdmissionPolicy, CompiledPolicy>();

/** Needs loadCEL(). */
export function compilePolicy(policy: ValidatingAdmissionPolicy): CompiledPolicy {
  let c = compiledPolicies.get(policy);
  if (c) return c;
  const spec = policy.spec ?? {};
  const params = !!spec.paramKind;
  const { variables, scope } = compileVariables(spec.variables ?? [], params);
  c = {
    variables,
    matchConditions: (spec.matchConditions ?? []).map((m) => ({ name: m.name, expression: m.expression, compiled: compilePolicyExpression(m.expression, 'matchCondition', scope) })),
    validations: (spec.validations ?? []).map((v) => ({
      validation: v,
      compiled: compilePolicyExpression(v.expression, 'validation', scope),
      ...(v.messageExpression ? { message: compilePolicyExpression(v.messageExpression, 'messageExpression', scope) } : {}),
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({ key: a.key, valueExpression: a.valueExpression, compiled: compilePolicyExpression(a.valueExpression, 'auditAnnotation', scope) })),
  };
  compiledPolicies.set(policy, c);
  return c;
}
