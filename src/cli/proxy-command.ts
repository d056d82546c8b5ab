// `k8ts proxy`: the service proxy (and, with --cluster-dns, cluster DNS behind the kube-dns
// Service) as its own process against any cluster, as kube-proxy runs on each node. Serves
// /metrics on --metrics-bind-address (kube-proxy's 10249) and the proxier's /healthz and /livez
// on --healthz-bind-address (10256).
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { loadConfig } from '../client/kubeconfig/load.js';
import { Client } from '../client/rest/client.js';
import { clusterDnsIPFor, ensureKubeDnsService, startDns, startProxy, defaultServiceCidr, defaultProxyMode, type DnsServer, type ServiceProxy } from '../proxy/index.js';
import type { BalancingAlgorithm } from '../proxy/userspace/balancer.js';
import { componentLogger, createLogger } from '../util/log.js';
import { metricsContentType, metricsText } from '../util/metrics.js';
import { CliError, messageOf } from './errors.js';

export interface ProxyFlags {
  kubeconfig?: string;
  context?: string;
  hostnameOverride?: string;
  /** Default: nftables when root with nft installed, else iptables when root with iptables-restore, else userspace. */
  proxyMode?: string;
  serviceCidr: string;
  /** The nftables mode's table name (its `ip` and `ip6` tables); default k8ts-proxy. */
  nftablesTable?: string;
  nodeAddresses?: string;
  algorithm: string;
  metricsBindAddress: string;
  /** kube-proxy's --healthz-bind-address; empty to not serve it. */
  healthzBindAddress?: string;
  clusterDns: boolean;
  /** Default: the tenth address of --service-cidr (10.96.0.10). */
  clusterDnsIp?: string;
  dnsAddress: string;
  dnsPort: number;
  clusterDomain: string;
  logLevel?: string;
}

/** The options `k8ts proxy` adds to its commander command (exported so `k8ts agent` can reuse them). */
export const proxyFlagDefaults = {
  serviceCidr: defaultServiceCidr,
  algorithm: 'round-robin',
  metricsBindAddress: '127.0.0.1:10249',
  healthzBindAddress: '0.0.0.0:10256',
  dnsAddress: '127.0.0.1',
  dnsPort: 10053,
  clusterDomain: 'cluster.local',
};

function splitHostPort(v: string): { host: string; port: number } {
  const i = v.lastIndexOf(':');
  const port = Number(v.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`not host:port: ${v}`);
  return { host: v.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

export async function runProxyCommand(flags: ProxyFlags): Promise<void> {
  let log;
  let client: Client;
  try {
    log = createLogger('proxy', { level: flags.logLevel });
    client = Client.fromConfig(loadConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  if (flags.algorithm !== 'round-robin' && flags.algorithm !== 'least-connections') throw new CliError(`--algorithm must be round-robin or least-connections, not ${flags.algorithm}`);
  const nodeName = flags.hostnameOverride ?? hostname();
  const metricsAt = splitHostPort(flags.metricsBindAddress);
  const healthzAt = flags.healthzBindAddress ? splitHostPort(flags.healthzBindAddress) : undefined;

  let dns: DnsServer | undefined;
  let proxy: ServiceProxy;
  try {
    if (flags.clusterDns) {
      const clusterDnsIp = flags.clusterDnsIp ?? clusterDnsIPFor(flags.serviceCidr);
      dns = await startDns({ client, log: componentLogger(log, 'dns'), address: flags.dnsAddress, port: flags.dnsPort, clusterDomain: flags.clusterDomain, selfAddresses: [clusterDnsIp] });
      await ensureKubeDnsService(client, { clusterIP: clusterDnsIp, dnsAddress: dns.address, dnsPort: dns.port });
    }
    proxy = await startProxy({
      client,
      nodeName,
      log,
      mode: flags.proxyMode ?? (await defaultProxyMode()),
      serviceCidr: flags.serviceCidr,
      nftablesTable: flags.nftablesTable,
      nodeAddresses: flags.nodeAddresses ? flags.nodeAddresses.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      algorithm: flags.algorithm as BalancingAlgorithm,
      healthz: healthzAt,
    });
  } catch (err) {
    await dns?.close();
    throw new CliError(`cannot start the service proxy: ${messageOf(err)}`, { cause: err });
  }

  const metrics = createServer((req, res) => {
    if (req.url === '/metrics') {
      metricsText().then((t) => res.writeHead(200, { 'content-type': metricsContentType }).end(t));
    } else if (req.url === '/healthz' || req.url === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    metrics.once('error', (err) => reject(new CliError(`cannot serve metrics on ${flags.metricsBindAddress}: ${messageOf(err)}`)));
    metrics.listen(metricsAt.port, metricsAt.host, resolve);
  });

  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stopped;
  log.info('stopping');
  metrics.close();
  await proxy.stop();
  await dns?.close();
  await client.close();
  process.exit(0);
}
