// UDP forwarding: datagrams from one client address form an association with one endpoint (a
// connected socket of our own), so replies find their way back; an association ends after
// `idleTimeoutMs` without traffic either way, as a conntrack entry would, or when its endpoint
// leaves the service.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { proxyMetrics } from '../metrics.js';
import type { EndpointPicker, Listener } from './frontend.js';

interface Association {
  endpoint: string;
  socket: Socket;
  timer: NodeJS.Timeout;
  done(): void;
}

export async function listenUdp(address: string, port: number, picker: EndpointPicker, idleTimeoutMs: number): Promise<Listener> {
  const type = isIPv6(address) ? 'udp6' : 'udp4';
  const server = createSocket({ type, reuseAddr: false });
  const associations = new Map<string, Association>();
  const end = (key: string) => {
    const a = associations.get(key);
    if (!a) return;
    associations.delete(key);
    clearTimeout(a.timer);
    a.done();
    a.socket.close();
  };
  const associate = (client: RemoteInfo): Association | undefined => {
    const key = `${client.address}:${client.port}`;
    const existing = associations.get(key);
    if (existing) return existing;
    const ep = picker.pick(client.address);
    if (!ep) {
      proxyMetrics.connections.inc({ protocol: 'UDP', result: 'no_endpoint' });
      return undefined;
    }
    const socket = createSocket(isIPv6(ep.ip) ? 'udp6' : 'udp4');
    socket.connect(ep.port, ep.ip);
    const a: Association = { endpoint: ep.key, socket, timer: setTimeout(() => end(key), idleTimeoutMs), done: picker.open(ep) };
    a.timer.unref();
    socket.on('message', (msg) => {
      a.timer.refresh();
      server.send(msg, client.port, client.address);
    });
    // An ICMP port-unreachable from the endpoint surfaces here; the association ends.
    socket.on('error', () => end(key));
    associations.set(key, a);
    proxyMetrics.connections.inc({ protocol: 'UDP', result: 'forwarded' });
    return a;
  };
  server.on('message', (msg, rinfo) => {
    const a = associate(rinfo);
    if (!a) return;
    a.timer.refresh();
    const send = () => a.socket.send(msg, (err) => err && end(`${rinfo.address}:${rinfo.port}`));
    // connect() is asynchronous; the first datagram waits for it.
    if (isConnected(a.socket)) send();
    else a.socket.once('connect', send);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  return {
    close: async () => {
      for (const key of [...associations.keys()]) end(key);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    // As upstream flushes conntrack entries of removed UDP endpoints: the client's next datagram picks anew.
    endpointsChanged(endpoints) {
      const keep = new Set(endpoints.filter((e) => e.ready || e.serving).map((e) => e.key));
      for (const [key, a] of associations) if (!keep.has(a.endpoint)) end(key);
    },
  };
}

function isConnected(socket: Socket): boolean {
  try {
    socket.remoteAddress();
    return true;
  } catch {
    return false;
  }
}
