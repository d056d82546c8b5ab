// The `k8ts server` pipeline: data dir → certificates → storage → API server → kubeconfig.
// Every expected failure becomes a CliError naming what could not be done; whatever was opened
// before the failure is closed again.
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ensurePki, type Pki } from '../auth/pki/pki.js';
import { writeKubeconfig } from '../auth/pki/kubeconfig.js';
import { openStore, type EtcdTLSFiles } from '../storage/open.js';
import { startApiServer } from '../apiserver/server.js';
import type { EndpointReconcilerOptions } from '../apiserver/kubernetes-service/controller.js';
import { unknownAdmissionPlugins } from '../apiserver/admission/plugins.js';
import { Client } from '../client/rest/client.js';
import type { InProcessHandler } from '../client/transport/in-process.js';
import { runControllerManager } from '../controllers/manager.js';
import { builtinControllers } from '../controllers/registry.js';
import { componentLogger, type Logger } from '../util/log.js';
import { CliError, messageOf } from './errors.js';
import { prepareDataDir } from './data-dir.js';
import { parseAuthorizationModes } from '../apiserver/authorization/modes.js';
import { CONTROLLER_MANAGER_USER } from '../controllers/context.js';
import { inProcessClientBuilder } from '../controllers/clientbuilder/in-process-builder.js';

export interface StartServerOptions {
  /** Absolute path of the data dir; created (0700) if missing (idempotent). */
  dataDir: string;
  port: number;
  bind: string;
  /** The IP in the `kubernetes` endpoints (default: bind, or 127.0.0.1 when bind is every address). */
  advertiseAddress?: string;
  /** --endpoint-reconciler-type (default lease), and for tests the lease's duration and refresh interval. */
  endpointReconciler?: EndpointReconcilerOptions;
  /** "sqlite" or etcd://host:port[,…]. */
  storage: string;
  /** TLS files for an etcd store (--etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  etcdTLS?: EtcdTLSFiles;
  /** Extra names for the serving certificate. */
  tlsSans: string[];
  log: Logger;
  /** Controllers to run in-process over the in-process transport ([] = none; default all). */
  controllers?: string[];
  /**
   * Each controller writes as its kube-system ServiceAccount under its system:controller:* role
   * (kube-controller-manager's --use-service-account-credentials, which kubeadm sets); default true.
   */
  useServiceAccountCredentials?: boolean;
  /** Run the scheduler in-process (default true), with a KubeSchedulerConfiguration file if given. */
  scheduler?: boolean | { configPath?: string };
  /** Service ClusterIP range (default 10.96.0.0/12). */
  serviceCidr?: string;
  /** Admission plugins not to run (kube-apiserver --disable-admission-plugins). */
  disableAdmissionPlugins?: string[];
  /** kube-apiserver's --authorization-mode (default Node,RBAC). */
  authorizationModes?: string[];
  /** How long an Event lives after its last write (kube-apiserver --event-ttl; default 1 h, 0 = forever). */
  eventTTLMs?: number;
  /** How often metrics.k8s.io scrapes the nodes while asked (metrics-server's --metric-resolution; default 15 s). */
  metricResolutionMs?: number;
  /** kube-controller-manager's --horizontal-pod-autoscaler-sync-period (default 15 s). */
  hpaSyncPeriodMs?: number;
}

export interface RunningServer {
  /** https://host:port clients should use (the actual port when 0 was asked for). */
  url: string;
  port: number;
  kubeconfigPath: string;
  pki: Pki;
  /** The API server's request function, for more in-process components (k8ts up). */
  handler: InProcessHandler;
  /** Stops the in-process components, the API server, then the store. */
  close(): Promise<void>;
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { dataDir, log } = opts;
  prepareDataDir(dataDir);

  const { hosts, ips } = certificateNames(opts.bind, opts.advertiseAddress, opts.tlsSans);
  let pki: Pki;
  try {
    pki = await ensurePki(dataDir, { hosts, ips });
  } catch (err) {
    throw new CliError(`cannot prepare certificates in ${join(dataDir, 'pki')}: ${messageOf(err)}`, { cause: err });
  }
  for (const { file, reason } of pki.issued) log.info({ file, reason }, 'issued');

