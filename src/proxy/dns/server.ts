// The cluster DNS server: UDP and TCP on one address and port. Questions in the cluster domain
// (and reverse names of cluster IPs) are answered from the ClusterZone; the rest is forwarded to
// the host's resolvers through a TTL-respecting cache. Counts requests and responses in the
// series CoreDNS uses.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { Logger } from 'pino';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { Informers } from '../../controllers/context.js';
import { dnsMetrics } from '../metrics.js';
import { DnsCache } from './cache.js';
import { ClusterZone, serviceIndexers, sliceIndexers } from './cluster-zone.js';
import { Forwarder } from './forwarder.js';
import { hostUpstreams, type Upstream } from './resolv-conf.js';

export interface DnsOptions {
  client: Client;
  log: Logger;
  /** Default 127.0.0.1. */
  address?: string;
  /** Default 53; 0 picks a free port (the same for UDP and TCP). */
  port?: number;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** Where to forward other names; default the host's /etc/resolv.conf nameservers (minus ourselves). */
  upstreams?: Upstream[];
  /** Addresses that reach this server too (the kube-dns ClusterIP): never forwarded to. */
  selfAddresses?: string[];
  informers?: Informers;
  /** Forwarding timeout per upstream (default 2000 ms). */
  forwardTimeoutMs?: number;
  cacheSize?: number;
}

export interface DnsServer {
  address: string;
  port: number;
  zone: ClusterZone;
  cache: DnsCache;
  forwarder: Forwarder;
  close(): Promise<void>;
}

const rcodeNumbers: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const maxUdpDefault = 512;

export async function startDns(opts: DnsOptions): Promise<DnsServer> {
  const log = opts.log;
  const address = opts.address ?? '127.0.0.1';
  const informers = opts.informers ?? new Informers(opts.client);
  const ownInformers = !opts.informers;
  let pair: { udp: UdpSocket; tcp: Server; port: number };
  try {
    pair = await bindUdpAndTcp(address, opts.port ?? 53);
  } catch (err) {
    if (ownInformers) await informers.shutdown();
    throw err;
  }
  const { udp, tcp, port } = pair;
  const svcInformer = informers.for(resources.services);
  const sliceInformer = informers.for(resources.endpointSlices);
  svcInformer.addIndexers(serviceIndexers);
  sliceInformer.addIndexers(sliceIndexers);
  informers.start();
  await informers.waitForCacheSync();
  const zone = new ClusterZone(svcInformer.getIndexer(), sliceInformer.getIndexer(), opts.clusterDomain ?? 'cluster.local');
  const cache = new DnsCache(opts.cacheSize);

  const serverLabel = `dns://${address}:${port}`;
  const upstreams = opts.upstreams ?? hostUpstreams({ address, port }, opts.selfAddresses ?? []);
  if (!upstreams.length) log.warn('no upstream resolvers: names outside the cluster domain get SERVFAIL');
  const forwarder = new Forwarder(upstreams, opts.forwardTimeoutMs);

  /** The response to one raw query; undefined for garbage that deserves no answer. */
  const handle = async (raw: Buffer, proto: 'udp' | 'tcp'): Promise<{ bytes: Buffer; maxSize: number } | undefined> => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return undefined;
    }
    if (query.flag_qr) return undefined;
    const opt = query.additionals?.find((a) => a.type === 'OPT');
    const maxSize = proto === 'tcp' ? 65535 : Math.max(maxUdpDefault, opt && opt.type === 'OPT' ? opt.udpPayloadSize : 0);
    const q = query.questions?.[0];
    const opcode = (raw.readUInt16BE(2) >> 11) & 0xf;
    const respond = (rcode: string, body: Partial<Packet> = {}, authoritative = false) => {
      dnsMetrics.responses.inc({ server: serverLabel, zone: authoritative ? zone.domain + '.' : '.', rcode });
      const flags = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
      return {
        bytes: dnsPacket.encode({
          id: query.id,
          type: 'response',
          flags: flags | dnsPacket.RECURSION_AVAILABLE | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rcodeNumbers[rcode],
          questions: query.questions,
          answers: [],
          authorities: [],
          additionals: [],
          ...body,
        }),
        maxSize,
      };
    };
    if (opcode !== 0) return respond('NOTIMP');
    if (!q || (query.questions?.length ?? 0) !== 1) return respond('FORMERR');
    const local = zone.answer(q);
    dnsMetrics.requests.inc({ server: serverLabel, zone: local ? zone.domain + '.' : '.', proto, type: q.type });
    if (local) return respond(local.rcode, { answers: local.answers, authorities: local.authorities, additionals: local.additionals }, true);
    const cached = cache.get(q);
    if (cached) {
      dnsMetrics.cacheHits.inc();
      const rcode = (cached as DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR';
      return respond(rcode, { answers: cached.answers, authorities: cached.authorities, additionals: (cached.additionals ?? []).filter((a: Answer) => a.type !== 'OPT') });
    }
    dnsMetrics.cacheMisses.inc();
    const res = await forwarder.forward(raw);
    if (!res) return respond('SERVFAIL');
    try {
      const decoded = dnsPacket.decode(res);
      cache.put(q, decoded);
      dnsMetrics.responses.inc({ server: serverLabel, zone: '.', rcode: (decoded as DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR' });
    } catch {
      return respond('SERVFAIL');
    }
    return { bytes: res, maxSize };
  };

  /** A UDP response that does not fit is cut to its header and question with TC set, so the client retries over TCP. */
  const truncate = (bytes: Buffer): Buffer => {
    const p = dnsPacket.decode(bytes);
    return dnsPacket.encode({ id: p.id, type: 'response', flags: (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, questions: p.questions, answers: [], authorities: [], additionals: [] });
  };

  udp.on('message', (msg, rinfo) => {
    handle(msg, 'udp').then(
      (r) => {
        if (!r) return;
        udp.send(r.bytes.length > r.maxSize ? truncate(r.bytes) : r.bytes, rinfo.port, rinfo.address);
      },
      (err: unknown) => log.warn({ err }, 'dns query failed'),
    );
  });
  udp.on('error', (err) => log.warn({ err }, 'dns udp socket error'));

  const sockets = new Set<Socket>();
  tcp.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.setTimeout(10_000, () => s.destroy());
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        handle(msg, 'tcp').then(
          (r) => {
            if (!r || s.destroyed) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(r.bytes.length);
            s.write(Buffer.concat([len, r.bytes]));
          },
          (err: unknown) => log.warn({ err }, 'dns query failed'),
        );
      }
    });
    s.on('error', () => undefined);
  });
  log.info({ address, port, clusterDomain: zone.domain, upstreams: upstreams.map((u) => `${u.host}:${u.port}`) }, 'cluster DNS started');
  return {
    address,
    port,
    zone,
    cache,
    forwarder,
    async close() {
      udp.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      if (ownInformers) await informers.shutdown();
    },
  };
}

/**
 * A UDP socket and a TCP server on one address and port: `wanted`, or for 0 a port the system
 * picks for UDP and TCP then listens on too. That TCP port may be taken by another process: the
 * pair is then bound again on another port (a few times). Handlers are attached by the caller.
 */
async function bindUdpAndTcp(address: string, wanted: number): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address, port: wanted, exclusive: true }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const port = udp.address().port;
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      return { udp, tcp, port };
    } catch (err) {
      udp.close();
      if (wanted !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw err;
    }
  }
}
