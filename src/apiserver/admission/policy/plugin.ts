// The ValidatingAdmissionPolicy admission plugin (upstream:
// k8s.io/apiserver/pkg/admission/plugin/policy/validating), between the mutating and the
// validating webhooks as upstream orders them. Policies and bindings are read from the watch
// cache; each binding of a policy that matches the request is evaluated once per param, and its
// validationActions decide what a failed validation does: Deny refuses the request (the first
// denial in policy and binding name order is the answer), Warn adds a warning.
//
// matchPolicy Equivalent: a policy whose matchConstraints match another served version of the
// requested resource (match-resources.ts) is evaluated on the object and old object converted to
// that version, with `request.kind`/`resource` naming it and `requestKind`/`requestResource` the
// requested one, as upstream's versioned attributes; a conversion that fails is the policy's
// configuration error. Not done: upstream's newer check refusing a request that only an
// equivalent target's policies would have applied to (CheckAdmissionEquivalents).
//
// Audit: this server has no audit log, so validationActions Audit and auditAnnotations publish
// nothing; an auditAnnotation that fails to evaluate still denies under failurePolicy Fail, as
// upstream. Not offered in expressions: `authorizer`. No cost budget. status.typeChecking is not
// written (upstream's controller type-checks expressions against the matched kinds' schemas).
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import type { StoredObject } from '../../../api/object.js';
import { celLoaded, loadCEL } from '../../../api/cel/library.js';
import { celValue } from '../../../api/crd/cel-validation.js';
import { StatusError, type StatusReason } from '../../../api/status.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from '../admission.js';
import type { AdmissionDeps } from '../plugins.js';
import { admissionConfigurations } from '../configurations.js';
import type { ResourceEntry } from '../../registry/resource-entry.js';
import { equivalentEntries, requestToSend, type MatchedRequest } from '../webhook/equivalent.js';
import { celVariables } from '../webhook/matching.js';
import { webhookRequest } from '../webhook/plugin.js';
import type { WebhookRequest } from '../webhook/types.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { matchResources } from './match-resources.js';
import { collectParams, paramResource } from './params.js';
import { validatePolicy } from './validator.js';

type Policy = ValidatingAdmissionPolicy & StoredObject;
type Binding = ValidatingAdmissionPolicyBinding & StoredObject;

