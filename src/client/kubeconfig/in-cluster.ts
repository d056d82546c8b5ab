// In-cluster configuration: a pod reaches the API server through the `kubernetes` Service
// (KUBERNETES_SERVICE_HOST/PORT) and authenticates with its projected service account token.
// The token stays a file path: it is rotated on disk and re-read when it changes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientConfig } from './client-config.js';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory holding token, ca.crt and namespace (tests point it elsewhere). */
  dir?: string;
}

/** True when the environment looks like a pod (the variables the kubelet injects are set). */
export function isInCluster(opts: InClusterOptions = {}): boolean {
  const env = opts.env ?? process.env;
  return !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT;
}

export function loadInClusterConfig(opts: InClusterOptions = {}): ClientConfig {
  const env = opts.env ?? process.env;
  const dir = opts.dir ?? serviceAccountDir;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new Error(`unable to load in-cluster configuration: ${tokenFile} does not exist`);
  const caFile = join(dir, 'ca.crt');
  const nsFile = join(dir, 'namespace');
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined,
    tokenFile,
    insecure: false,
    namespace: namespace || 'default',
    source: 'in-cluster',
  };
}
