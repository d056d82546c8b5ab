// Writes a kubeconfig (clientcmd v1 Config) with the credentials embedded as base64 data, so the
// file works from any directory and can be copied to another machine as a single file.
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { stringify } from 'yaml';
import { writeAtomic, KEY_MODE } from './files.js';

export interface KubeconfigOptions {
  /** https://host:port of the API server. */
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Names of the cluster, user and context entries; all default to "k8ts". */
  clusterName?: string;
  user?: string;
  context?: string;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'k8ts';
  const user = opts.user ?? 'k8ts';
  const context = opts.context ?? 'k8ts';
  const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } }],
    users: [
      { name: user, user: { 'client-certificate-data': b64(opts.certPem), 'client-key-data': b64(opts.keyPem) } },
    ],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
  }, { lineWidth: 0 });
}

/** Writes the kubeconfig atomically, mode 0600 (it holds a private key), creating its directory. */
export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeAtomic(path, renderKubeconfig(opts), KEY_MODE);
}
