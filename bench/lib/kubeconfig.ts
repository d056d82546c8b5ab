// Reads the admin credentials the server embeds in DATA_DIR/kubeconfig (base64 PEM data), so the
// load generator authenticates exactly as kubectl would.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Credentials {
  /** https://host:port from the kubeconfig's current cluster. */
  url: string;
  ca: string;
  cert: string;
  key: string;
}

interface Kubeconfig {
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users?: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  'current-context'?: string;
}

const unb64 = (s: string | undefined, what: string): string => {
  if (!s) throw new Error(`kubeconfig has no ${what}`);
  return Buffer.from(s, 'base64').toString('utf8');
};

export function readCredentials(path: string): Credentials {
  const kc = parse(readFileSync(path, 'utf8')) as Kubeconfig;
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']) ?? kc.contexts?.[0];
  const cluster = kc.clusters?.find((c) => c.name === ctx?.context.cluster) ?? kc.clusters?.[0];
  const user = kc.users?.find((u) => u.name === ctx?.context.user) ?? kc.users?.[0];
  if (!cluster || !user) throw new Error(`kubeconfig ${path} has no cluster or user`);
  const url = cluster.cluster.server;
  if (!/^https:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`benchmarks only target 127.0.0.1, kubeconfig says ${url}`);
  return {
    url,
    ca: unb64(cluster.cluster['certificate-authority-data'], 'certificate-authority-data'),
    cert: unb64(user.user['client-certificate-data'], 'client-certificate-data'),
    key: unb64(user.user['client-key-data'], 'client-key-data'),
  };
}
