// The client builder of a controller manager inside the API server's process (`k8ts server`,
// `k8ts up`): a controller's client is an in-process one authenticated as its ServiceAccount, as
// if it presented that account's token, so no token is needed; its ServiceAccount is still made
// to exist in kube-system, in the background, as a standalone manager's builder makes it.
import type { Logger } from 'pino';
import { Client } from '../../client/rest/client.js';
import type { InProcessHandler } from '../../client/transport/in-process.js';
import { controllerServiceAccountUser } from '../context.js';
import { CONTROLLER_ACCOUNTS_NAMESPACE, type ControllerClientBuilder } from './builder.js';
import { ServiceAccountEnsurer } from './service-account-ensurer.js';

/** `client`: the manager's own (in-process) client, which makes the accounts. */
export function inProcessClientBuilder(handler: InProcessHandler, client: Client, log: Logger): ControllerClientBuilder {
  const ensurer = new ServiceAccountEnsurer({ client, namespace: CONTROLLER_ACCOUNTS_NAMESPACE, log });
  const clients = new Map<string, Client>();
  return {
    clientFor(serviceAccount) {
      let c = clients.get(serviceAccount);
      if (!c) {
        ensurer.ensure(serviceAccount);
        clients.set(serviceAccount, (c = Client.inProcess(handler, controllerServiceAccountUser(serviceAccount))));
      }
      return c;
    },
    async close() {
      await ensurer.close();
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}
