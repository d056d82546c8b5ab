// Forwarding of queries outside the cluster domain to the host's resolvers (CoreDNS's forward
// plugin, simplified): over UDP from a fresh socket per query (a random source port each time),
// retried over TCP when the answer comes back truncated; the next upstream is tried on a
// timeout or error. Resolves with the upstream's raw response, or undefined when none answered.
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { dnsMetrics } from '../metrics.js';
import type { Upstream } from './resolv-conf.js';

export class Forwarder {
  constructor(
    readonly upstreams: Upstream[],
    private readonly timeoutMs = 2000,
  ) {}

  async forward(query: Buffer): Promise<Buffer | undefined> {
    for (const up of this.upstreams) {
      dnsMetrics.forwardRequests.inc({ to: `${up.host}:${up.port}` });
      try {
        const res = await this.udp(up, query);
        if (res.length >= 4 && (res.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE) !== 0) return await this.tcp(up, query);
        return res;
      } catch {
        // next upstream
      }
    }
    return undefined;
  }

  private udp(up: Upstream, query: Buffer): Promise<Buffer> {
    const id = query.readUInt16BE(0);
    const sock = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error('timeout')), this.timeoutMs);
      const finish = (err: Error | undefined, res?: Buffer) => {
        clearTimeout(timer);
        sock.close();
        if (err) reject(err);
        else resolve(res!);
      };
      sock.on('message', (msg, rinfo) => {
        // Only the upstream's answer to this id counts (anything else is spoofing or stale).
        if (rinfo.address !== up.host || rinfo.port !== up.port || msg.length < 2 || msg.readUInt16BE(0) !== id) return;
        finish(undefined, msg);
      });
      sock.on('error', (err) => finish(err));
      sock.send(query, up.port, up.host);
    });
  }

  private tcp(up: Upstream, query: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: up.host, port: up.port });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => s.destroy(new Error('timeout')), this.timeoutMs);
      s.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        s.write(Buffer.concat([len, query]));
      });
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          s.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      s.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      s.on('close', () => {
        clearTimeout(timer);
        reject(new Error('closed'));
      });
    });
  }
}
