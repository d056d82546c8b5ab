// Authorization. Until RBAC is enforced (a later issue), every authenticated user may do
// everything and anonymous users may read only what upstream's system:public-info-viewer and
// system:discovery roles allow: health, version and discovery.
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
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Authorizer {
  authorize(a: AuthorizationAttributes): Decision;
}

const publicPaths = [/^\/(healthz|livez|readyz)(\/.*)?$/, /^\/version\/?$/];

// Decisions are only read: one object each, not one per request.
const authenticatedMayDoEverything: Decision = Object.freeze({ allowed: true, reason: 'authenticated users may do everything until RBAC is enforced' });
const publicInfo: Decision = Object.freeze({ allowed: true, reason: 'public info' });
const denied: Decision = Object.freeze({ allowed: false, reason: '' });

export const authenticatedAuthorizer: Authorizer = {
  authorize(a) {
    if (a.user.groups.includes('system:authenticated')) return authenticatedMayDoEverything;
    if (!a.isResource && publicPaths.some((p) => p.test(a.path))) return publicInfo;
    return denied;
  },
};

/** Upstream's forbidden message, e.g. pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "default" */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  if (!a.isResource) return `forbidden: User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name ? `${res} "${a.name}"` : res;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${a.user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}`;
}
