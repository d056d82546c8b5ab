// The token cleaner (upstream pkg/controller/bootstrap/tokencleaner): deletes bootstrap-token
// Secrets in kube-system once their expiration has passed, so an expired join token is gone, not
// just refused. A token that expires later waits in the queue until then (addAfter).
import type { Secret } from 'kubernetes-types/core/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, expirationOf } from '../../auth/bootstrap/token.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';

export interface TokenCleanerOptions {
  workers?: number;
  clock?: Clock;
}

export function newTokenCleaner(ctx: ControllerContext, opts: TokenCleanerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const informer = ctx.informers.for(resources.secrets, { namespace: BOOTSTRAP_TOKEN_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
  const queue = newRateLimitingQueue<string>({ name: 'token_cleaner', clock });
  const secrets = ctx.client.resource(resources.secrets);
  const log = ctx.log.child({ controller: 'tokencleaner' });
  const key = (s: Secret) => `${s.metadata!.namespace}/${s.metadata!.name}`;
  informer.addEventHandler({
    onAdd: (s: Secret) => queue.add(key(s)),
    onUpdate: (_old: Secret, s: Secret) => queue.add(key(s)),
  });

  async function handle(k: string): Promise<void> {
    const secret = informer.getIndexer().getByKey(k) as Secret | undefined;
    if (!secret || secret.metadata?.deletionTimestamp) return;
    const at = expirationOf(secret);
    if (at === undefined) return;
    // An unparseable expiration is treated as expired, as upstream's HasExpired.
    const left = Number.isNaN(at) ? 0 : at - clock.now();
    if (left > 0) {
      queue.addAfter(k, left);
      return;
    }
    log.info({ secret: k }, 'deleting expired bootstrap token');
    try {
      await secrets.delete(secret.metadata!.name!, { namespace: secret.metadata!.namespace, preconditions: { uid: secret.metadata!.uid! } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  return {
    name: 'tokencleaner',
    run: (signal) => runWorkers(queue, opts.workers ?? 1, handle, signal, { log }),
  };
}

export const tokenCleanerController: ControllerDescriptor = { name: 'tokencleaner', create: (ctx) => newTokenCleaner(ctx) };