/** The policies' own resources are never subject to policies (no lock-out by a broken policy). */
const policyResources = new Set(['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);

interface Denial {
  policy: string;
  binding?: string;
  message: string;
  reason?: string;
}

export function validatingAdmissionPolicy(deps: AdmissionDeps): AdmissionPlugin {
  const policies = admissionConfigurations<Policy>(deps, 'validatingadmissionpolicies');
  const bindings = admissionConfigurations<Binding>(deps, 'validatingadmissionpolicybindings');
  return {
    name: 'ValidatingAdmissionPolicy',
    validate(a) {
      // A request with no binding at all costs two map sizes.
      if (bindings.size() === 0 || policies.size() === 0) return undefined;
      if (a.operation === 'CONNECT') return undefined;
      if (a.entry.type.group === 'admissionregistration.k8s.io' && policyResources.has(a.entry.type.plural)) return undefined;
      if (celLoaded()) return dispatch(a, deps, policies.all(), bindings.all());
      return loadCEL().then(() => dispatch(a, deps, policies.all(), bindings.all()));
    },
  };
}

/** One binding of a matching policy, to evaluate on the request as `matched` presents it. */
interface Invocation {
  policy: Policy;
  binding: Binding;
  compiled: CompiledPolicy;
  /** The policy's matchConstraints matched an equivalent version: evaluated with the objects converted to it. */
  matched?: Required<MatchedRequest>;
  params: ReturnType<typeof collectParams>;
}

/**
 * Selects the policies and bindings that apply (synchronously), then evaluates them in policy
 * and binding order. Only a policy matched through an equivalent version makes this
 * asynchronous: its objects are converted first (a CRD's conversion webhook may be called).
 */
function dispatch(a: AdmissionAttributes, deps: AdmissionDeps, policies: Policy[], bindings: Binding[]): void | Promise<void> {
  const byPolicy = new Map<string, Binding[]>();
  for (const b of bindings) {
    const name = b.spec?.policyName ?? '';
    const list = byPolicy.get(name);
    if (list) list.push(b);
    else byPolicy.set(name, [b]);
  }
  let request: WebhookRequest | undefined;
  const equivalents = equivalentEntries(deps.registry, a.entry, a.subresource);
  // Configuration errors and invocations, in the order their outcomes count.
  const steps: (Invocation | Denial)[] = [];
  for (const policy of policies) {
    const own = byPolicy.get(policy.metadata.name ?? '');
    if (!own) continue;
    const spec = policy.spec ?? {};
    request ??= webhookRequest(a, deps);
    const matched = matchResources(spec.matchConstraints, request, equivalents);
    if ('error' in matched) {
      pushConfigError(steps, policy, matched.error.message);
      continue;
    }
    if (!matched.matches) continue;
    const paramEntry = spec.paramKind ? paramResource(spec.paramKind, deps) : undefined;
    if (paramEntry && 'error' in paramEntry) {
      pushConfigError(steps, policy, paramEntry.error);
      continue;
    }
    const compiled = compilePolicy(policy);
    for (const binding of own) {
      // A binding's matchResources are judged on the request as it is (their own matchPolicy
      // counts), never change the version the policy matched.
      const bound = matchResources(binding.spec?.matchResources, request, equivalents);
      if ('error' in bound) {
        pushConfigError(steps, policy, bound.error.message, binding);
        continue;
      }
      if (!bound.matches) continue;
      const params = collectParams(spec.paramKind, paramEntry, binding.spec?.paramRef, a.namespace, deps);
      steps.push({ policy, binding, compiled, matched: matched.equivalent, params });
    }
  }
  if (!request) return;
  const requested = request;
  const versions = new Map<ResourceEntry, Required<MatchedRequest>>();
  for (const s of steps) if (isInvocation(s) && s.matched) versions.set(s.matched.entry, s.matched);
  if (versions.size === 0) return evaluate(a, deps, steps, requested, new Map());
  return Promise.all(
    [...versions].map(async ([entry, m]): Promise<[ResourceEntry, WebhookRequest | Error]> => {
      try {
        return [entry, await requestToSend(m, a.entry)];
      } catch (err) {
        return [entry, err as Error];
      }
    }),
  ).then((converted) => evaluate(a, deps, steps, requested, new Map(converted)));
}

/** A configuration error denies unless the policy's failurePolicy is Ignore. */
function pushConfigError(list: (Invocation | Denial)[] | Denial[], policy: Policy, message: string, binding?: Binding): void {
  if (policy.spec?.failurePolicy === 'Ignore') return;
  list.push({ policy: policy.metadata.name ?? '', binding: binding?.metadata.name, message: `failed to configure ${binding ? 'binding' : 'policy'}: ${message}` });
}

/** Each invocation once per param, on its version of the request; the first denial (configuration errors included) refuses. */
function evaluate(a: AdmissionAttributes, deps: AdmissionDeps, steps: (Invocation | Denial)[], requested: WebhookRequest, converted: Map<ResourceEntry, WebhookRequest | Error>): void {
  const denials: Denial[] = [];
  let nsObject: unknown;
  const bases = new Map<ResourceEntry | undefined, Record<string, unknown>>();
  const baseFor = (entry: ResourceEntry | undefined, req: WebhookRequest) => {
    let base = bases.get(entry);
    if (!base) {
      nsObject ??= celValue(namespaceObject(requested, deps));
      base = { ...celVariables(req), namespaceObject: nsObject };
      bases.set(entry, base);
    }
    return base;
  };
  for (const step of steps) {
    if (!isInvocation(step)) {
      denials.push(step);
      continue;
    }
    const { policy, binding, compiled, matched, params } = step;
    const version = matched ? converted.get(matched.entry)! : requested;
    if (version instanceof Error) {
      // Upstream's versioned attributes failing: the policy's configuration error.
      pushConfigError(denials, policy, version.message);
      continue;
    }
    if ('error' in params) {
      pushConfigError(denials, policy, params.error, binding);
      continue;
    }
    const base = baseFor(matched?.entry, version);
    const actions = binding.spec?.validationActions ?? [];
    const spec = policy.spec ?? {};
    for (const param of params.params) {
      const activation = spec.paramKind ? { ...base, params: celValue(param) } : base;
      const result = validatePolicy(policy, compiled, activation);
      for (const d of result.decisions) {
        if (d.action !== 'deny') continue;
        if (actions.includes('Deny')) denials.push({ policy: policy.metadata.name ?? '', binding: binding.metadata.name, message: d.message, reason: d.reason });
        if (actions.includes('Warn')) a.ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${d.message}`);
      }
      for (const annotation of result.auditAnnotations) {
        if (annotation.error) denials.push({ policy: policy.metadata.name ?? '', binding: binding.metadata.name, message: annotation.error });
      }
    }
  }
  if (denials.length) throw denialError(a, denials[0]);
}

const isInvocation = (s: Invocation | Denial): s is Invocation => typeof s.policy !== 'string';

/**
 * The request's Namespace as upstream's CreateNamespaceObject hands it to CEL: its metadata
 * without managedFields, owners or finalizers, its spec and status; null for cluster-scoped
 * requests and for a Namespace itself.
 */
function namespaceObject(req: WebhookRequest, deps: AdmissionDeps): unknown {
  if (!req.namespace || (req.group === '' && req.resource === 'namespaces')) return null;
  const entry = deps.registry.find('', 'v1', 'namespaces');
  const ns = entry && (deps.cache.resourceFor(entry.prefix).objects.get(`${entry.prefix}${req.namespace}`) as StoredObject | undefined);
  if (!ns) return null;
  const m = ns.metadata;
  const metadata = Object.fromEntries(
    Object.entries({
      name: m.name,
      generateName: m.generateName,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      generation: m.generation,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
      deletionGracePeriodSeconds: m.deletionGracePeriodSeconds,
      labels: m.labels,
      annotations: m.annotations,
    }).filter(([, v]) => v !== undefined),
  );
  return { metadata, spec: ns.spec ?? {}, status: ns.status ?? {} };
}

const reasonCodes: Record<string, number> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };

/**
 * Upstream's refusal: admission.NewForbidden's message and details, with the validation's reason
 * (default Invalid) and its HTTP code, and the message once more as a cause, e.g. 422
 * `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding
 * 'max-replicas-prod' denied request: failed expression: object.spec.replicas <= 5`.
 */
function denialError(a: AdmissionAttributes, d: Denial): StatusError {
  const message = d.binding
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const forbidden = admissionForbidden(a, message);
  const reason = (d.reason || 'Invalid') as StatusReason;
  return new StatusError(reasonCodes[reason] ?? 500, reason, forbidden.message, { ...forbidden.details, causes: [{ message }] });
}
