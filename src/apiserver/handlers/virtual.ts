// Resources that are requests, not stored objects: access reviews answer with the authorizer's
// decision, selfsubjectreviews with the caller's identity, core bindings bind a pod, metrics.k8s.io
// reads the resource metrics scraped from the kubelets.
import type { KubeObject } from '../../api/object.js';
import { badRequest, invalid, methodNotAllowed, serviceUnavailable, StatusError } from '../../api/status.js';
import { invalid as invalidField } from '../../api/validation/field.js';
import type { FieldError } from '../../api/status.js';
import { aggregateText } from '../../api/status.js';
import { nodeIdentity } from '../../auth/node-identity.js';
import { writeJSON } from '../http/respond.js';
import type { UserInfo } from '../registry/context.js';
import type { ApiServer } from '../server.js';
import { negotiate } from '../http/negotiate.js';
import { printerOf, readObject, writeObject, type ResourceRequest } from './resource.js';
import { toTable } from './transform.js';
import { bindPod } from './subresources.js';
import { handleMetrics, METRICS_GROUP } from './metrics.js';
import { serviceAccountUser } from '../filters/serviceaccount-authenticator.js';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
}

/** Upstream's ValidateSubjectAccessReviewSpec (the user check only where the review names a subject). */
function validateReview(kind: string, spec: ReviewSpec, named: boolean): void {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) errs.push(invalidField('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  // Go prints the nil attributes as the string "null".
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) errs.push(invalidField('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (named && !spec.user && !spec.groups?.length) errs.push(invalidField('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  if (errs.length) throw invalid(kind, 'authorization.k8s.io', '', errs);
}

function review(api: ApiServer, user: UserInfo, spec: ReviewSpec): { allowed: boolean; reason?: string } {
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  const d = api.authorizer.authorize({
    user,
    verb: ra?.verb ?? nra?.verb ?? '',
    isResource: !!ra,
    group: ra?.group ?? '',
    resource: ra?.resource ?? '',
    subresource: ra?.subresource ?? '',
    namespace: ra?.namespace ?? '',
    name: ra?.name ?? '',
    path: nra?.path ?? '',
  });
  const reason = d.reason;
  return reason ? { allowed: d.allowed, reason } : { allowed: d.allowed };
}

/** SelfSubjectRulesReview: the RBAC rules bound to the user, as upstream lists them (not compacted). */
function rulesReview(api: ApiServer, user: UserInfo, namespace: string | undefined): Record<string, unknown> {
  if (!namespace) throw badRequest('no namespace on request');
  const resourceRules: Record<string, string[]>[] = [];
  const nonResourceRules: Record<string, string[]>[] = [];
  const errors: string[] = [];
  let incomplete = false;
  // The Node authorizer cannot list what a node may do (its answers depend on the object).
  if (api.authorization.nodeModeOn && nodeIdentity(user) !== undefined) {
    incomplete = true;
    errors.push('node authorizer does not support user rule resolution');
  }
  if (api.authorization.modes.includes('RBAC')) {
    const found = api.authorization.resolver.rulesFor(user, namespace);
    for (const r of found.rules) {
      if (r.resources?.length) resourceRules.push({ verbs: r.verbs, ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}), resources: r.resources, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) });
      if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    }
    if (found.errors.length) errors.push(aggregateText(found.errors));
  }
  if (api.authorization.modes.includes('AlwaysAllow')) {
    resourceRules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    nonResourceRules.push({ verbs: ['*'], nonResourceURLs: ['*'] });
  }
  return { resourceRules, nonResourceRules, incomplete, ...(errors.length ? { evaluationError: aggregateText(errors) } : {}) };
}

export async function handleVirtual(api: ApiServer, r: ResourceRequest): Promise<void> {
  const t = r.entry.type;
  const key = `${t.group}/${t.plural}`;
  if (key === '/componentstatuses') {
    if (r.info.verb !== 'list' && r.info.verb !== 'get') throw methodNotAllowed(r.info.verb, r.entry.gr);
    const etcd = { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'storage' }, conditions: [{ type: 'Healthy', status: api.cache.error ? 'False' : 'True', message: 'ok' }] };
    if (r.info.verb === 'get') {
      if (r.info.name !== 'storage') throw new StatusError(404, 'NotFound', `componentstatuses "${r.info.name}" not found`);
      return writeObject(r, 200, etcd);
    }
    // `kubectl get cs` asks for a Table: answer with the STATUS/MESSAGE/ERROR columns.
    const n = negotiate(r.req.headers.accept, true);
    if (n.form === 'table') return writeJSON(r.res, 200, toTable(printerOf(r.entry), [etcd], {}, n, { includeObject: r.query.get('includeObject') ?? 'Metadata', now: new Date() }));
    return writeJSON(r.res, 200, { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items: [etcd] });
  }
  if (t.group === METRICS_GROUP) return handleMetrics(api, r);
  if (r.info.verb !== 'create') throw methodNotAllowed(r.info.verb, r.entry.gr);
  const { obj } = await readObject(r);
  const out: KubeObject = { ...obj, metadata: { ...obj.metadata, creationTimestamp: null } as never };
  switch (key) {
    case 'authorization.k8s.io/selfsubjectaccessreviews':
      validateReview(t.kind, (obj.spec ?? {}) as ReviewSpec, false);
      out.status = review(api, r.user, obj.spec as ReviewSpec);
      break;
    case 'authorization.k8s.io/localsubjectaccessreviews':
    case 'authorization.k8s.io/subjectaccessreviews': {
      const spec = (obj.spec ?? {}) as ReviewSpec;
      validateReview(t.kind, spec, true);
      const subject: UserInfo = { username: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid };
      if (key.startsWith('authorization.k8s.io/local') && spec.resourceAttributes) spec.resourceAttributes.namespace = r.info.namespace;
      out.status = review(api, subject, spec);
      break;
    }
    case 'authorization.k8s.io/selfsubjectrulesreviews':
      out.status = rulesReview(api, r.user, (obj.spec as { namespace?: string } | undefined)?.namespace);
      break;
    case 'authentication.k8s.io/selfsubjectreviews':
      out.status = { userInfo: { username: r.user.username, groups: r.user.groups, ...(r.user.uid ? { uid: r.user.uid } : {}), ...(r.user.extra ? { extra: r.user.extra } : {}) } };
      break;
    case 'authentication.k8s.io/tokenreviews': {
      const spec = (obj.spec ?? {}) as { token?: string; audiences?: string[] };
      if (!api.serviceAccountAuth) throw serviceUnavailable('service account token validation is not configured on this server');
      const verified = spec.token ? await api.serviceAccountAuth.review(spec.token, spec.audiences) : undefined;
      out.status = verified
        ? { authenticated: true, user: serviceAccountUser(verified), audiences: spec.audiences?.length ? spec.audiences : verified.audiences }
        : { authenticated: false, error: 'invalid bearer token, token lookup failed', user: {} };
      break;
    }
    case '/bindings':
      return bindPod(api, r, obj.metadata?.name ?? '', obj);
    default:
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
  writeJSON(r.res, 201, out);
}
