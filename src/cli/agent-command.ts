// `k8ts agent --server URL --token T [--name N] [--data-dir DIR]`: a node agent with the process
// runtime that joins a cluster running elsewhere (`k8ts server` on another machine).
// Credentials, in order:
//   --kubeconfig;
//   the client certificate a previous join left in the data dir (DIR/kubeconfig);
//   a bootstrap token (`k8ts token create`): TLS bootstrap as kubeadm join — the server's CA is
//     discovered and checked against --ca-cert-hash (or given by --ca-file, or unverified with
//     --insecure-skip-tls-verify), a client certificate for system:node:<name> is requested
//     through a CSR, and saved so a restart needs no token;
//   any other bearer token (a ServiceAccount token), used as it is; the server's CA then comes
//     from --ca-file, else the system roots, or --insecure-skip-tls-verify.
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
import { parseCaCertHash } from '../auth/bootstrap/ca-hash.js';
import { parseToken } from '../auth/bootstrap/token.js';
import { bootstrapCredentials, credentialPaths, renewCredentials, savedCredentials } from '../kubelet/bootstrap/credentials.js';
import { discoverCa } from '../kubelet/bootstrap/discover-ca.js';
import type { Logger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { prepareDataDir } from './data-dir.js';

export interface AgentFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  caFile?: string;
  /** kubeadm's --discovery-token-ca-cert-hash: sha256:<hex> pins of the cluster CA's public key. */
  caCertHash?: string[];
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

/** The token given by --token or --token-file, if any. */
function givenToken(flags: AgentFlags): string | undefined {
  if (flags.token) return flags.token.trim();
  if (flags.tokenFile) {
    try {
      return readFileSync(flags.tokenFile, 'utf8').trim();
    } catch (err) {
      throw new CliError(`cannot read --token-file ${flags.tokenFile}: ${messageOf(err)}`, { cause: err });
    }
  }
  return undefined;
}

/** Where the agent's API credentials come from (see the header); TLS bootstrap runs here. */
export async function resolveAgentClientConfig(flags: AgentFlags, dataDir: string, nodeName: string, log: Logger, signal?: AbortSignal): Promise<ClientConfig> {
  if (flags.kubeconfig) return agentClientConfig(flags);
  const saved = savedCredentials(dataDir, flags.server, Date.now(), nodeName);
  if ('config' in saved) {
    log.info({ kubeconfig: credentialPaths(dataDir).kubeconfig }, 'using the client certificate from the data dir');
    if (!saved.renewDue) return saved.config;
    try {
      return await renewCredentials(saved.config, { nodeName, dataDir, log, signal });
    } catch (err) {
      // Still valid for a while: run with it and try again at the next start.
      log.warn({ err: messageOf(err) }, 'cannot renew the client certificate; using the current one');
      return saved.config;
    }
  }
  const token = flags.server ? givenToken(flags) : undefined;
  let pins: string[] | undefined;
  try {
    pins = flags.caCertHash?.length ? flags.caCertHash.map(parseCaCertHash) : undefined;
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  if (!flags.server || !token || !parseToken(token)) {
    const config = agentClientConfig(flags);
    if (!pins || !flags.server) return config;
    // Another bearer token with a pin: the CA is discovered and checked the same way.
    try {
      return { ...config, ca: (await discoverCa(flags.server, pins)).caPem, insecure: false };
    } catch (err) {
      throw new CliError(`cannot verify ${flags.server}: ${messageOf(err)}`, { cause: err });
    }
  }
  let ca: Parameters<typeof bootstrapCredentials>[0]['ca'];
  if (pins) {
    ca = { pins };
  } else if (flags.caFile) {
    ca = { pem: readFileSync(flags.caFile, 'utf8') };
  } else if (flags.insecureSkipTlsVerify) {
    ca = { insecure: true };
  } else {
    throw new CliError('joining with a bootstrap token needs the cluster CA: --ca-cert-hash sha256:<hex> (printed by `k8ts token create`), --ca-file, or --insecure-skip-tls-verify');
  }
  log.info({ reason: saved.reason }, 'joining with a bootstrap token (TLS bootstrap)');
  try {
    return await bootstrapCredentials({ server: flags.server, token, nodeName, dataDir, ca, log, signal });
  } catch (err) {
    throw new CliError(`cannot join ${flags.server}: ${messageOf(err)}`, { cause: err });
  }
}

export async function runAgentCommand(flags: AgentFlags): Promise<void> {
  const log = createLogger('agent', { level: flags.logLevel });
  const dataDir = resolve(flags.dataDir ?? DEFAULT_AGENT_DATA_DIR);
  const nodeName = (flags.name ?? hostname()).toLowerCase();
  let client: Client;
  let caPem: string | undefined;
  // Ctrl-C while waiting for the certificate ends the wait.
  const joining = new AbortController();
  const abortJoin = () => joining.abort();
  process.once('SIGINT', abortJoin);
  process.once('SIGTERM', abortJoin);
  try {
    prepareDataDir(dataDir);
    const config = await resolveAgentClientConfig(flags, dataDir, nodeName, log, joining.signal);
    caPem = config.ca;
    client = Client.fromConfig(config);
  } catch (err) {
    throw err instanceof CliError ? err : new CliError(messageOf(err), { cause: err });
  } finally {
    process.off('SIGINT', abortJoin);
    process.off('SIGTERM', abortJoin);
  }
  let eviction;
  try {
    eviction = evictionConfig(flags);
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
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
