// admissionregistration.k8s.io ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
// validation (upstream pkg/apis/admissionregistration/validation, 1.32), after defaulting and
// beside ObjectMeta (done by the caller). The rules of what a policy or binding matches live in
// admission-rules.ts; the compiling of CEL expressions in admission-expressions.ts.
import { byteLength, compileErrors, trimSpace, type ExpressionScope, type PolicyVariable } from './admission-expressions.js';
import { validateMatchResources } from './admission-rules.js';
import { asArray, asObject, asString, child, deepEqual, duplicate, forbidden, index, invalid, notSupported, required, tooMany, type Errors } from './field.js';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName, nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector } from './selector.js';

type Obj = Record<string, unknown>;

// Sorted where upstream passes a set; parameterNotFoundAction's list is upstream's literal order.
// Unauthorized is documented as a reason but refused by upstream's validation, as here.
const failurePolicies = ['Fail', 'Ignore'];
const reasons = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const validationActions = ['Audit', 'Deny', 'Warn'];
const notFoundActions = ['Deny', 'Allow'];

const maxMatchConditions = 64;
const maxAuditAnnotations = 20;
// Less than the 10 KiB an audit annotation's value may have: concatenation makes values longer than their expressions.
const maxValueExpressionBytes = 5 * 1024;

const isSet = (v: unknown) => v !== undefined && v !== null;
const blank = (s: string) => trimSpace(s) === '';

const celReserved = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const isCELIdentifier = (name: string) => /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(name) && !celReserved.has(name);

