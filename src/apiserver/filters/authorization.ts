// Authorization: may this user do this? The authorizers of `--authorization-mode` are asked in
// order, as upstream's union authorizer asks them: the first that allows decides; one that has no
// opinion passes the request on, with its reason kept for the forbidden message. Members of
// system:masters are allowed before any of them is asked (upstream's privileged-groups
// authorizer), which is also what keeps an administrator's requests cheap.
import { StatusError } from '../../api/status.js';
import type { UserInfo } from '../registry/context.js';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResource: boolean;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
  /** A list or watch's field selector, as sent (the Node authorizer reads spec.nodeName from it). */
  fieldSelector?: string;
}

export interface Decision {
  allowed: boolean;
  /** Why: the allowing rule, or what an authorizer that had no opinion found. */
  reason: string;
}

export interface Authorizer {
  authorize(a: AuthorizationAttributes): Decision;
}

export const SYSTEM_MASTERS = 'system:masters';

// Decisions are only read: one object each, not one per request.
const privileged: Decision = Object.freeze({ allowed: true, reason: '' });
const alwaysAllowed: Decision = Object.freeze({ allowed: true, reason: '' });
const noOpinion: Decision = Object.freeze({ allowed: false, reason: '' });

export const alwaysAllowAuthorizer: Authorizer = { authorize: () => alwaysAllowed };
export const alwaysDenyAuthorizer: Authorizer = { authorize: () => ({ allowed: false, reason: 'Everything is forbidden.' }) };

export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  return {
    authorize(a) {
      if (a.user.groups.includes(SYSTEM_MASTERS)) return privileged;
      let reasons: string[] | undefined;
      for (const authz of authorizers) {
        const d = authz.authorize(a);
        if (d.allowed) return d;
        if (d.reason) (reasons ??= []).push(d.reason);
      }
      return reasons ? { allowed: false, reason: reasons.join('\n') } : noOpinion;
    },
  };
}

/** Upstream's forbidden message, e.g. User "x" cannot list resource "pods" in API group "" in the namespace "default" */
function forbiddenMessage(a: AuthorizationAttributes): string {
  if (!a.isResource) return `User ${JSON.stringify(a.user.username)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${JSON.stringify(a.user.username)} cannot ${a.verb} resource ${JSON.stringify(res)} in API group ${JSON.stringify(a.group)} ${scope}`;
}

/** The 403 upstream answers a refused request with: `pods "x" is forbidden: User … cannot …[: reason]`. */
export function forbiddenError(a: AuthorizationAttributes, reason: string): StatusError {
  const err = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResource || !a.resource) return new StatusError(403, 'Forbidden', `forbidden: ${err}`, {});
  const gr = a.group ? `${a.resource}.${a.group}` : a.resource;
  const message = a.name ? `${gr} ${JSON.stringify(a.name)} is forbidden: ${err}` : `${gr} is forbidden: ${err}`;
  return new StatusError(403, 'Forbidden', message, { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource });
}
