// The options `k8ts server` and `k8ts up` share, with their parsing and defaults.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseGoDuration } from '../api/duration.js';
import { defaultEventTTLMs } from '../apiserver/event-ttl.js';
import { endpointReconcilerTypes, type EndpointReconcilerType } from '../apiserver/kubernetes-service/controller.js';
import { DEFAULT_METRIC_RESOLUTION_MS } from '../apiserver/metrics/scraper.js';
import type { Logger } from '../util/log.js';
import type { StartServerOptions } from './start-server.js';

export interface ServerFlags {
  dataDir: string;
  port: number;
  bind: string;
  /** kube-apiserver's --advertise-address (default: --bind, or 127.0.0.1 when that is every address). */
  advertiseAddress?: string;
  /** kube-apiserver's --endpoint-reconciler-type: lease (default) or none. */
  endpointReconcilerType: EndpointReconcilerType;
  storage: string;
  tlsSan: string[];
  logLevel?: string;
  /** Controllers to run in-process: "*" (default), names, "-name" to leave one out; "" for none. */
  controllers: string;
  /** Components not to run: scheduler (server and up), agent, proxy, dns (up). */
  disable: string[];
  schedulerConfig?: string;
  /** Default 10.96.0.0/12 (k8ts up without root: 127.96.0.0/16, which the proxy can bind); "10.96.0.0/12,fd00:10:96::/108" for dual-stack. */
  serviceCidr?: string;
  /** kube-apiserver's --disable-admission-plugins: plugins not to run (comma-separated, repeatable). */
  disableAdmissionPlugins: string[];
  /** kube-apiserver's --event-ttl in ms (default 1 h; 0: Events never expire). */
  eventTtl: number;
  /** kube-apiserver's --authorization-mode (default Node,RBAC). */
  authorizationMode: string[];
  /** metrics-server's --metric-resolution in ms (default 15 s). */
  metricResolution: number;
  /** kube-controller-manager's --horizontal-pod-autoscaler-sync-period in ms (default 15 s). */
  horizontalPodAutoscalerSyncPeriod: number;
  /** kube-controller-manager's --use-service-account-credentials (default true here, as kubeadm sets it). */
  useServiceAccountCredentials: boolean;
  /** kube-apiserver's TLS files for etcd (--storage etcd://… only). */
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
}

/** Node-side flags of `k8ts up`. */
export interface UpFlags extends ServerFlags {
  nodeName?: string;
  podCidr: string;
  kubeletPort: number;
  podManifestPath?: string;
  /** nftables, iptables or userspace (default: nftables when root with nft, else iptables when root with iptables-restore, else userspace). */
  proxyMode?: string;
}

export const COMPONENTS = ['scheduler', 'agent', 'proxy', 'dns'] as const;
export type Component = (typeof COMPONENTS)[number];

export const DEFAULT_DATA_DIR = './.k8ts';
export const DEFAULT_PORT = 6443;
export const DEFAULT_BIND = '127.0.0.1';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('must be a number from 0 to 65535 (0 picks a free port).');
  return port;
}

function parseBind(value: string): string {
  if (!isIP(value)) throw new InvalidArgumentError('must be an IP address, e.g. 127.0.0.1 or 0.0.0.0.');
  return value;
}

function parseAdvertise(value: string): string {
  if (!isIP(value) || value === '0.0.0.0' || value === '::') throw new InvalidArgumentError('must be an IP address of this machine that the rest of the cluster can reach, e.g. 192.168.1.10.');
  return value;
}

/** lease or none; master-count, deprecated upstream, is refused rather than implemented. */
function parseEndpointReconcilerType(value: string): EndpointReconcilerType {
  if (value === 'master-count') throw new InvalidArgumentError('master-count is deprecated upstream ("will be removed in a future version") and not implemented here; use lease (the default) or none.');
  const type = endpointReconcilerTypes.find((t) => t === value);
  if (!type) throw new InvalidArgumentError(`must be one of: ${endpointReconcilerTypes.join(', ')}.`);
  return type;
}

