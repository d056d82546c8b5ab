// `k8ts controller-manager`: the controllers as their own process against any cluster (ours or
// another kube-apiserver), with leader election on a Lease in kube-system so several can run
// with one active, as kube-controller-manager.
import { hostname } from 'node:os';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { runControllerManager } from '../controllers/manager.js';
import { builtinControllers } from '../controllers/registry.js';
import { createLogger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { parseControllerList } from './server-options.js';
import { runLeaderElected, type LeaderElectionFlags } from './leader-elected.js';

export interface ControllerManagerFlags extends LeaderElectionFlags {
  kubeconfig?: string;
  context?: string;
  controllers: string;
  logLevel?: string;
}

export async function runControllerManagerCommand(flags: ControllerManagerFlags): Promise<void> {
  let log;
  let client: Client;
  let caPem: string | undefined;
  try {
    log = createLogger('controller-manager', { level: flags.logLevel });
    const config = loadConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
    caPem = config.ca;
    client = Client.fromConfig(config);
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  // The CA the client trusts is the cluster's: it is what kube-root-ca.crt publishes.
  const controllers = builtinControllers({ rootCaPem: caPem });
  const enabled = parseControllerList(flags.controllers);
  await runLeaderElected({ client, log, flags, leaseName: 'kube-controller-manager', what: 'controllers' }, (signal) =>
    runControllerManager({ client, log, controllers, enabled, host: hostname() }, signal),
  );
}
