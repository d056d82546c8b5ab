// The ValidatingAdmissionPolicy admission plugin (upstream:
// k8s.io/apiserver/pkg/admission/plugin/policy/validating), between the mutating and the
// validating webhooks as upstream orders them. Policies and bindings are read from the watch
// cache; each binding of a policy that matches the request is evaluated once per param, and its
// validationActions decide what a failed validation does: Deny refuses the request (the first
// denial in policy and binding name order is the answer), Warn adds a warning.
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
import { celVariables } from '../webhook/matching.js';
import { webhookRequest } from '../webhook/plugin.js';
import type { WebhookRequest } from '../webhook/types.js';
import { compilePolicy } from './compiled-policy.js';
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

function dispatch(a: AdmissionAttributes, deps: AdmissionDeps, policies: Policy[], bindings: Binding[]): void {
  const byPolicy = new Map<string, Binding[]>();
  for (const b of bindings) {
    const name = b.spec?.policyName ?? '';
    const list = byPolicy.get(name);
    if (list) list.push(b);
    else byPolicy.set(name, [b]);
  }
  let request: WebhookRequest | undefined;
  let base: Record<string, unknown> | undefined;
  const denials: Denial[] = [];
  for (const policy of policies) {
    const own = byPolicy.get(policy.metadata.name ?? '');
    if (!own) continue;
    const spec = policy.spec ?? {};
    const configError = (message: string, binding?: Binding) => {
      if (spec.failurePolicy === 'Ignore') return;
      denials.push({ policy: policy.metadata.name ?? '', binding: binding?.metadata.name, message: `failed to configure ${binding ? 'binding' : 'policy'}: ${message}` });
    };
    request ??= webhookRequest(a, deps);
    const matched = matchResources(spec.matchConstraints, request);
    if ('error' in matched) {
      configError(matched.error.message);
      continue;
    }
    if (!matched.matches) continue;
    const paramEntry = spec.paramKind ? paramResource(spec.paramKind, deps) : undefined;
    if (paramEntry && 'error' in paramEntry) {
      configError(paramEntry.error);
      continue;
    }
    const compiled = compilePolicy(policy);
    base ??= activationBase(request, deps);
    for (const binding of own) {
      const bound = matchResources(binding.spec?.matchResources, request);
      if ('error' in bound) {
        configError(bound.error.message, binding);
        continue;
      }
      if (!bound.matches) continue;
      const params = collectParams(spec.paramKind, paramEntry, binding.spec?.paramRef, a.namespace, deps);
      if ('error' in params) {
        configError(params.error, binding);
        continue;
      }
      const actions = binding.spec?.validationActions ?? [];
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
  }
  if (denials.length) throw denialError(a, denials[0]);
}

/** What every evaluation of this request shares: object, oldObject, request and namespaceObject, as CEL values. */
function activationBase(req: WebhookRequest, deps: AdmissionDeps): Record<string, unknown> {
  return { ...celVariables(req), namespaceObject: celValue(namespaceObject(req, deps)) };
}

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