function parseStorage(value: string): string {
  if (value === 'sqlite' || /^sqlite:.+/.test(value) || /^etcd:\/\/[^,\s]+(,[^,\s]+)*$/.test(value)) return value;
  throw new InvalidArgumentError('must be "sqlite", sqlite:/path/to/file.db or etcd://host:port[,host:port…].');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectComponents(value: string, previous: string[]): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(COMPONENTS as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown component "${n}" (known: ${COMPONENTS.join(', ')}).`);
  return [...previous, ...names];
}

function collectList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** A Go duration ("1h", "30m", "90s", "0"), in ms. */
function parseDuration(value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined || ms < 0) throw new InvalidArgumentError('must be a duration such as 1h, 30m or 90s (0: never).');
  return ms;
}

function parsePositiveDuration(value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('must be a positive duration such as 15s or 1m.');
  return ms;
}

/** One CIDR, or an IPv4 and an IPv6 one separated by a comma (dual-stack; the first is the primary family). */
function parseCidr(value: string): string {
  const cidrs = value.split(',').map((c) => c.trim());
  const families = cidrs.map((c) => {
    const m = /^([0-9a-fA-F.:]+)\/(\d+)$/.exec(c);
    const family = m ? isIP(m[1]!) : 0;
    return m && family && Number(m[2]) <= (family === 4 ? 32 : 128) ? family : 0;
  });
  if (cidrs.length > 2 || families.includes(0) || (families.length === 2 && families[0] === families[1])) {
    throw new InvalidArgumentError('must be a CIDR such as 10.96.0.0/12, or an IPv4 and an IPv6 CIDR separated by a comma (10.96.0.0/12,fd00:10:96::/108).');
  }
  return cidrs.join(',');
}

export function addServerOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where certificates, kubeconfig and the sqlite database live', DEFAULT_DATA_DIR)
    .option('--port <port>', 'HTTPS port of the API server (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option('--bind <address>', 'IP address to listen on (0.0.0.0 for all interfaces)', parseBind, DEFAULT_BIND)
    .addOption(new Option('--advertise-address <ip>', 'IP address other members of the cluster reach this API server at, listed in the kubernetes Service\'s endpoints').argParser(parseAdvertise).default(undefined, '--bind, or 127.0.0.1 for 0.0.0.0'))
    .addOption(new Option('--endpoint-reconciler-type <type>', 'how the kubernetes Service\'s endpoints list API servers, as kube-apiserver: lease (every live server) or none').argParser(parseEndpointReconcilerType).default('lease'))
    .option('--storage <spec>', 'sqlite (DATA_DIR/state.db), sqlite:/path/file.db or etcd://host:port[,host:port…]', parseStorage, 'sqlite')
    .option('--etcd-cafile <file>', 'CA of the etcd members\' serving certificates: etcd is reached over TLS (as kube-apiserver)')
    .option('--etcd-certfile <file>', 'client certificate for etcd (with --etcd-keyfile)')
    .option('--etcd-keyfile <file>', 'key of --etcd-certfile')
    .addOption(
      new Option('--tls-san <name>', 'extra host name or IP for the serving certificate (repeatable)')
        .argParser(collect)
        .default([], 'none'),
    )
    .option('--log-level <level>', 'trace, debug, info, warn or error (default: $K8TS_LOG_LEVEL or info)')
    .option('--controllers <list>', 'controllers to run in this process: "*", names, "-name" to disable one; "" for none', '*')
    .option('--no-use-service-account-credentials', 'run every controller with the controller manager\'s own credential instead of its kube-system ServiceAccount\'s')
    .addOption(new Option('--disable <components>', `components not to run (comma-separated, repeatable): ${COMPONENTS.join(', ')}`).argParser(collectComponents).default([], 'none'))
    .option('--scheduler-config <file>', 'KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) for the in-process scheduler')
    .addOption(new Option('--event-ttl <duration>', 'how long an Event is kept after its last write, as kube-apiserver (0: forever)').argParser(parseDuration).default(defaultEventTTLMs, '1h'))
    .addOption(new Option('--metric-resolution <duration>', 'how often metrics.k8s.io (kubectl top) scrapes the nodes while it is asked, as metrics-server').argParser(parsePositiveDuration).default(DEFAULT_METRIC_RESOLUTION_MS, '15s'))
    .addOption(new Option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HorizontalPodAutoscaler is reconciled, as kube-controller-manager').argParser(parsePositiveDuration).default(15_000, '15s'))
    .addOption(new Option('--authorization-mode <modes>', 'authorizers, in order, as kube-apiserver (comma-separated: Node, RBAC, AlwaysAllow, AlwaysDeny)').argParser(collectList).default([], 'Node,RBAC'))
    .addOption(new Option('--disable-admission-plugins <names>', 'admission plugins not to run, as kube-apiserver (comma-separated, repeatable; e.g. ServiceAccount)').argParser(collectList).default([], 'none'))
    .option('--service-cidr <cidr>', 'range(s) Service ClusterIPs are allocated from: one CIDR, or IPv4,IPv6 for dual-stack (default 10.96.0.0/12; 127.96.0.0/16 for `up` without root)', parseCidr);
}

/** The options only `k8ts up` has: the node agent on this machine. */
export function addUpOptions(cmd: Command): Command {
  return addServerOptions(cmd)
    .option('--node-name <name>', 'name of this machine\'s Node (default: the hostname)')
    .option('--pod-cidr <cidr>', 'pod IPs of this node (loopback addresses for the process runtime)', parseCidr, '127.1.0.0/16')
    .option('--kubelet-port <port>', 'HTTPS port of the node agent\'s API (logs, exec, port-forward; 0 picks a free one)', parsePort, 10250)
    .option('--pod-manifest-path <dir>', 'directory of static pod manifests')
    .addOption(new Option('--proxy-mode <mode>', 'service proxy mode (default: nftables when root with nft installed, else iptables when root with iptables-restore, else userspace)').choices(['nftables', 'iptables', 'userspace']));
}

/** "*,-garbagecollector" → ["*", "-garbagecollector"]; "" → [] (none). */
export function parseControllerList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** What `k8ts server` and `k8ts up` start the control plane with (up passes the service CIDR it chose). */
export function controlPlaneOptions(flags: ServerFlags, log: Logger, serviceCidr = flags.serviceCidr): StartServerOptions {
  return {
    dataDir: flags.dataDir,
    port: flags.port,
    bind: flags.bind,
    advertiseAddress: flags.advertiseAddress,
    endpointReconciler: { type: flags.endpointReconcilerType },
    storage: flags.storage,
    etcdTLS: { caFile: flags.etcdCafile, certFile: flags.etcdCertfile, keyFile: flags.etcdKeyfile },
    tlsSans: flags.tlsSan,
    log,
    controllers: parseControllerList(flags.controllers),
    useServiceAccountCredentials: flags.useServiceAccountCredentials,
    scheduler: flags.disable.includes('scheduler') ? false : { configPath: flags.schedulerConfig },
    serviceCidr,
    disableAdmissionPlugins: flags.disableAdmissionPlugins,
    eventTTLMs: flags.eventTtl,
    metricResolutionMs: flags.metricResolution,
    hpaSyncPeriodMs: flags.horizontalPodAutoscalerSyncPeriod,
    authorizationModes: flags.authorizationMode.length ? flags.authorizationMode : undefined,
  };
}

/** Flags with the data dir made absolute, as the kubeconfig path printed to the user must be. */
export function normalizeFlags(flags: ServerFlags): ServerFlags {
  return { ...flags, dataDir: resolve(flags.dataDir) };
}
