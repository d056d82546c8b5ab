// A real API server for tests: the same pipeline as `k8ts server` (certificates, sqlite storage,
// HTTPS on a port the OS picks, a kubeconfig), plus helpers to drive it with the real kubectl,
// @kubernetes/client-node and plain HTTPS requests. No part of the server is mocked.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/util/log.js';
import { startServer, type RunningServer } from '../../src/cli/start-server.js';
import type { EndpointReconcilerOptions } from '../../src/apiserver/kubernetes-service/controller.js';
import { kubectlFor, type KubectlResult } from './kubectl.js';

export { kubectlPath, type KubectlResult } from './kubectl.js';

export interface TestCluster {
  dataDir: string;
  url: string;
  kubeconfig: string;
  server: RunningServer;
  /** Runs the real kubectl against this cluster with a private discovery cache. */
  kubectl(args: string[], opts?: { stdin?: string; binary?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: string[], opts?: { stdin?: string; binary?: string; env?: Record<string, string> }): Promise<string>;
  /** An HTTPS request as the admin user. */
  request(method: string, path: string, opts?: { body?: string | Buffer; headers?: Record<string, string>; anonymous?: boolean }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json<T = any>(): T }>;
  close(): Promise<void>;
}

const silent = new Writable({ write: (_c, _e, cb) => cb() });

/**
 * `controllers`: which controllers run in the server process (default none, so API tests see
 * the API server alone; pass ['*'] for the whole control plane, as `k8ts server` runs it).
 * The serviceaccounts controller always runs (the ServiceAccount admission plugin refuses pods
 * whose account does not exist) unless `serviceAccounts: false`. A node agent's pods also need
 * 'root-ca-cert-publisher' (their token volume projects kube-root-ca.crt). `storage`: as
 * --storage (default sqlite in the data dir), e.g. etcd://127.0.0.1:PORT for a test etcd.
 */
export async function startTestCluster(
  opts: {
    dataDir?: string;
    controllers?: string[];
    scheduler?: boolean;
    serviceAccounts?: boolean;
    eventTTLMs?: number;
    storage?: string;
    useServiceAccountCredentials?: boolean;
    /** Listen here (default 127.0.0.1 and a port the OS picks); another 127/8 address gives a server an IP of its own. */
    bind?: string;
    port?: number;
    endpointReconciler?: EndpointReconcilerOptions;
    metricResolutionMs?: number;
    hpaSyncPeriodMs?: number;
  } = {},
): Promise<TestCluster> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-test-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-cache-'));
  const log = createLogger('test', { level: 'silent', destination: silent as never });
  const controllers = [...(opts.controllers ?? []), ...(opts.serviceAccounts === false ? [] : ['serviceaccount'])];
  const server = await startServer({
    dataDir,
    port: opts.port ?? 0,
    bind: opts.bind ?? '127.0.0.1',
    storage: opts.storage ?? 'sqlite',
    tlsSans: [],
    log,
    controllers,
    scheduler: opts.scheduler ?? false,
    eventTTLMs: opts.eventTTLMs,
    useServiceAccountCredentials: opts.useServiceAccountCredentials,
    endpointReconciler: opts.endpointReconciler,
    metricResolutionMs: opts.metricResolutionMs,
    hpaSyncPeriodMs: opts.hpaSyncPeriodMs,
  });
  const kubeconfig = server.kubeconfigPath;

  const kubectlRunner = kubectlFor(kubeconfig, cacheDir, { HOME: dataDir, KUBECONFIG: kubeconfig });
  const kubectl: TestCluster['kubectl'] = kubectlRunner.run;
  const kubectlOk: TestCluster['kubectlOk'] = kubectlRunner.ok;

  const request: TestCluster['request'] = (method, path, o = {}) =>
    new Promise((resolve, reject) => {
      const u = new URL(path, server.url);
      const req = httpsRequest(
        {
          method,
          hostname: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          ca: server.pki.caCertPem,
          cert: o.anonymous ? undefined : server.pki.adminCertPem,
          key: o.anonymous ? undefined : server.pki.adminKeyPem,
          headers: {
            Accept: 'application/json',
            ...(o.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(o.body)) } : {}),
            ...o.headers,
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }));
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });

  return {
    dataDir,
    url: server.url,
    kubeconfig,
    server,
    kubectl,
    kubectlOk,
    request,
    close: async () => {
      await server.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
