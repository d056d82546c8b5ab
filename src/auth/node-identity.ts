// Which node a user is (upstream: pkg/auth/nodeidentifier): a user named system:node:<name> in
// group system:nodes. The Node authorizer and NodeRestriction admission both ask.
import { NODES_GROUP, NODE_USER_PREFIX } from './bootstrap/csr.js';

/** The node's name; undefined for a user that is not a node; '' for "system:node:" alone. */
export function nodeIdentity(user: { username: string; groups: string[] } | undefined): string | undefined {
  if (!user?.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}
