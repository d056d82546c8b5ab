// Bearer tokens signed by this cluster's service account key: valid while the account (and the
// object the token is bound to) still exists with the same uid, as upstream's legacy-less
// bound-token validation does.
import type { ServiceAccountTokens, VerifiedToken } from '../../auth/serviceaccount/tokens.js';
import type { UserInfo } from '../registry/context.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { WatchCache } from '../watch-cache.js';
import type { TokenAuthenticator } from './authentication.js';

export function serviceAccountUser(t: VerifiedToken): UserInfo {
  const extra: Record<string, string[]> = {};
  if (t.boundObject?.kind === 'Pod') {
    extra['authentication.kubernetes.io/pod-name'] = [t.boundObject.name];
    extra['authentication.kubernetes.io/pod-uid'] = [t.boundObject.uid];
  }
  return {
    username: `system:serviceaccount:${t.namespace}:${t.serviceAccountName}`,
    uid: t.serviceAccountUID,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${t.namespace}`, 'system:authenticated'],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

export function serviceAccountAuthenticator(tokens: ServiceAccountTokens, cache: WatchCache, registry: ResourceRegistry): TokenAuthenticator & { review(token: string, audiences?: string[]): Promise<VerifiedToken | undefined> } {
  const accounts = registry.find('', 'v1', 'serviceaccounts')!;
  const pods = registry.find('', 'v1', 'pods')!;
  const secrets = registry.find('', 'v1', 'secrets')!;
  const nodes = registry.find('', 'v1', 'nodes')!;
  const live = (prefix: string, key: string, uid: string) => cache.resourceFor(prefix).objects.get(key)?.metadata.uid === uid;
  const review = async (token: string, audiences?: string[]) => {
    const t = await tokens.verify(token, audiences);
    if (!t) return undefined;
    if (!live(accounts.prefix, `${accounts.prefix}${t.namespace}/${t.serviceAccountName}`, t.serviceAccountUID)) return undefined;
    const b = t.boundObject;
    if (b) {
      const entry = b.kind === 'Pod' ? pods : b.kind === 'Secret' ? secrets : nodes;
      const key = b.kind === 'Node' ? `${entry.prefix}${b.name}` : `${entry.prefix}${t.namespace}/${b.name}`;
      if (!live(entry.prefix, key, b.uid)) return undefined;
    }
    return t;
  };
  return {
    review,
    async authenticate(token) {
      if (token.split('.').length !== 3) return undefined;
      const t = await review(token, [tokens.issuer]);
      return t ? serviceAccountUser(t) : undefined;
    },
  };
}
