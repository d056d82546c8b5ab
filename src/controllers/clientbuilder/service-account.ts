// Getting or creating a controller's ServiceAccount, as upstream's clientbuilder
// getOrCreateServiceAccount: a read first (an account that exists is left alone); when it is
// missing, the namespace is created if it is missing too (a failure there is only logged: the
// caller may not be allowed to create namespaces), then the account; losing a race to another
// creator reads the winner's.
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';

export async function getOrCreateServiceAccount(client: Client, namespace: string, name: string, log: Logger): Promise<ServiceAccount> {
  const accounts = client.resource(resources.serviceAccounts, namespace);
  try {
    return await accounts.get(name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await ensureNamespace(client, namespace, log);
  try {
    return await accounts.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return accounts.get(name);
  }
}

async function ensureNamespace(client: Client, namespace: string, log: Logger): Promise<void> {
  const namespaces = client.resource(resources.namespaces);
  try {
    await namespaces.get(namespace);
    return;
  } catch (err) {
    // Anything but "not there" (a refusal, say) leaves the namespace to whoever makes it.
    if (!isNotFound(err)) return;
  }
  try {
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  } catch (err) {
    if (!isAlreadyExists(err)) log.info({ namespace, err }, 'cannot create the missing namespace of the controllers\' service accounts');
  }
}
