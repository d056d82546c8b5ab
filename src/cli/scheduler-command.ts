// `k8ts scheduler`: the scheduler as its own process against any cluster (ours or another
// kube-apiserver), configured by a KubeSchedulerConfiguration file (--config), with leader
// election on the kube-system/kube-scheduler Lease so several can run with one active, as
// kube-scheduler. Serves /metrics, /healthz, /livez and /readyz over plain HTTP on
// --metrics-bind-address (upstream: HTTPS on --secure-port 10259).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import type { HttpsProtocol } from '../client/transport/https.js';
import { loadSchedulerConfig } from '../scheduler/config/load.js';
import type { SchedulerConfiguration } from '../scheduler/config/types.js';
import { inTreeRegistry } from '../scheduler/plugins/registry.js';
import { runScheduler } from '../scheduler/start.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { parseBindAddress, startHealthServer, type HealthServer } from '../scheduler/health-server.js';
import { createLogger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { runLeaderElected, type LeaderElectionFlags } from './leader-elected.js';

export interface SchedulerFlags extends LeaderElectionFlags {
  kubeconfig?: string;
  context?: string;
  /** A KubeSchedulerConfiguration file (YAML or JSON). */
  config?: string;
  logLevel?: string;
  /** host:port for /metrics, /healthz, /readyz (port 0: any free port); unset or '' serves nothing. */
  metricsBindAddress?: string;
  /** How the client reaches the API server (default: the transport's default); see transport/https.ts. */
  clientProtocol?: HttpsProtocol;
  /** Called each time this instance starts scheduling (not a flag: for a program embedding the command, e.g. a benchmark's instrument). */
  onStarted?: (scheduler: Scheduler) => void;
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
    client = Client.fromConfig(loadConfig({ kubeconfig: flags.kubeconfig, context: flags.context }), { protocol: flags.clientProtocol });
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  const host = hostname();
  // Ready while this instance schedules: its caches are synced (a standby holds none).
  let scheduling = false;
  if (flags.metricsBindAddress) {
    let health: HealthServer;
    try {
      health = await startHealthServer({ ...parseBindAddress(flags.metricsBindAddress), notReady: () => (scheduling ? undefined : flags.leaderElect ? 'not the leader, or caches not synced yet' : 'caches not synced yet') });
    } catch (err) {
      await client.close();
      throw new CliError(`cannot serve metrics on ${flags.metricsBindAddress}: ${messageOf(err)}`, { cause: err });
    }
    log.info({ url: health.url }, 'serving /metrics, /healthz, /livez and /readyz');
  }
  await runLeaderElected({ client, log, flags, leaseName: 'kube-scheduler', what: 'the scheduler' }, async (signal) => {
    try {
      const onStarted = (scheduler: Scheduler) => {
        scheduling = true;
        flags.onStarted?.(scheduler);
      };
      await runScheduler({ client, log, config, host, onStarted }, signal);
    } finally {
      scheduling = false;
    }
  });
}
