// Impersonation (Impersonate-User, -Group, -Uid, -Extra-*), as upstream's impersonation filter:
// the requester must be allowed the `impersonate` verb on each thing it claims; the request then
// runs as the impersonated user with the groups upstream adds.
import { badRequest } from '../../api/status.js';
import type { Request } from '../http/body.js';
import type { UserInfo } from '../registry/context.js';
import { forbiddenError, type Authorizer } from './authorization.js';

function headerValues(req: Request, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : String(v).split(',')).map((s) => s.trim()).filter(Boolean);
}

/**
 * Whether the request carries any Impersonate-* header (most carry none: then nothing else is
 * read). The raw list is scanned where there is one: Node's header objects have no prototype and
 * are enumerated slowly, names in an array are not.
 */
function impersonates(req: Request): boolean {
  const raw = (req as { rawHeaders?: string[] }).rawHeaders;
  if (raw !== undefined) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      // HTTP/1.1 keeps the client's case in raw names: compare in lower case, the cheap test first.
      if (name.length >= 12 && (name.charCodeAt(0) | 0x20) === 0x69 && name.slice(0, 12).toLowerCase() === 'impersonate-') return true;
    }
    return false;
  }
  for (const name in req.headers) if (name.startsWith('impersonate-')) return true;
  return false;
}

export function impersonate(req: Request, requester: UserInfo, authorizer: Authorizer): UserInfo {
  if (!impersonates(req)) return requester;
  const users = headerValues(req, 'impersonate-user');
  const groups = headerValues(req, 'impersonate-group');
  const uid = headerValues(req, 'impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  // (Header names are scanned without Object.entries: no array of pairs on every request.)
  const headers = req.headers;
  for (const name in headers) {
    const value = headers[name];
    if (!name.startsWith('impersonate-extra-') || value === undefined) continue;
    const key = decodeURIComponent(name.slice('impersonate-extra-'.length));
    extra[key] = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',').map((s) => s.trim()));
  }
  if (!users.length) {
    if (groups.length || uid || Object.keys(extra).length) throw badRequest('requested impersonation of groups, uid or extra without impersonating a user');
    return requester;
  }
  if (users.length > 1) throw badRequest('only one Impersonate-User header is allowed');
  const username = users[0];
  // As upstream's filter: a service account is impersonated as that object in its namespace; an
  // extra's key is the userextras subresource.
  const check = (resource: string, name: string, group = '', namespace = '', subresource = '') => {
    const attrs = { user: requester, verb: 'impersonate', isResource: true, group, resource, subresource, namespace, name, path: '' };
    const d = authorizer.authorize(attrs);
    if (!d.allowed) throw forbiddenError(attrs, d.reason);
  };
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (sa) check('serviceaccounts', sa[2], '', sa[1]);
  else check('users', username);
  for (const g of groups) check('groups', g);
  if (uid) check('uids', uid, 'authentication.k8s.io');
  for (const [key, values] of Object.entries(extra)) for (const v of values) check('userextras', v, 'authentication.k8s.io', '', key);

  const all = [...groups];
  if (sa) all.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (username === 'system:anonymous') {
    if (!all.includes('system:unauthenticated')) all.push('system:unauthenticated');
  } else if (!all.includes('system:authenticated')) {
    all.push('system:authenticated');
  }
  return { username, groups: all, ...(uid ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
}
