// The Node authorizer (upstream: plugin/pkg/auth/authorizer/node): a kubelet, authenticated as
// system:node:<name> in group system:nodes, may read the secrets, config maps, claims and volumes
// of the pods bound to its node, request tokens for their service accounts and keep its own
// lease; everything else it may do is the node rules (the system:node role's). Nodes are not
// subject to RBAC bindings for these: upstream binds the system:node role to nobody.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { rulesAllow } from '../../auth/rbac/rules.js';
import { nodeIdentity } from '../../auth/node-identity.js';
import type { AuthorizationAttributes, Authorizer, Decision } from '../filters/authorization.js';
import type { GraphObjectType, NodeGraph } from './node-graph.js';
import { selectsEqual } from './field-selector.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const allow: Decision = Object.freeze({ allowed: true, reason: '' });
const noOpinion: Decision = Object.freeze({ allowed: false, reason: '' });
const deny = (reason: string): Decision => ({ allowed: false, reason });

export function nodeAuthorizer(graph: NodeGraph, nodeRules: PolicyRule[]): Authorizer {
  const related = (node: string, type: GraphObjectType, a: AuthorizationAttributes): Decision => {
    if (!a.name) return deny('No Object name found');
    return graph.hasPath(node, type, a.namespace, a.name) ? allow : deny(`no relationship found between node '${node}' and this object`);
  };
  const readNamespaced = (node: string, type: GraphObjectType, a: AuthorizationAttributes): Decision => {
    if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return deny('can only read resources of this type');
    if (a.subresource) return deny('cannot read subresource');
    if (!a.namespace) return deny('can only read namespaced object of this type');
    return related(node, type, a);
  };
  const getOnly = (node: string, type: GraphObjectType, a: AuthorizationAttributes): Decision => {
    if (a.verb !== 'get') return deny('can only get individual resources of this type');
    if (a.subresource) return deny('cannot get subresource');
    return related(node, type, a);
  };
  const statusUpdate = (node: string, type: GraphObjectType, a: AuthorizationAttributes): Decision => {
    if (a.verb !== 'update' && a.verb !== 'patch') return deny('can only get/update/patch this type');
    return related(node, type, a);
  };
  const createToken = (node: string, a: AuthorizationAttributes): Decision => {
    if (a.verb !== 'create' || !a.name) return deny('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return deny('can only create token subresource of serviceaccount');
    return graph.hasPath(node, 'serviceaccounts', a.namespace, a.name) ? allow : deny(`no relationship found between node '${node}' and this object`);
  };
  // A node's lease and CSINode: named after the node. The name of a create is not known here:
  // NodeRestriction admission checks it.
  const ownVerbs = ['get', 'create', 'update', 'patch', 'delete'];
  const ownName = (node: string, a: AuthorizationAttributes, what: string): Decision =>
    a.verb !== 'create' && a.name !== node ? deny(`can only access ${what} with the same name as the requesting node`) : allow;

  // AuthorizeNodeWithSelectors (beta and on in 1.32): a node reads only its own Node, and lists
  // or watches only the pods bound to it.
  const nodes = (node: string, a: AuthorizationAttributes): Decision => {
    if (a.subresource === 'status') return a.verb === 'update' || a.verb === 'patch' ? allow : noOpinion;
    if (a.subresource) return noOpinion;
    // Creating and updating its Node: NodeRestriction admission checks which one.
    if (a.verb === 'create' || a.verb === 'update' || a.verb === 'patch') return allow;
    if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return noOpinion;
    if (a.name === node) return allow;
    return deny(a.name ? `node '${node}' cannot read '${a.name}', only its own Node object` : `node '${node}' cannot read all nodes, only its own Node object`);
  };
  const pods = (node: string, a: AuthorizationAttributes): Decision => {
    switch (a.subresource) {
      case '':
        if (a.verb === 'get') return getOnly(node, 'pods', a);
        if (a.verb === 'list' || a.verb === 'watch') {
          if (selectsEqual(a.fieldSelector, 'spec.nodeName', node)) return allow;
          if (a.name) return related(node, 'pods', a);
          return deny('can only list/watch pods with spec.nodeName field selector');
        }
        // Mirror pods: NodeRestriction admission limits them to the node's own.
        return a.verb === 'create' || a.verb === 'delete' ? allow : noOpinion;
      case 'status':
        return a.verb === 'update' || a.verb === 'patch' ? allow : noOpinion;
      case 'eviction':
        return a.verb === 'create' ? allow : noOpinion;
      default:
        return noOpinion;
    }
  };

  return {
    authorize(a) {
      const node = nodeIdentity(a.user);
      if (node === undefined) return noOpinion;
      if (!node) return deny(`unknown node for user ${JSON.stringify(a.user.username)}`);
      if (a.isResource) {
        switch (`${a.group}/${a.resource}`) {
          case '/secrets':
            return readNamespaced(node, 'secrets', a);
          case '/configmaps':
            return readNamespaced(node, 'configmaps', a);
          case '/persistentvolumeclaims':
            return a.subresource === 'status' ? statusUpdate(node, 'persistentvolumeclaims', a) : getOnly(node, 'persistentvolumeclaims', a);
          case '/persistentvolumes':
            return getOnly(node, 'persistentvolumes', a);
          case 'storage.k8s.io/volumeattachments':
            return getOnly(node, 'volumeattachments', a);
          case '/serviceaccounts':
            return createToken(node, a);
          case 'coordination.k8s.io/leases':
            if (!ownVerbs.includes(a.verb)) return deny('can only get, create, update, patch, or delete a node lease');
            if (a.namespace !== NODE_LEASE_NAMESPACE) return deny(`can only access leases in the ${JSON.stringify(NODE_LEASE_NAMESPACE)} system namespace`);
            return ownName(node, a, 'node lease');
          case '/nodes':
            return nodes(node, a);
          case '/pods':
            return pods(node, a);
          case 'storage.k8s.io/csinodes':
            if (!ownVerbs.includes(a.verb)) return deny('can only get, create, update, patch, or delete a CSINode');
            if (a.subresource) return deny('cannot authorize CSINode subresources');
            return ownName(node, a, 'CSINode');
        }
      }
      return rulesAllow(a, nodeRules) ? allow : noOpinion;
    },
  };
}
