// `k8ts descheduler`: the descheduler (kubernetes-sigs/descheduler) as its own process against
// any cluster, driven by a DeschedulerPolicy file (--policy). --descheduling-interval 0 (the
// default, as upstream) runs one pass and exits 0; a positive interval runs until SIGINT/SIGTERM,
// optionally leader-elected on kube-system/descheduler (upstream refuses leader election without
// an interval, and so do we). Serves /metrics, /healthz and /readyz on --metrics-bind-address.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseGoDuration } from '../api/duration.js';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { loadPolicy } from '../descheduler/policy/load.js';
import type { DeschedulerPolicy } from '../descheduler/policy/types.js';
import { inTreeRegistry } from '../descheduler/plugins/registry.js';
import { runDescheduler } from '../descheduler/start.js';
import { parseBindAddress, startHealthServer } from '../scheduler/health-server.js';
import { createLogger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { runLeaderElected, type LeaderElectionFlags } from './leader-elected.js';

export interface DeschedulerFlags extends LeaderElectionFlags {
  kubeconfig?: string;
  context?: string;
  policy?: string;
  /** A Go duration ("5m"); 0 runs once. */
  deschedulingInterval: string;
  dryRun: boolean;
  metricsBindAddress?: string;
  logLevel?: string;
}

export function readPolicyFile(path: string): DeschedulerPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`failed to read policy config file "${path}": ${messageOf(err)}`, { cause: err });
  }
  try {
    return loadPolicy(text, inTreeRegistry());
  } catch (err) {
    throw new CliError(`${path}: ${messageOf(err)}`, { cause: err });
  }
}

export async function runDeschedulerCommand(flags: DeschedulerFlags): Promise<void> {
  if (!flags.policy) throw new CliError('--policy is required (a DeschedulerPolicy of descheduler/v1alpha2)');
  const policy = readPolicyFile(flags.policy);
  const intervalMs = parseGoDuration(flags.deschedulingInterval);
  if (intervalMs === undefined || intervalMs < 0) throw new CliError(`--descheduling-interval: invalid duration "${flags.deschedulingInterval}"`);
  if (flags.leaderElect && intervalMs === 0) throw new CliError('leaderElection must be used with deschedulingInterval');
  let log;
  let client: Client;
  try {
    log = createLogger('descheduler', { level: flags.logLevel });
    client = Client.fromConfig(loadConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  let running = false;
  if (flags.metricsBindAddress) {
    try {
      const health = await startHealthServer({ ...parseBindAddress(flags.metricsBindAddress), notReady: () => (running ? undefined : 'not descheduling (not the leader)') });
      log.info({ url: health.url }, 'serving /metrics, /healthz, /livez and /readyz');
    } catch (err) {
      await client.close();
      throw new CliError(`cannot serve metrics on ${flags.metricsBindAddress}: ${messageOf(err)}`, { cause: err });
    }
  }
  log.info({ policy: flags.policy, profiles: policy.profiles.map((p) => p.name), intervalMs, dryRun: flags.dryRun }, 'descheduler starting');
  await runLeaderElected({ client, log, flags, leaseName: 'descheduler', what: 'the descheduler' }, async (signal) => {
    running = true;
    try {
      await runDescheduler({ client, log, policy, intervalMs, dryRun: flags.dryRun, host: hostname() }, signal);
    } finally {
      running = false;
    }
  });
}
