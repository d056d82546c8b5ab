// Writing a node's taints as upstream's AddOrUpdateTaintOnNode and RemoveTaintOffNode do: from the
// freshest copy at hand first, and after a 409 Conflict again from a fresh GET, up to 5 tries
// 100 ms apart plus up to 100 % jitter (UpdateTaintBackoff). The node agent writes its status
// often, above all right after it registers, so a taint write racing it is normal: it costs a
// retry, not an error in the log and a trip through the work queue's backoff.
import { setTimeout as delay } from 'node:timers/promises';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../client/rest/errors.js';
import { retryOnConflict } from '../../client/retry.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../api/object.js';

/** upstream UpdateTaintBackoff: Steps 5, Duration 100 ms, Jitter 1.0. */
const maxTries = 5;
const retryDelayMs = 100;

export interface UpdateTaintsOptions {
  /** Wait before a retry (default: 100 ms plus up to 100 % jitter, on real time). */
  backoff?: () => Promise<unknown>;
}

/**
 * Sets the taints `taintsFor` asks of `node` (undefined: nothing to change). Returns the node as
 * written, `node` itself when nothing had to change, or undefined once the node is gone.
 */
export async function updateNodeTaints<N extends KubeObject>(
  nodes: ResourceClient<N>,
  node: Node,
  taintsFor: (n: Node) => Taint[] | undefined,
  opts: UpdateTaintsOptions = {},
): Promise<Node | undefined> {
  const wait = opts.backoff ?? (() => delay(retryDelayMs * (1 + Math.random())));
  let current = node;
  return retryOnConflict({ steps: maxTries, wait }, async (attempt) => {
    try {
      if (attempt > 0) current = (await nodes.get(current.metadata!.name!)) as Node;
      const taints = taintsFor(current);
      if (!taints) return current;
      return (await nodes.update({ ...current, spec: { ...current.spec, taints } } as KubeObject as N)) as Node;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  });
}
