// What every node may do beyond what the Node authorizer decides per object: upstream's
// NodeRules(), the rules of the system:node ClusterRole (which upstream binds to nobody).
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { clusterRoles } from './bootstrap/cluster-roles.js';

export function nodeRules(): PolicyRule[] {
  const role = clusterRoles().find((r) => r.metadata?.name === 'system:node');
  if (!role?.rules) throw new Error('the bootstrap policy has no system:node role');
  return role.rules;
}
