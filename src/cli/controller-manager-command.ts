// `k8ts controller-manager`: the controllers as their own process against any cluster (ours or
// another kube-apiserver), with leader election on a Lease in kube-system so several can run
// with one active, as kube-controller-manager.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { LeaseLock, restLeaseStore, runLeaderElection } from '../client/leaderelection/index.js';
import { runControllerManager } from '../controllers/manager.js';
import { builtinControllers } from '../controllers/registry.js';
import { createLogger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { parseControllerList } from './server-options.js';

export interface ControllerManagerFlags {
  kubeconfig?: string;
  context?: string;
  controllers: string;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
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
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The client library's timers and idle connections do not keep a process alive (a library
  // must not); the command does, until it is told to stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  abort.signal.addEventListener('abort', () => clearInterval(keepAlive), { once: true });
  // The CA the client trusts is the cluster's: it is what kube-root-ca.crt publishes.
  const controllers = builtinControllers({ rootCaPem: caPem });
  const enabled = parseControllerList(flags.controllers);
  const run = (signal: AbortSignal) => runControllerManager({ client, log, controllers, enabled, host: hostname() }, signal);
  if (!flags.leaderElect) {
    log.info('running without leader election');
    await run(abort.signal);
  } else {
    const identity = `${hostname()}_${randomUUID()}`;
    let leading: Promise<void> | undefined;
    await runLeaderElection(
      {
        lock: new LeaseLock({ namespace: 'kube-system', name: 'kube-controller-manager', identity, store: restLeaseStore(client) }),
        leaseDurationMs: flags.leaderElectLeaseDuration * 1000,
        renewDeadlineMs: flags.leaderElectRenewDeadline * 1000,
        retryPeriodMs: flags.leaderElectRetryPeriod * 1000,
        releaseOnCancel: true,
        name: 'kube-controller-manager',
        log,
        callbacks: {
          onStartedLeading: (signal) => {
            log.info({ identity }, 'became leader; starting controllers');
            leading = run(signal);
          },
          onStoppedLeading: () => log.info({ identity }, 'stopped leading'),
          onNewLeader: (leader) => {
            if (leader !== identity) log.info({ leader }, 'another instance leads');
          },
        },
      },
      abort.signal,
    );
    await leading;
  }
  await client.close();
  process.exit(0);
}
