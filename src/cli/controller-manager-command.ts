// `k8ts controller-manager`: the controllers as their own process against any cluster (ours or
// another kube-apiserver), with leader election on a Lease in kube-system so several can run
// with one active, as kube-controller-manager.
import { readFileSync } from 'node:fs';
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
  /** CA that signs approved CSRs (csrsigning runs only with both). */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
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
  let clusterSigning: { certPem: string; keyPem: string } | undefined;
  if (!!flags.clusterSigningCertFile !== !!flags.clusterSigningKeyFile) throw new CliError('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  if (flags.clusterSigningCertFile && flags.clusterSigningKeyFile) {
    try {
      clusterSigning = { certPem: readFileSync(flags.clusterSigningCertFile, 'utf8'), keyPem: readFileSync(flags.clusterSigningKeyFile, 'utf8') };
    } catch (err) {
      throw new CliError(`cannot read the cluster signing CA: ${messageOf(err)}`, { cause: err });
    }
  }
  const controllers = builtinControllers({ rootCaPem: caPem, clusterSigning });
  const enabled = parseControllerList(flags.controllers);
  await runLeaderElected({ client, log, flags, leaseName: 'kube-controller-manager', what: 'controllers' }, (signal) =>
    runControllerManager({ client, log, controllers, enabled, host: hostname() }, signal),
  );
}