  const badPlugins = unknownAdmissionPlugins(opts.disableAdmissionPlugins ?? []);
  if (badPlugins) throw new CliError(badPlugins);
  if (opts.authorizationModes) {
    try {
      parseAuthorizationModes(opts.authorizationModes);
    } catch (err) {
      throw new CliError(`--authorization-mode: ${messageOf(err)}`);
    }
  }

  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    const storeLog = componentLogger(log, 'storage');
    store = await openStore(opts.storage, dataDir, { log: (msg, fields) => storeLog.info(fields ?? {}, msg), etcdTLS: opts.etcdTLS });
  } catch (err) {
    throw new CliError(`cannot open storage ${opts.storage}: ${messageOf(err)}`, { cause: err });
  }

  let server: Awaited<ReturnType<typeof startApiServer>>;
  try {
    server = await startApiServer({
      store,
      bindAddress: opts.bind,
      port: opts.port,
      advertiseAddress: opts.advertiseAddress,
      endpointReconciler: opts.endpointReconciler,
      // The chain includes the CA: a joining agent pins it by --ca-cert-hash before trusting it.
      tls: { certPem: pki.servingCertPem + pki.caCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.caCertPem },
      serviceAccountKeyPem: pki.serviceAccountKeyPem,
      kubeletClient: { certPem: pki.kubeletClientCertPem, keyPem: pki.kubeletClientKeyPem },
      frontProxy: { caCertPem: pki.frontProxyCaCertPem, clientCertPem: pki.frontProxyClientCertPem, clientKeyPem: pki.frontProxyClientKeyPem },
      serviceCIDR: opts.serviceCidr,
      disableAdmissionPlugins: opts.disableAdmissionPlugins,
      eventTTLMs: opts.eventTTLMs,
      metricResolutionMs: opts.metricResolutionMs,
      authorizationModes: opts.authorizationModes,
      log: componentLogger(log, 'apiserver'),
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw listenError(err, opts.bind, opts.port);
  }

  const url = `https://${hostForUrl(opts.bind)}:${server.port}`;
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  const controllers = startControllers(server.api.handle, opts, pki.caCertPem, pki.caKeyPem);
  let scheduler: { stop(): Promise<void> } | undefined;
  try {
    scheduler = await startInProcessScheduler(server.api.handle, opts);
  } catch (err) {
    await controllers.stop();
    await server.close();
    await store.close();
    throw err;
  }
  const close = async () => {
    try {
      await scheduler?.stop();
      await controllers.stop();
      await server.close();
    } finally {
      await store.close();
    }
  };
  try {
    writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
  } catch (err) {
    await close().catch(() => undefined);
    throw new CliError(`cannot write ${kubeconfigPath}: ${messageOf(err)}`, { cause: err });
  }
  return { url, port: server.port, kubeconfigPath, pki, handler: server.api.handle as InProcessHandler, close };
}

/** The scheduler in this process, as system:kube-scheduler over the in-process transport. */
async function startInProcessScheduler(handler: InProcessHandler, opts: StartServerOptions): Promise<{ stop(): Promise<void> } | undefined> {
  if (opts.scheduler === false) return undefined;
  const configPath = typeof opts.scheduler === 'object' ? opts.scheduler.configPath : undefined;
  const [{ startScheduler }, { readSchedulerConfigFile }] = await Promise.all([import('../scheduler/start.js'), import('./scheduler-command.js')]);
  // readSchedulerConfigFile's errors name the file and the field.
  const config = configPath ? readSchedulerConfigFile(configPath) : undefined;
  const client = Client.inProcess(handler, { username: 'system:kube-scheduler', groups: [] });
  const running = startScheduler({ client, log: opts.log.child({ component: 'scheduler' }), config });
  return {
    async stop() {
      await running.stop();
      await client.close();
    },
  };
}

/**
 * Runs the controller manager in this process over the in-process transport: its informers as
 * system:kube-controller-manager, each controller as its ServiceAccount (as if it had presented
 * that account's token; the accounts are created in kube-system in the background) unless
 * useServiceAccountCredentials is false.
 */
function startControllers(handler: Parameters<typeof Client.inProcess>[0], opts: StartServerOptions, caPem: string, caKeyPem: string): { stop(): Promise<void> } {
  const enabled = opts.controllers ?? ['*'];
  if (!enabled.length) return { stop: async () => undefined };
  const client = Client.inProcess(handler, CONTROLLER_MANAGER_USER);
  const abort = new AbortController();
  const log = opts.log.child({ component: 'controller-manager' });
  const builder = opts.useServiceAccountCredentials === false ? undefined : inProcessClientBuilder(handler, client, log);
  const clientFor = builder && ((sa: string) => builder.clientFor(sa));
  const controllers = builtinControllers({ rootCaPem: caPem, clusterSigning: { certPem: caPem, keyPem: caKeyPem }, horizontalPodAutoscalerSyncPeriodMs: opts.hpaSyncPeriodMs });
  const running = runControllerManager({ client, log, controllers, enabled, clientFor }, abort.signal).catch((err: unknown) => {
    log.error({ err }, 'controller manager stopped');
  });
  return {
    async stop() {
      abort.abort();
      await running;
      await builder?.close();
      await client.close();
    },
  };
}

/**
 * The serving certificate's extra names: the bind address, or every address of this machine when
 * listening on all of them (agents on other machines dial one of those), the advertised address
 * (pods reach the server there through the `kubernetes` Service), plus --tls-san.
 */
function certificateNames(bind: string, advertise: string | undefined, sans: string[]): { hosts: string[]; ips: string[] } {
  const ips: string[] = [];
  if (bind === '0.0.0.0' || bind === '::') {
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) {
        if (!a.internal && !(a.family === 'IPv6' && a.scopeid)) ips.push(a.address);
      }
    }
  } else {
    ips.push(bind);
  }
  if (advertise && !ips.includes(advertise)) ips.push(advertise);
  return { hosts: sans, ips };
}

/** The host part of the URL clients use: loopback when listening everywhere, [v6] bracketed. */
export function hostForUrl(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}

function listenError(err: unknown, bind: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${bind.includes(':') ? `[${bind}]` : bind}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new CliError(`cannot listen on ${where}: address already in use (is another k8ts or kube-apiserver running? pick another --port)`, { cause: err });
    case 'EADDRNOTAVAIL':
      return new CliError(`cannot listen on ${where}: ${bind} is not an address of this machine`, { cause: err });
    case 'EACCES':
      return new CliError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`, { cause: err });
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}
