// `k8ts agent --server URL --token T [--name N] [--data-dir DIR]`: a node agent with the process
// runtime that joins a cluster running elsewhere (`k8ts server` on another machine). The token is
// any bearer token the API server accepts for a node (a ServiceAccount or bootstrap token); the
// server's CA comes from --ca-file, else the system roots, or --insecure-skip-tls-verify.
// Ctrl-C stops every pod gracefully, then exits; started again on the same data dir the agent
// adopts the containers that still run and restarts those that should.
import { evictionConfig } from '../kubelet/eviction/thresholds.js';
import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../client/kubeconfig/load.js';
import type { ClientConfig } from '../client/kubeconfig/client-config.js';
import { Client } from '../client/rest/client.js';
import { startNodeAgent } from '../kubelet/node-agent.js';
import { defaultNodeIP } from '../kubelet/nodestatus/machine-info.js';
import { ProcessRuntime } from '../kubelet/runtime/process/runtime.js';
import { componentLogger, createLogger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { prepareDataDir } from './data-dir.js';

export interface AgentFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  caFile?: string;
  insecureSkipTlsVerify?: boolean;
  kubeconfig?: string;
  name?: string;
  dataDir?: string;
  podCidr?: string;
  nodeIp?: string;
  podManifestPath?: string;
  manifestUrl?: string;
  clusterDns?: string;
  clusterDomain?: string;
  evictionHard?: string;
  evictionSoft?: string;
  evictionSoftGracePeriod?: string;
  evictionMinimumReclaim?: string;
  evictionPressureTransitionPeriod?: string;
  evictionMaxPodGracePeriod?: number;
  systemReserved?: string;
  kubeReserved?: string;
  maxPods?: number;
  /** HTTPS port of the kubelet API (logs, exec, port-forward); served when the cluster CA is known (--ca-file or the kubeconfig's). */
  kubeletPort?: number;
  logLevel?: string;
}

export const DEFAULT_AGENT_DATA_DIR = join(homedir(), '.k8ts', 'agent');

export function agentClientConfig(flags: AgentFlags): ClientConfig {
  if (!flags.server) return loadConfig({ kubeconfig: flags.kubeconfig });
  if (!flags.token && !flags.tokenFile) throw new CliError('--server needs --token or --token-file (or use --kubeconfig)');
  return {
    server: flags.server,
    token: flags.token,
    tokenFile: flags.tokenFile,
    ca: flags.caFile ? readFileSync(flags.caFile, 'utf8') : undefined,
    insecure: !!flags.insecureSkipTlsVerify,
    namespace: 'default',
    source: 'agent flags',
  };
}

export async function runAgentCommand(flags: AgentFlags): Promise<void> {
  const log = createLogger('agent', { level: flags.logLevel });
  const dataDir = resolve(flags.dataDir ?? DEFAULT_AGENT_DATA_DIR);
  let client: Client;
  let caPem: string | undefined;
  try {
    prepareDataDir(dataDir);
    const config = agentClientConfig(flags);
    caPem = config.ca;
    client = Client.fromConfig(config);
  } catch (err) {
    throw err instanceof CliError ? err : new CliError(messageOf(err), { cause: err });
  }
  let eviction;
  try {
    eviction = evictionConfig(flags);
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  const nodeName = (flags.name ?? hostname()).toLowerCase();
  const nodeIP = flags.nodeIp ?? defaultNodeIP();
  const runtime = new ProcessRuntime({ rootDir: join(dataDir, 'runtime'), podCidr: flags.podCidr, nodeIp: nodeIP, log: componentLogger(log, 'runtime') });
  const agent = await startNodeAgent({
    client,
    nodeName,
    rootDir: join(dataDir, 'kubelet'),
    runtime,
    podCidr: flags.podCidr,
    nodeIP,
    log: componentLogger(log, 'kubelet'),
    podManifestPath: flags.podManifestPath,
    manifestUrl: flags.manifestUrl,
    clusterDNS: flags.clusterDns ? flags.clusterDns.split(',').map((s) => s.trim()).filter(Boolean) : [],
    clusterDomain: flags.clusterDomain,
    systemReserved: flags.systemReserved,
    kubeReserved: flags.kubeReserved,
    maxPods: flags.maxPods,
    eviction,
    // The API server's kubelet client certificate is signed by the cluster CA.
    kubeletServer: caPem ? { port: flags.kubeletPort ?? 10250, clientCaPem: caPem } : undefined,
  });
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping: Promise<void> | undefined;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const stop = () => {
    stopping ??= (async () => {
      log.info('stopping pods');
      await agent.stop({ killPods: true });
      runtime.close();
      await client.close();
      clearInterval(keepAlive);
      finished();
    })();
    return stopping;
  };
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    void stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await agent.ready;
    process.stdout.write(`node ${nodeName} is Ready\n`);
  } catch (err) {
    await stop();
    throw new CliError(`cannot register node ${nodeName}: ${messageOf(err)}`, { cause: err });
  }
  await done;
}
