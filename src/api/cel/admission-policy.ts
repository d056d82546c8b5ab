// CEL for admission: the variables upstream declares for ValidatingAdmissionPolicy expressions
// (k8s.io/apiserver/pkg/admission/plugin/cel) and the return type each kind of expression must
// have. `object`, `oldObject`, `params` and `namespaceObject` are dyn; `request` is typed as
// upstream's AdmissionRequest; `variables` has one field per composited variable, typed as its
// expression compiles (so a bool variable can be a validation on its own, as upstream allows).
// `params` exists only when the policy has a paramKind: otherwise naming it does not compile.
// The Kubernetes extension libraries (src/api/cel/k8s) are there, as in kube-apiserver's base
// environment. Not offered: `authorizer` (an expression naming it does not compile here) and the
// cost budget. Compile errors carry the CEL library's wording, not cel-go's.
import type { Environment } from '@marcbachmann/cel-js';
import { boundedMemo } from '../bounded-memo.js';
import { cel, celErrorLine, celEvaluationError } from './library.js';
import { registerKubernetesLibraries } from './k8s/index.js';

export type PolicyExpressionKind = 'validation' | 'messageExpression' | 'matchCondition' | 'variable' | 'auditAnnotation';

/** The types each kind may evaluate to (undefined: any), as upstream's ReturnTypes. */
const returnTypes: Record<PolicyExpressionKind, readonly string[] | undefined> = {
  validation: ['bool'],
  matchCondition: ['bool'],
  messageExpression: ['string'],
  auditAnnotation: ['string', 'null'],
  variable: undefined,
};

/** How cel-go prints a type: null is null_type. */
const goTypeName = (t: string): string => (t === 'null' ? 'null_type' : t);

const gvk = { group: 'string', version: 'string', kind: 'string' };
const gvr = { group: 'string', version: 'string', resource: 'string' };

/** upstream's AdmissionRequest as CEL sees it (webhook matchConditions and policies alike). */
export const admissionRequestSchema = {
  kind: gvk,
  resource: gvr,
  subResource: 'string',
  requestKind: gvk,
  requestResource: gvr,
  requestSubResource: 'string',
  name: 'string',
  namespace: 'string',
  operation: 'string',
  userInfo: { username: 'string', uid: 'string', groups: 'list<string>', extra: 'map<string, list<string>>' },
  dryRun: 'bool',
  options: 'dyn',
};

type VariableDeclaration = Parameters<Environment['registerVariable']>[0];

// The environment with the Kubernetes libraries, made once: each scope's environment is a clone
// of it (cloning shares the registrations; registering them again per scope would cost more).
let libraries: Environment | undefined;
const librariesEnvironment = (): Environment =>
  (libraries ??= registerKubernetesLibraries(new (cel().Environment)({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false, enableOptionalTypes: true })));

/** A new environment with the Kubernetes libraries, `object`, `oldObject` and `request`. */
function admissionEnvironment(): Environment {
  return librariesEnvironment()
    .clone()
    .registerVariable('object', 'dyn')
    .registerVariable('oldObject', 'dyn')
    .registerVariable({ name: 'request', schema: admissionRequestSchema } as unknown as VariableDeclaration);
}

/** A variable as composited so far: its name and the type its expression compiled to. */
export interface TypedVariable {
  name: string;
  type: string;
}

/** What an expression of a policy can see besides object, oldObject, request and namespaceObject. */
export interface PolicyScope {
  params: boolean;
  /** The variables declared before this expression (for a variable) or all of them, typed. */
  variables: readonly TypedVariable[];
}

// Types cel-js accepts back in a schema; anything it prints otherwise is declared dyn.
const schemaType = (t: string) => (/^(bool|int|uint|double|string|bytes|null|dyn|list<[a-z<>, ]+>|map<[a-z<>, ]+>)$/.test(t) ? t : 'dyn');

const scopeKey = (s: PolicyScope) => `${s.params ? 'p' : ''}|${s.variables.map((v) => `${v.name}:${v.type}`).join(',')}`;

