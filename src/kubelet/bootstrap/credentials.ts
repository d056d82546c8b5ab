// The node agent's own credentials in its data dir, as the kubelet keeps them: the client
// certificate TLS bootstrap obtained (pki/kubelet-client.{crt,key}) and a kubeconfig that uses it
// (kubeconfig). Once they exist the agent uses them; the bootstrap token is needed only once.
import { existsSync, mkdirSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeKubeconfig } from '../../auth/pki/kubeconfig.js';
import { writeAtomic, CERT_MODE, KEY_MODE } from '../../auth/pki/files.js';
import { BOOTSTRAPPERS_GROUP, BOOTSTRAP_USER_PREFIX, parseToken } from '../../auth/bootstrap/token.js';
import { NODES_GROUP, NODE_USER_PREFIX } from '../../auth/bootstrap/csr.js';
import type { ClientConfig } from '../../client/kubeconfig/client-config.js';
import { loadConfig } from '../../client/kubeconfig/load.js';
import { Client } from '../../client/rest/client.js';
import { discoverCa } from './discover-ca.js';
import { requestClientCertificate } from './tls-bootstrap.js';

export interface CredentialPaths {
  kubeconfig: string;
  cert: string;
  key: string;
}

export function credentialPaths(dataDir: string): CredentialPaths {
  return { kubeconfig: join(dataDir, 'kubeconfig'), cert: join(dataDir, 'pki', 'kubelet-client.crt'), key: join(dataDir, 'pki', 'kubelet-client.key') };
}

/** Bootstrap again when less than this is left of the certificate. */
const RENEW_BEFORE_MS = 60 * 60 * 1000;
/** Past this share of its lifetime a certificate is renewed at start (the kubelet rotates at 70–90 %). */
const RENEW_AT_FRACTION = 0.8;

/**
 * The saved kubeconfig's client config when it holds a client certificate good for at least
 * another hour (and, if given, for `server` and for system:node:<nodeName>); otherwise why not. `renewDue`
 * says it is past 80 % of its lifetime and should be replaced (renewCredentials).
 */
export function savedCredentials(dataDir: string, server: string | undefined, now = Date.now(), nodeName?: string): { config: ClientConfig; renewDue: boolean } | { reason: string } {
  const paths = credentialPaths(dataDir);
  if (!existsSync(paths.kubeconfig)) return { reason: 'no saved credentials' };
  let config: ClientConfig;
  try {
    config = loadConfig({ kubeconfig: paths.kubeconfig, warn: () => undefined });
  } catch (err) {
    return { reason: `unreadable ${paths.kubeconfig}: ${(err as Error).message}` };
  }
  if (server && config.server.replace(/\/+$/, '') !== server.replace(/\/+$/, '')) return { reason: `saved credentials are for ${config.server}` };
  if (!config.cert || !config.key) return { reason: 'saved kubeconfig has no client certificate' };
  let renewDue: boolean;
  try {
    const cert = new X509Certificate(config.cert);
    // Another --name than the certificate's: that node's identity is not this one's.
    if (nodeName && !cert.subject.split('\n').includes(`CN=${NODE_USER_PREFIX}${nodeName}`)) return { reason: `saved client certificate is for ${cert.subject.split('\n')[0]}` };
    const validFrom = Date.parse(cert.validFrom);
    const validTo = Date.parse(cert.validTo);
    if (validTo - now < RENEW_BEFORE_MS) return { reason: `client certificate expires ${new Date(validTo).toISOString()}` };
    renewDue = now - validFrom > RENEW_AT_FRACTION * (validTo - validFrom);
  } catch (err) {
    return { reason: `unreadable client certificate: ${(err as Error).message}` };
  }
  return { config, renewDue };
}

function saveCredentials(dataDir: string, server: string, caPem: string, nodeName: string, certPem: string, keyPem: string): ClientConfig {
  const paths = credentialPaths(dataDir);
  mkdirSync(join(dataDir, 'pki'), { recursive: true, mode: 0o700 });
  writeAtomic(paths.key, keyPem, KEY_MODE);
  writeAtomic(paths.cert, certPem, CERT_MODE);
  writeKubeconfig(paths.kubeconfig, { server, caPem, certPem, keyPem, user: `${NODE_USER_PREFIX}${nodeName}` });
  return { server, ca: caPem, cert: certPem, key: keyPem, insecure: false, namespace: 'default', source: paths.kubeconfig };
}

/**
 * Replaces a client certificate with a new one, asked for with the current one (the node renewing
 * itself: csrapproving's selfnodeclient case), as the kubelet's certificate rotation does.
 */
export async function renewCredentials(config: ClientConfig, opts: { nodeName: string; dataDir: string; log?: Logger; timeoutMs?: number; signal?: AbortSignal }): Promise<ClientConfig> {
  if (!config.ca) throw new Error('the saved kubeconfig names no CA');
  const { saved, csrName } = await issueAndSave(config, config.ca, { ...opts, timeoutMs: opts.timeoutMs ?? 2 * 60_000 });
  opts.log?.info({ csr: csrName }, 'client certificate renewed');
  return saved;
}

/** A client certificate through a CSR sent with `config`'s credentials, then saved with its kubeconfig. */
async function issueAndSave(config: ClientConfig, caPem: string, opts: { nodeName: string; dataDir: string; log?: Logger; timeoutMs?: number; signal?: AbortSignal }): Promise<{ saved: ClientConfig; csrName: string }> {
  const client = Client.fromConfig(config);
  let issued;
  try {
    issued = await requestClientCertificate({ client, nodeName: opts.nodeName, log: opts.log, timeoutMs: opts.timeoutMs, signal: opts.signal });
  } finally {
    await client.close();
  }
  return { saved: saveCredentials(opts.dataDir, config.server, caPem, opts.nodeName, issued.certPem, issued.keyPem), csrName: issued.csrName };
}

export interface BootstrapOptions {
  server: string;
  /** The bootstrap token "<id>.<secret>". */
  token: string;
  nodeName: string;
  dataDir: string;
  /** How the server's CA is known: pins to discover it with, a PEM given, or not verified at all. */
  ca: { pins: string[] } | { pem: string } | { insecure: true };
  log?: Logger;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * TLS bootstrap end to end: the CA (discovered and pinned, given, or — insecure — taken as the
 * server presents it), a client certificate through a CSR, then the kubeconfig written. Returns the
 * client config that uses the new certificate.
 */
export async function bootstrapCredentials(opts: BootstrapOptions): Promise<ClientConfig> {
  let caPem: string;
  if ('pem' in opts.ca) {
    caPem = opts.ca.pem;
  } else {
    const pins = 'pins' in opts.ca ? opts.ca.pins : undefined;
    if (!pins) opts.log?.warn('the cluster CA is not verified (--insecure-skip-tls-verify): anyone between this machine and the server could impersonate the cluster');
    const found = await discoverCa(opts.server, pins);
    opts.log?.info({ caCertHash: found.hash }, pins ? 'cluster CA matches --ca-cert-hash' : 'using the CA the server presented, unverified');
    caPem = found.caPem;
  }
  const { saved: config, csrName } = await issueAndSave({ server: opts.server, token: opts.token, ca: caPem, insecure: false, namespace: 'default', source: 'bootstrap token' }, caPem, opts);
  opts.log?.info({ csr: csrName, kubeconfig: config.source }, 'client certificate issued');
  return config;
}