/** paramKind.apiVersion is "group/version" or "version"; its parts are checked as an APIService's are. */
function validateParamKind(kind: Obj, path: string): Errors {
  const errs: Errors = [];
  const apiVersion = asString(kind.apiVersion);
  const versionPath = child(path, 'apiVersion');
  const slashes = apiVersion.split('/').length - 1;
  if (apiVersion === '') errs.push(required(versionPath));
  else if (slashes > 1) errs.push(invalid(versionPath, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
  else {
    const [group, version] = apiVersion === '/' ? ['', ''] : slashes === 0 ? ['', apiVersion] : apiVersion.split('/');
    const groupMsgs = group ? isDNS1123Subdomain(group) : [];
    if (groupMsgs.length) errs.push(invalid(versionPath, group, groupMsgs.join(',')));
    const versionMsgs = version ? isDNS1035Label(version) : [];
    if (!version) errs.push(invalid(versionPath, apiVersion, 'version must be specified'));
    else if (versionMsgs.length) errs.push(invalid(versionPath, version, versionMsgs.join(',')));
  }
  const k = asString(kind.kind);
  const kindMsgs = isDNS1035Label(k.toLowerCase());
  if (k === '') errs.push(required(child(path, 'kind')));
  else if (kindMsgs.length) errs.push(invalid(child(path, 'kind'), k, `may have mixed case, but should otherwise match: ${kindMsgs.join(',')}`));
  return errs;
}

/** Match conditions see params when the policy has a paramKind, but never its variables. */
function validateMatchConditions(list: unknown, params: boolean, path: string): Errors {
  const conditions = asArray(list);
  const errs: Errors = conditions.length > maxMatchConditions ? [tooMany(path, conditions.length, maxMatchConditions)] : [];
  const names = new Set<string>();
  conditions.forEach((raw, i) => {
    const c = asObject(raw);
    const at = index(path, i);
    const expression = trimSpace(asString(c.expression));
    if (expression === '') errs.push(required(child(at, 'expression')));
    else errs.push(...compileErrors(child(at, 'expression'), expression, 'matchCondition', { params, variables: [] }));
    const name = asString(c.name);
    if (name === '') errs.push(required(child(at, 'name')));
    else for (const msg of isQualifiedName(name)) errs.push(invalid(child(at, 'name'), name, msg));
    if (name !== '' && names.has(name)) errs.push(duplicate(child(at, 'name'), name));
    names.add(name);
  });
  return errs;
}

/**
 * Variables compile in order, each seeing those before it. Upstream does not refuse two with one
 * name (the later one wins). `declared` is what the policy's other expressions can see.
 */
function validateVariables(list: unknown, params: boolean, path: string): { errs: Errors; declared: PolicyVariable[] } {
  const errs: Errors = [];
  const declared: PolicyVariable[] = [];
  asArray(list).forEach((raw, i) => {
    const v = asObject(raw);
    const at = index(path, i);
    const name = asString(v.name);
    const expression = asString(v.expression);
    if (blank(name)) errs.push(required(child(at, 'name'), 'name is not specified'));
    else if (!isCELIdentifier(name)) errs.push(invalid(child(at, 'name'), name, 'name is not a valid CEL identifier'));
    if (blank(expression)) {
      errs.push(required(child(at, 'expression'), 'expression is not specified'));
      return;
    }
    errs.push(...compileErrors(child(at, 'expression'), expression, 'variable', { params, variables: declared.slice() }));
    // A name no expression could spell as variables.<name> is left out of the scope.
    if (isCELIdentifier(name)) declared.push({ name, expression });
  });
  return { errs, declared };
}

function validateValidation(v: Obj, scope: ExpressionScope, path: string): Errors {
  const errs: Errors = [];
  const expression = asString(v.expression);
  if (blank(expression)) errs.push(required(child(path, 'expression'), 'expression is not specified'));
  else errs.push(...compileErrors(child(path, 'expression'), expression, 'validation', scope));
  // Compiled as written, so that the compiler's columns point into what the client sent.
  const messageExpression = asString(v.messageExpression);
  if (messageExpression !== '' && blank(messageExpression)) errs.push(invalid(child(path, 'messageExpression'), messageExpression, 'must be non-empty if specified'));
  else if (messageExpression !== '') errs.push(...compileErrors(child(path, 'messageExpression'), messageExpression, 'messageExpression', scope));
  const message = asString(v.message);
  if (message !== '' && blank(message)) errs.push(invalid(child(path, 'message'), message, 'message must be non-empty if specified'));
  else if (/[\n\r]/.test(trimSpace(message))) errs.push(invalid(child(path, 'message'), message, 'message must not contain line breaks'));
  if (isSet(v.reason) && !reasons.includes(asString(v.reason))) errs.push(notSupported(child(path, 'reason'), v.reason, reasons));
  return errs;
}

function validateAuditAnnotation(a: Obj, policyName: string, scope: ExpressionScope, path: string): Errors {
  const errs: Errors = [];
  const key = asString(a.key);
  // The key becomes "<policy name>/<key>" in the audit event, which must be a qualified name.
  const qualified = `${policyName}/${key}`;
  if (policyName === '') errs.push(invalid(child(path, 'key'), key, 'requires metadata.name be non-empty'));
  else for (const msg of isQualifiedName(qualified)) errs.push(invalid(child(path, 'key'), qualified, msg));
  const written = asString(a.valueExpression);
  const expression = trimSpace(written);
  const at = child(path, 'valueExpression');
  if (expression === '') errs.push(required(at, 'valueExpression is not specified'));
  else if (byteLength(expression) > maxValueExpressionBytes) errs.push(required(at, `must not exceed ${maxValueExpressionBytes} bytes in length`));
  else errs.push(...compileErrors(at, expression, 'auditAnnotation', scope, written));
  return errs;
}

function validatePolicySpec(policy: Obj, checkMatchConditions: boolean): Errors {
  const spec = asObject(policy.spec);
  const path = 'spec';
  const errs: Errors = [];
  if (!isSet(spec.failurePolicy)) errs.push(required(child(path, 'failurePolicy')));
  else if (!failurePolicies.includes(asString(spec.failurePolicy))) errs.push(notSupported(child(path, 'failurePolicy'), spec.failurePolicy, failurePolicies));
  const params = isSet(spec.paramKind);
  if (params) errs.push(...validateParamKind(asObject(spec.paramKind), child(path, 'paramKind')));
  if (!isSet(spec.matchConstraints)) errs.push(required(child(path, 'matchConstraints')));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, child(path, 'matchConstraints')));
    // A policy must name at least one resource: its rules are what type-checking works from.
    if (asArray(asObject(spec.matchConstraints).resourceRules).length === 0) errs.push(required(child(path, 'matchConstraints', 'resourceRules')));
  }
  if (checkMatchConditions) errs.push(...validateMatchConditions(spec.matchConditions, params, child(path, 'matchConditions')));
  const variables = validateVariables(spec.variables, params, child(path, 'variables'));
  errs.push(...variables.errs);
  const scope: ExpressionScope = { params, variables: variables.declared };
  const validations = asArray(spec.validations);
  const annotations = asArray(spec.auditAnnotations);
  if (validations.length === 0 && annotations.length === 0) {
    const detail = 'validations or auditAnnotations must contain at least one item';
    errs.push(required(child(path, 'validations'), detail), required(child(path, 'auditAnnotations'), detail));
    return errs;
  }
  validations.forEach((v, i) => errs.push(...validateValidation(asObject(v), scope, index(child(path, 'validations'), i))));
  if (annotations.length > maxAuditAnnotations) errs.push(invalid(child(path, 'auditAnnotations'), annotations, `must not have more than ${maxAuditAnnotations} auditAnnotations`));
  const policyName = asString(asObject(policy.metadata).name);
  const keys = new Set<string>();
  annotations.forEach((raw, i) => {
    const a = asObject(raw);
    const at = index(child(path, 'auditAnnotations'), i);
    errs.push(...validateAuditAnnotation(a, policyName, scope, at));
    const key = asString(a.key);
    if (keys.has(key)) errs.push(duplicate(child(at, 'key'), key));
    keys.add(key);
  });
  return errs;
}

