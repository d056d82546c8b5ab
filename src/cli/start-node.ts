// What `k8ts up` adds to the server on this machine, all in the server's process over the
// in-process transport: the node agent (process runtime, kubelet API on --kubelet-port), the
// service proxy, and cluster DNS behind the kube-dns Service. Each is started in dependency
// order and announced on stdout as it becomes ready; close() stops them in reverse (the node
// agent first stops every pod gracefully).
import { hostname } from 'node:os';
import type { Logger } from '../util/log.js';
import { Client } from '../client/rest/client.js';
import type { InProcessHandler } from '../client/transport/in-process.js';
import { CliError, messageOf } from './errors.js';
import { clusterDnsIPFor } from '../proxy/proxy.js';
import type { RunningServer } from './start-server.js';

export interface StartNodeOptions {
  server: RunningServer;
  dataDir: string;
  log: Logger;
  nodeName?: string;
  podCidr: string;
  kubeletPort: number;
  /** Where the proxy and the DNS server listen, and what ClusterIPs are. */
  serviceCidr: string;
  podManifestPath?: string;
  /** Proxy mode (default: the proxy's own choice). */
  proxyMode?: string;
  agent: boolean;
  proxy: boolean;
  dns: boolean;
  /** One line per component as it becomes ready. */
  announce(line: string): void;
}

export interface RunningNode {
  nodeName: string;
  close(): Promise<void>;
}

export async function startNode(opts: StartNodeOptions): Promise<RunningNode> {
  const nodeName = (opts.nodeName ?? hostname()).toLowerCase();
  const handler: InProcessHandler = opts.server.handler;
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => opts.log.error({ err }, 'stop failed'));
  };
  try {
    if (opts.agent) {
      const { startLocalNodeAgent } = await import('../kubelet/local-agent.js');
      const started = performance.now();
      const agent = await startLocalNodeAgent({
        handler,
        dataDir: opts.dataDir,
        log: opts.log.child({ component: 'kubelet' }),
        nodeName,
        podCidr: opts.podCidr,
        podManifestPath: opts.podManifestPath,
        kubeletPort: opts.kubeletPort,
        clientCaPem: opts.server.pki.caCertPem,
        // Pods resolve through the kube-dns Service that the DNS step below creates.
        clusterDNS: opts.dns ? [clusterDnsIPFor(opts.serviceCidr)] : [],
      });
      stops.push(() => agent.stop({ killPods: true }));
      await agent.ready;
      opts.announce(`node ${nodeName} Ready (${Math.round(performance.now() - started)} ms; kubelet API on port ${agent.kubeletPort})`);
    }
    if (opts.proxy || opts.dns) {
      const proxyModule = await import('../proxy/index.js');
      const { Informers } = await import('../controllers/context.js');
      const client = Client.inProcess(handler, { username: 'system:kube-proxy', groups: ['system:node-proxier'] });
      stops.push(() => client.close());
      // The proxy and DNS watch the same Services and EndpointSlices: one informer each.
      const informers = new Informers(client);
      stops.push(() => informers.shutdown());
      if (opts.proxy) {
        const proxy = await proxyModule.startProxy({ client, informers, nodeName, log: opts.log.child({ component: 'proxy' }), serviceCidr: opts.serviceCidr, mode: opts.proxyMode });
        stops.push(() => proxy.stop());
        opts.announce(`service proxy ready (${proxy.proxier.mode} mode, ClusterIPs ${opts.serviceCidr})`);
      }
      if (opts.dns) {
        const clusterIP = clusterDnsIPFor(opts.serviceCidr);
        const dns = await proxyModule.startDns({ client, informers, log: opts.log.child({ component: 'dns' }), address: '127.0.0.1', port: 0, selfAddresses: [clusterIP] });
        stops.push(() => dns.close());
        // The Service is cluster setup, which kubeadm does as the cluster's administrator: the
        // proxy's own identity (system:node-proxier) only reads Services.
        const setup = Client.inProcess(handler, { username: 'kubernetes-admin', groups: ['system:masters'] });
        try {
          await proxyModule.ensureKubeDnsService(setup, { clusterIP, dnsAddress: dns.address, dnsPort: dns.port });
        } finally {
          await setup.close();
        }
        opts.announce(`cluster DNS ready at ${clusterIP}:53 (kube-system/kube-dns)`);
      }
    }
  } catch (err) {
    await close();
    throw err instanceof CliError ? err : new CliError(`cannot start the node components: ${messageOf(err)}`, { cause: err });
  }
  return { nodeName, close };
}
