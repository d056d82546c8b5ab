// TCP forwarding: each accepted connection is piped to one endpoint chosen when it arrives.
// A connection that finds no endpoint, or whose endpoint refuses, is reset (the client sees
// ECONNRESET; when a service port has no endpoints at all its listener is closed instead, so
// clients get ECONNREFUSED as with upstream's REJECT rule).
import { createServer, connect, type Socket } from 'node:net';
import { proxyMetrics } from '../metrics.js';
import type { EndpointPicker, Listener } from './frontend.js';

const connectTimeoutMs = 5000;

export async function listenTcp(address: string, port: number, picker: EndpointPicker): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const ep = picker.pick(client.remoteAddress);
    if (!ep) {
      proxyMetrics.connections.inc({ protocol: 'TCP', result: 'no_endpoint' });
      client.resetAndDestroy();
      return;
    }
    const done = picker.open(ep);
    const upstream = connect({ host: ep.ip, port: ep.port, noDelay: true, timeout: connectTimeoutMs });
    sockets.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      proxyMetrics.connections.inc({ protocol: 'TCP', result: 'forwarded' });
    });
    upstream.once('timeout', () => upstream.destroy(new Error('connect timeout')));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => {
      if (!connected) proxyMetrics.connections.inc({ protocol: 'TCP', result: 'endpoint_error' });
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => {
      sockets.delete(upstream);
      done();
      // A half-close (FIN) is passed on by pipe(); a full close of the endpoint ends the client too.
      if (!client.destroyed && client.writableEnded === false) client.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  return {
    close: (destroyConnections) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (destroyConnections) for (const s of sockets) s.destroy();
        else resolve();
      }),
  };
}