export function validateValidatingAdmissionPolicy(policy: Obj): Errors {
  return validatePolicySpec(policy, true);
}

/**
 * On update the match conditions are checked only if they, or the paramKind they may read,
 * changed: conditions stored under older rules stay writable.
 */
export function validateValidatingAdmissionPolicyUpdate(policy: Obj, old: Obj): Errors {
  const spec = asObject(policy.spec);
  const oldSpec = asObject(old.spec);
  const unchanged = deepEqual(spec.paramKind, oldSpec.paramKind) && deepEqual(spec.matchConditions, oldSpec.matchConditions);
  return validatePolicySpec(policy, !unchanged);
}

function validateParamRef(value: unknown, path: string): Errors {
  if (!isSet(value)) return [];
  const ref = asObject(value);
  const errs: Errors = [];
  const name = asString(ref.name);
  const hasSelector = isSet(ref.selector);
  const exclusive = 'name and selector are mutually exclusive';
  if (name !== '') {
    for (const msg of isValidPathSegmentName(name)) errs.push(invalid(child(path, 'name'), name, msg));
    if (hasSelector) errs.push(forbidden(child(path, 'name'), exclusive));
  }
  if (hasSelector) {
    errs.push(...validateLabelSelector(ref.selector, child(path, 'selector')));
    if (name !== '') errs.push(forbidden(child(path, 'selector'), exclusive));
  }
  if (name === '' && !hasSelector) errs.push(required(path, 'one of name or selector must be specified'));
  const action = asString(ref.parameterNotFoundAction);
  if (action === '') errs.push(required(child(path, 'parameterNotFoundAction')));
  else if (!notFoundActions.includes(action)) errs.push(notSupported(child(path, 'parameterNotFoundAction'), ref.parameterNotFoundAction, notFoundActions));
  return errs;
}

function validateValidationActions(value: unknown, path: string): Errors {
  const actions = asArray(value).map(asString);
  const errs: Errors = [];
  const seen = new Set<string>();
  actions.forEach((action, i) => {
    if (!validationActions.includes(action)) errs.push(notSupported(index(path, i), action, validationActions));
    if (seen.has(action)) errs.push(duplicate(index(path, i), action));
    seen.add(action);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(invalid(path, actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) errs.push(required(path, 'at least one validation action is required'));
  return errs;
}

/** The same rules on create and update: a binding keeps no state that older rules admitted. */
export function validateValidatingAdmissionPolicyBinding(binding: Obj): Errors {
  const spec = asObject(binding.spec);
  const errs: Errors = [];
  const policyName = asString(spec.policyName);
  if (policyName === '') errs.push(required('spec.policyName'));
  else for (const msg of nameIsDNSSubdomain(policyName, false)) errs.push(invalid('spec.policyName', policyName, msg));
  errs.push(...validateParamRef(spec.paramRef, 'spec.paramRef'));
  if (isSet(spec.matchResources)) errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResources'));
  errs.push(...validateValidationActions(spec.validationActions, 'spec.validationActions'));
  return errs;
}
