// One evaluation of a compiled policy for one binding and one param (upstream's
// validating.validator): matchConditions first, then each validation with its message, then the
// audit annotations. Errors follow the policy's failurePolicy: under Fail they deny, under Ignore
// they admit (an audit annotation's error is then left out).
import type { ValidatingAdmissionPolicy } from 'kubernetes-types/admissionregistration/v1.js';
import { evaluatePolicyExpression, type CompiledExpression } from '../../../api/cel/admission-policy.js';
import { matchConditionsOutcome } from '../webhook/matching.js';
import type { CompiledPolicy } from './compiled-policy.js';

export interface PolicyDecision {
  action: 'admit' | 'deny';
  message: string;
  /** For a failed validation: its reason (default Invalid). Errors have none. */
  reason?: string;
  /** The validation's index (audit annotations name it). */
  index?: number;
}

export interface AuditAnnotationResult {
  key: string;
  /** Published value; undefined when left out. */
  value?: string;
  /** An evaluation error under failurePolicy Fail: the request is denied with it. */
  error?: string;
}

export interface ValidateResult {
  decisions: PolicyDecision[];
  auditAnnotations: AuditAnnotationResult[];
}

/** upstream celconfig.MaxEvaluatedMessageExpressionSizeBytes. */
const maxMessageBytes = 5 * 1024;

/**
 * `variables` for one activation: each composited variable is evaluated when an expression first
 * reads it, once, as upstream's lazy composition (a variable no expression reads never runs).
 */
function lazyVariables(compiled: CompiledPolicy, activation: Record<string, unknown>): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const v of compiled.variables) {
    let result: ReturnType<typeof evaluatePolicyExpression> | undefined;
    Object.defineProperty(vars, v.name, {
      enumerable: true,
      get() {
        if ('error' in v.compiled) throw new Error(`composited variable "${v.name}" fails to compile: ${v.compiled.error}`);
        result ??= evaluatePolicyExpression(v.compiled, v.expression, activation);
        if ('error' in result) throw new Error(`composited variable "${v.name}" fails to evaluate: ${result.error}`);
        return result.value;
      },
    });
  }
  return vars;
}

/** The activation's `variables` is added here; `base` has object, oldObject, request, namespaceObject and (with a paramKind) params. */
export function validatePolicy(policy: ValidatingAdmissionPolicy, compiled: CompiledPolicy, base: Record<string, unknown>): ValidateResult {
  const spec = policy.spec ?? {};
  const ignore = spec.failurePolicy === 'Ignore';
  const onError = (message: string): PolicyDecision => ({ action: ignore ? 'admit' : 'deny', message });
  const activation: Record<string, unknown> = { ...base };
  activation.variables = lazyVariables(compiled, activation);

  const matched = matchConditionsOutcome(compiled.matchConditions, activation, ignore);
  if ('error' in matched) return { decisions: [onError(matched.error)], auditAnnotations: [] };
  if (!matched.matched) return { decisions: [], auditAnnotations: [] };

  const decisions = compiled.validations.map(({ validation, compiled: c, message }, index): PolicyDecision => {
    const r = evaluatePolicyExpression(c, validation.expression, activation);
    if ('error' in r) return { ...onError(r.error), index };
    if (r.value === true) return { action: 'admit', message: '', index };
    return { action: 'deny', reason: validation.reason ?? 'Invalid', message: failureMessage(validation, message, activation), index };
  });

  const auditAnnotations = compiled.auditAnnotations.map((a): AuditAnnotationResult => {
    const r = evaluatePolicyExpression(a.compiled, a.valueExpression, activation);
    if ('error' in r) return ignore ? { key: a.key } : { key: a.key, error: r.error };
    const value = typeof r.value === 'string' ? r.value.trim() : '';
    return value ? { key: a.key, value } : { key: a.key };
  });
  return { decisions, auditAnnotations };
}

/**
 * The messageExpression's string when it gives a usable one (not empty, not over 5 KiB, one
 * line; its errors are only logged upstream), else the static message, else the expression.
 */
function failureMessage(validation: { expression: string; message?: string; messageExpression?: string }, message: CompiledExpression | undefined, activation: Record<string, unknown>): string {
  if (message && validation.messageExpression) {
    const r = evaluatePolicyExpression(message, validation.messageExpression, activation);
    if ('value' in r && typeof r.value === 'string') {
      const text = r.value.trim();
      if (text && Buffer.byteLength(text) <= maxMessageBytes && !text.includes('\n')) return text;
    }
  }
  const fixed = validation.message?.trim();
  return fixed || `failed expression: ${validation.expression.trim()}`;
}
