// `--authorization-mode`: the authorizers a request is asked, in order (kube-apiserver's modes;
// k8ts defaults to Node,RBAC as kubeadm, kind and k3s configure theirs).
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { alwaysAllowAuthorizer, alwaysDenyAuthorizer, unionAuthorizer, type Authorizer } from '../filters/authorization.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { WatchCache } from '../watch-cache.js';
import { NodeGraph } from './node-graph.js';
import { nodeAuthorizer } from './node-authorizer.js';
import { rbacAuthorizer } from './rbac-authorizer.js';
import { RuleResolver } from './rule-resolver.js';

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];
export const DEFAULT_AUTHORIZATION_MODES: AuthorizationMode[] = ['Node', 'RBAC'];

/** Checks a `--authorization-mode` list as kube-apiserver does; returns the modes. */
export function parseAuthorizationModes(modes: string[]): AuthorizationMode[] {
  if (modes.length === 0) throw new Error('at least one authorization-mode must be passed');
  const seen = new Set<string>();
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) throw new Error(`authorization-mode ${JSON.stringify(m)} is not a valid mode`);
    if (seen.has(m)) throw new Error(`authorization-mode ${JSON.stringify(m)} has mode specified more than once`);
    seen.add(m);
  }
  return modes as AuthorizationMode[];
}

export interface Authorization {
  authorizer: Authorizer;
  /** The rules bound to a user: RBAC's own, used for escalation checks and rules reviews. */
  resolver: RuleResolver;
  modes: AuthorizationMode[];
  /** Whether rules reviews can list everything a user may do (not for nodes under Node mode). */
  nodeModeOn: boolean;
  stop(): void;
}

export function buildAuthorization(modes: AuthorizationMode[], cache: WatchCache, registry: ResourceRegistry, nodeRules: PolicyRule[]): Authorization {
  const resolver = new RuleResolver(cache, registry);
  let graph: NodeGraph | undefined;
  const chain = modes.map((m): Authorizer => {
    switch (m) {
      case 'AlwaysAllow':
        return alwaysAllowAuthorizer;
      case 'AlwaysDeny':
        return alwaysDenyAuthorizer;
      case 'Node':
        graph = new NodeGraph(cache, registry);
        return nodeAuthorizer(graph, nodeRules);
      case 'RBAC':
        return rbacAuthorizer(resolver);
    }
  });
  return {
    authorizer: unionAuthorizer(chain),
    resolver,
    modes,
    nodeModeOn: graph !== undefined,
    stop: () => graph?.stop(),
  };
}
