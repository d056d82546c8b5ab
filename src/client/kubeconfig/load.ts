// loadConfig: the ClientConfig kubectl would use. Where the configuration comes from, in order:
//   1. an explicit kubeconfig path (must exist),
//   2. the files named by KUBECONFIG (merged, see kubeconfig-file.ts),
//   3. ~/.kube/config,
//   4. in-cluster (service account) when none of those defines a context to use and the pod
//      environment variables are set.
// Credentials are read and checked here, so a broken kubeconfig fails at load with a message that
// names the file, not at the first request.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientConfig } from './client-config.js';
import { isInCluster, loadInClusterConfig, type InClusterOptions } from './in-cluster.js';
import { KubeconfigError, kubeconfigPathsFromEnv, loadKubeconfigFiles, resolvePath, type Kubeconfig } from './kubeconfig-file.js';

export interface LoadConfigOptions {
  /** Explicit kubeconfig path (like --kubeconfig); it must exist. */
  kubeconfig?: string;
  /** Context to use instead of current-context (like --context). */
  context?: string;
  /** Overrides the context's namespace (like --namespace). */
  namespace?: string;
  /** Environment to read KUBECONFIG, HOME and the in-cluster variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** In-cluster service account directory (tests). */
  inCluster?: Omit<InClusterOptions, 'env'>;
  /** Receives non-fatal problems (ignored settings); default process.emitWarning. */
  warn?: (message: string) => void;
}

/** The kubeconfig files that apply, in precedence order, and whether they must exist. */
export function kubeconfigPaths(opts: Pick<LoadConfigOptions, 'kubeconfig' | 'env'> = {}): { files: string[]; explicit: boolean } {
  if (opts.kubeconfig) return { files: [opts.kubeconfig], explicit: true };
  const env = opts.env ?? process.env;
  const fromEnv = kubeconfigPathsFromEnv(env.KUBECONFIG);
  if (fromEnv.length) return { files: fromEnv, explicit: false };
  return { files: [join(env.HOME ?? homedir(), '.kube', 'config')], explicit: false };
}

export function loadConfig(opts: LoadConfigOptions = {}): ClientConfig {
  const env = opts.env ?? process.env;
  const { files, explicit } = kubeconfigPaths(opts);
  if (explicit && !existsSync(files[0])) throw new KubeconfigError(`stat ${files[0]}: no such file or directory`);
  const merged = loadKubeconfigFiles(files, { mustExist: explicit });
  const contextName = opts.context || merged.currentContext;
  if (!contextName && !explicit && isInCluster({ env })) {
    const config = loadInClusterConfig({ ...opts.inCluster, env });
    return opts.namespace ? { ...config, namespace: opts.namespace } : config;
  }
  return clientConfigFromKubeconfig(merged, { context: opts.context, namespace: opts.namespace, warn: opts.warn });
}

function decodeData(value: string, what: string, name: string): string {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0 && value.trim() !== '') throw new KubeconfigError(`${what} of "${name}" is not valid base64`);
  return bytes.toString('utf8');
}

function readPath(path: string, origin: string, what: string, name: string): string {
  const full = resolvePath(path, origin);
  try {
    return readFileSync(full, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`unable to read ${what} ${full} for "${name}" (from ${origin}): ${(err as Error).message}`, { cause: err });
  }
}

/** The ClientConfig for one context of a (merged) kubeconfig. */
export function clientConfigFromKubeconfig(config: Kubeconfig, opts: { context?: string; namespace?: string; warn?: (message: string) => void } = {}): ClientConfig {
  const warn = opts.warn ?? ((m: string) => process.emitWarning(m, 'KubeconfigWarning'));
  const where = config.files.length ? config.files.join(', ') : 'no kubeconfig file found';
  const contextName = opts.context || config.currentContext;
  if (!contextName) throw new KubeconfigError(`no context to use: current-context is not set (${where}); pass a context`);
  const ctx = config.contexts.get(contextName);
  if (!ctx) throw new KubeconfigError(`context "${contextName}" does not exist (${where})`);
  const clusterName = ctx.value.cluster ?? '';
  const cluster = config.clusters.get(clusterName);
  if (!cluster) throw new KubeconfigError(`cluster "${clusterName}" of context "${contextName}" does not exist (${where})`);
  const c = cluster.value;
  if (!c.server) throw new KubeconfigError(`cluster "${clusterName}" has no server defined`);
  const userName = ctx.value.user ?? '';
  const userEntry = userName ? config.users.get(userName) : undefined;
  if (userName && !userEntry) throw new KubeconfigError(`user "${userName}" of context "${contextName}" does not exist (${where})`);
  const u = userEntry?.value ?? {};

  if (c['proxy-url']) warn(`kubeconfig: cluster "${clusterName}" sets proxy-url ${c['proxy-url']}; proxies are not supported and it is ignored`);

  // As clientcmd's validation: a path and inline data for the same thing is a mistake, not a choice.
  if (c['certificate-authority'] && c['certificate-authority-data']) {
    throw new KubeconfigError(`certificate-authority-data and certificate-authority are both specified for cluster "${clusterName}"`);
  }
  if (u['client-certificate'] && u['client-certificate-data']) throw new KubeconfigError(`client-cert-data and client-cert are both specified for user "${userName}"`);
  if (u['client-key'] && u['client-key-data']) throw new KubeconfigError(`client-key-data and client-key are both specified for user "${userName}"`);

  const insecure = c['insecure-skip-tls-verify'] === true;
  let ca: string | undefined;
  if (c['certificate-authority-data']) ca = decodeData(c['certificate-authority-data'], 'certificate-authority-data', clusterName);
  else if (c['certificate-authority']) ca = readPath(c['certificate-authority'], cluster.origin, 'certificate-authority', clusterName);
  if (insecure && ca) {
    throw new KubeconfigError(`cluster "${clusterName}": specifying a root certificates file with the insecure flag is not allowed`);
  }

  let cert: string | undefined;
  let key: string | undefined;
  let token: string | undefined;
  let tokenFile: string | undefined;
  if (userEntry) {
    const origin = userEntry.origin;
    if (u['client-certificate-data']) cert = decodeData(u['client-certificate-data'], 'client-certificate-data', userName);
    else if (u['client-certificate']) cert = readPath(u['client-certificate'], origin, 'client-certificate', userName);
    if (u['client-key-data']) key = decodeData(u['client-key-data'], 'client-key-data', userName);
    else if (u['client-key']) key = readPath(u['client-key'], origin, 'client-key', userName);
    if ((cert === undefined) !== (key === undefined)) {
      throw new KubeconfigError(`user "${userName}": client-cert-data and client-key-data must both be specified for ${userName} to use the clientCert authentication method`);
    }
    // As clientcmd: an inline token wins; otherwise the file's token (re-read when it rotates).
    if (u.token) token = u.token;
    else if (u.tokenFile) tokenFile = resolvePath(u.tokenFile, origin);
    if ((u.exec || u['auth-provider']) && !cert && !token && !tokenFile && u.username === undefined) {
      throw new KubeconfigError(`user "${userName}" authenticates with ${u.exec ? 'an exec credential plugin' : 'an auth-provider'}, which this client does not support`);
    }
    if (u.as || u['as-groups']?.length) warn(`kubeconfig: user "${userName}" sets impersonation (as/as-groups); it is ignored`);
  }

  return {
    server: c.server,
    ca,
    cert,
    key,
    token,
    tokenFile,
    username: u.username,
    password: u.password,
    insecure,
    tlsServerName: c['tls-server-name'] || undefined,
    namespace: opts.namespace || ctx.value.namespace || 'default',
    source: contextName,
  };
}