const environmentFor = boundedMemo(256, (key: string): Environment => {
  const [params, vars] = key.split('|');
  let env = admissionEnvironment().registerVariable('namespaceObject', 'dyn');
  if (params) env = env.registerVariable('params', 'dyn');
  const schema: Record<string, string> = {};
  for (const v of vars ? vars.split(',') : []) {
    const colon = v.indexOf(':');
    schema[v.slice(0, colon)] = schemaType(v.slice(colon + 1));
  }
  return env.registerVariable({ name: 'variables', schema } as unknown as VariableDeclaration);
});

export type PolicyProgram = (activation: Record<string, unknown>) => unknown;

export type CompiledExpression = { program: PolicyProgram; type: string } | { error: string };

const compiled = boundedMemo(2048, (key: string): CompiledExpression => {
  const nul = key.indexOf('\0');
  const second = key.indexOf('\0', nul + 1);
  const kind = key.slice(0, nul) as PolicyExpressionKind;
  const env = environmentFor(key.slice(nul + 1, second));
  const expression = key.slice(second + 1);
  try {
    const parsed = env.parse(expression);
    const checked = (parsed as unknown as { check(): { valid: boolean; error?: unknown; type?: string } }).check();
    if (!checked.valid) return { error: `compilation failed: ${celErrorLine(checked.error)}` };
    const type = checked.type ?? 'dyn';
    const allowed = returnTypes[kind];
    if (allowed && !allowed.includes(type)) {
      // Kubernetes 1.32's wording (later versions add "but got <type>").
      return { error: allowed.length === 1 ? `must evaluate to ${goTypeName(allowed[0])}` : `must evaluate to one of [${allowed.map(goTypeName).join(' ')}]` };
    }
    return { program: parsed as unknown as PolicyProgram, type };
  } catch (err) {
    return { error: `compilation failed: ${celErrorLine(err)}` };
  }
});

/** Compiles one expression of a policy (remembered by its text, kind and scope). Needs loadCEL(). */
export function compilePolicyExpression(expression: string, kind: PolicyExpressionKind, scope: PolicyScope): CompiledExpression {
  return compiled(`${kind}\0${scopeKey(scope)}\0${expression}`);
}

/**
 * Runs a compiled expression; a failure comes back with upstream's wording: "compilation error:
 * …" for one that did not compile, "expression '…' resulted in error: …" for one that failed.
 */
export function evaluatePolicyExpression(c: CompiledExpression, expression: string, activation: Record<string, unknown>): { value: unknown } | { error: string } {
  if ('error' in c) return { error: `compilation error: ${c.error}` };
  try {
    return { value: c.program(activation) };
  } catch (err) {
    return { error: `expression '${expression}' resulted in error: ${celEvaluationError(err)}` };
  }
}

/** A variable of a policy with its compiled expression. */
export interface CompiledVariable {
  name: string;
  expression: string;
  compiled: CompiledExpression;
}

/**
 * The variables of a policy compiled in order, each seeing those before it, as upstream
 * composites them (a variable that does not compile is declared dyn for the ones after it), and
 * the typed scope they give the policy's other expressions.
 */
export function compileVariables(variables: readonly { name: string; expression: string }[], params: boolean): { variables: CompiledVariable[]; scope: PolicyScope } {
  const typed: TypedVariable[] = [];
  const compiled = variables.map((v) => {
    const result = compilePolicyExpression(v.expression, 'variable', { params, variables: typed.slice() });
    typed.push({ name: v.name, type: 'type' in result ? result.type : 'dyn' });
    return { name: v.name, expression: v.expression, compiled: result };
  });
  return { variables: compiled, scope: { params, variables: typed } };
}

/**
 * The compile error of an expression for API validation (undefined when it compiles). `variables`
 * are those the expression may use: names alone are declared dyn; with their expressions, typed.
 * Needs loadCEL().
 */
export function policyExpressionError(
  expression: string,
  kind: PolicyExpressionKind,
  env: { params: boolean; variables: readonly string[] | readonly { name: string; expression: string }[] },
): string | undefined {
  const vars = env.variables as readonly (string | { name: string; expression: string })[];
  const scope: PolicyScope = vars.every((v) => typeof v === 'string')
    ? { params: env.params, variables: (vars as string[]).map((name) => ({ name, type: 'dyn' })) }
    : compileVariables(vars as { name: string; expression: string }[], env.params).scope;
  const result = compilePolicyExpression(expression, kind, scope);
  return 'error' in result ? result.error : undefined;
}
