// Bearer tokens "<id>.<secret>" backed by bootstrap-token Secrets in kube-system (what
// `k8ts token create` makes and `k8ts agent --token` presents to join): user system:bootstrap:<id>,
// groups system:bootstrappers plus the Secret's auth-extra-groups. Secrets are read from the
// watch cache; a miss waits for the cache to catch up with storage once, so a token created a
// moment ago by another client works at once.
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { authenticateBootstrapToken } from '../../auth/bootstrap/authenticate.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { WatchCache } from '../watch-cache.js';
import type { TokenAuthenticator } from './authentication.js';

export function bootstrapTokenAuthenticator(cache: WatchCache, registry: ResourceRegistry, log?: Logger, now: () => number = Date.now): TokenAuthenticator {
  const secrets = registry.find('', 'v1', 'secrets')!;
  const get = (namespace: string, name: string) => cache.resourceFor(secrets.prefix).objects.get(`${secrets.prefix}${namespace}/${name}`) as Secret | undefined;
  const lookup = async (namespace: string, name: string) => {
    const hit = get(namespace, name);
    if (hit) return hit;
    await cache.syncToStore();
    return get(namespace, name);
  };
  return {
    async authenticate(token) {
      const result = await authenticateBootstrapToken(token, lookup, now());
      if ('user' in result) return { username: result.user.username, groups: [...result.user.groups, 'system:authenticated'] };
      if (result.rejected !== 'not a bootstrap token') log?.debug({ reason: result.rejected }, 'bootstrap token rejected');
      return undefined;
    },
  };
}
