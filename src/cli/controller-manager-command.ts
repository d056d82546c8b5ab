// `k8ts controller-manager`: the controllers as their own process against any cluster (ours or
// another kube-apiserver), with leader election on a Lease in kube-system so several can run
// with one active, as kube-controller-manager. With --use-service-account-credentials (the
// default here) each controller acts as its own ServiceAccount in kube-system, with a token the
// manager requests for it; the shared informers and the Lease use the kubeconfig's credential.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../client/clock.js';
import type { ClientConfig } from '../client/kubeconfig/client-config.js';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { DynamicClientBuilder } from '../controllers/clientbuilder/dynamic-builder.js';
import type { ControllerDescriptor } from '../controllers/context.js';
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
  /** kube-controller-manager's --use-service-account-credentials (default true here, as kubeadm sets it and `k8ts server` runs its controllers). */
  useServiceAccountCredentials: boolean;
}

export async function runControllerManagerCommand(flags: ControllerManagerFlags): Promise<void> {
  let log;
  let client: Client;
  let config: ClientConfig;
  try {
    log = createLogger('controller-manager', { level: flags.logLevel });
    config = loadConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
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
  const controllers = builtinControllers({ rootCaPem: config.ca, clusterSigning });
  const enabled = parseControllerList(flags.controllers);
  const useServiceAccountCredentials = flags.useServiceAccountCredentials;
  await runLeaderElected({ client, log, flags, leaseName: 'kube-controller-manager', what: 'controllers' }, (signal) =>
    runRemoteControllerManager({ config, client, log, controllers, enabled, useServiceAccountCredentials }, signal),
  );
}

export interface RemoteControllerManagerOptions {
  /** The kubeconfig's client config; `client` is built from it. */
  config: ClientConfig;
  client: Client;
  log: Logger;
  controllers: ControllerDescriptor[];
  enabled?: string[];
  useServiceAccountCredentials: boolean;
  /** When the controllers' tokens expire (default the real clock; tests move a fake one). */
  tokenClock?: Clock;
}

/**
 * What the command runs while it leads, until the signal aborts: the controllers over `client`'s
 * informers, each writing with the client its ServiceAccount's token builds
 * (--use-service-account-credentials) or with `client` itself.
 */
export async function runRemoteControllerManager(opts: RemoteControllerManagerOptions, signal: AbortSignal): Promise<void> {
  const { config, client, log } = opts;
  const builder = opts.useServiceAccountCredentials ? new DynamicClientBuilder({ config, client, log, clock: opts.tokenClock }) : undefined;
  const clientFor = builder && ((sa: string) => builder.clientFor(sa));
  try {
    await runControllerManager({ client, log, controllers: opts.controllers, enabled: opts.enabled, host: hostname(), clientFor }, signal);
  } finally {
    await builder?.close();
  }
}
