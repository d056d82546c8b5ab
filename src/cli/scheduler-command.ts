// `k8ts scheduler`: the scheduler as its own process against any cluster (ours or another
// kube-apiserver), configured by a KubeSchedulerConfiguration file (--config), with leader
// election on the kube-system/kube-scheduler Lease so several can run with one active, as
// kube-scheduler.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { LeaseLock, restLeaseStore, runLeaderElection } from '../client/leaderelection/index.js';
import { loadSchedulerConfig } from '../scheduler/config/load.js';
import type { SchedulerConfiguration } from '../scheduler/config/types.js';
import { inTreeRegistry } from '../scheduler/plugins/registry.js';
import { runScheduler } from '../scheduler/start.js';
import { createLogger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';

export interface SchedulerFlags {
  kubeconfig?: string;
  context?: string;
  /** A KubeSchedulerConfiguration file (YAML or JSON). */
  config?: string;
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  logLevel?: string;
}

/** Reads and validates --config (errors name the file and the field). */
export function readSchedulerConfigFile(path: string): SchedulerConfiguration {
  const registry = inTreeRegistry();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read scheduler configuration ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    return loadSchedulerConfig(text, (name) => registry.has(name));
  } catch (err) {
    throw new CliError(`${path}: ${messageOf(err)}`, { cause: err });
  }
}

export async function runSchedulerCommand(flags: SchedulerFlags): Promise<void> {
  let log;
  let client: Client;
  const config = flags.config ? readSchedulerConfigFile(flags.config) : undefined;
  try {
    log = createLogger('scheduler', { level: flags.logLevel });
    client = Client.fromConfig(loadConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
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
  // The client library's timers do not keep a process alive; the command does, until told to stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  abort.signal.addEventListener('abort', () => clearInterval(keepAlive), { once: true });
  const host = hostname();
  const run = (signal: AbortSignal) => runScheduler({ client, log, config, host }, signal);
  if (!flags.leaderElect) {
    log.info('running without leader election');
    await run(abort.signal);
  } else {
    const identity = `${host}_${randomUUID()}`;
    let leading: Promise<void> | undefined;
    await runLeaderElection(
      {
        lock: new LeaseLock({ namespace: 'kube-system', name: 'kube-scheduler', identity, store: restLeaseStore(client) }),
        leaseDurationMs: flags.leaderElectLeaseDuration * 1000,
        renewDeadlineMs: flags.leaderElectRenewDeadline * 1000,
        retryPeriodMs: flags.leaderElectRetryPeriod * 1000,
        releaseOnCancel: true,
        name: 'kube-scheduler',
        log,
        callbacks: {
          onStartedLeading: (signal) => {
            log.info({ identity }, 'became leader; starting the scheduler');
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
