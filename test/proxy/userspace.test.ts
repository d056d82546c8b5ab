// The userspace proxier against the real API server: selectorless Services whose EndpointSlices
// the tests write, pointing at real listeners on 127.0.0.x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Agent, get } from 'node:http';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { httpPerRequestMode, proxyModeAnnotation } from '../../src/proxy/service-port.js';
import { metricsText } from '../../src/util/metrics.js';
import { connectFrom, connectResult, createService, slicesFor, httpNameServer, nameServer, readFrom, startEnv, udpAsk, udpEchoServer, writeSlice, type Backend, type Env } from './helpers.js';

async function withEnv(fn: (env: Env, backends: Backend[]) => Promise<void>, opts: Parameters<typeof startEnv>[0] = {}): Promise<void> {
  const env = await startEnv(opts);
  const backends: Backend[] = [];
  try {
    await fn(env, backends);
  } finally {
    await env.close();
    for (const b of backends) await b.close();
  }
}

test('a ClusterIP reaches both endpoints, round-robin', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('a', '127.0.0.2'), await nameServer('b', '127.0.0.3'));
    const svc = await createService(env.client, 'web', { ports: [{ port: 80, targetPort: 8080 }] });
    const slices = await slicesFor(env, 'web', backends);
    await env.proxy.synced([svc, ...slices]);
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await readFrom(svc.spec!.clusterIP!, 80));
    assert.deepEqual(seen.sort(), ['a', 'a', 'a', 'b', 'b', 'b']);
  }));

test('a named targetPort forwards to the port number the slice carries for that name', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('named', '127.0.0.4'));
    const svc = await createService(env.client, 'named', { ports: [{ name: 'web', port: 8081, targetPort: 'http' }, { name: 'other', port: 8082, targetPort: 9 }] });
    const slices = await slicesFor(env, 'named', backends, 'web');
    await env.proxy.synced([svc, ...slices]);
    assert.equal(await readFrom(svc.spec!.clusterIP!, 8081), 'named');
    // The other port has no endpoints: refused.
    assert.equal(await connectResult(svc.spec!.clusterIP!, 8082), 'ECONNREFUSED');
  }));

test('UDP datagrams are forwarded and answered through a per-client association', () =>
  withEnv(async (env, backends) => {
    backends.push(await udpEchoServer('u1', '127.0.0.5'), await udpEchoServer('u2', '127.0.0.6'));
    const svc = await createService(env.client, 'dns-like', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const slices = await slicesFor(env, 'dns-like', backends, 'dns', [], 'UDP');
    await env.proxy.synced([svc, ...slices]);
    const client = createSocket('udp4');
    try {
      const first = await udpAsk(svc.spec!.clusterIP!, 53, 'one', client);
      const second = await udpAsk(svc.spec!.clusterIP!, 53, 'two', client);
      // One client address keeps its association: both to the same endpoint.
      assert.match(first, /^u[12]:one$/);
      assert.equal(second, `${first.split(':')[0]}:two`);
      // Its endpoint leaves the service: the association ends and the next datagram goes to the other.
      const gone = first.startsWith('u1') ? 0 : 1;
      const emptied = await writeSlice(env.client, 'dns-like', `dns-like-${gone}`, [], [{ name: 'dns', port: backends[gone].port, protocol: 'UDP' }]);
      await env.proxy.synced(emptied);
      assert.equal(await udpAsk(svc.spec!.clusterIP!, 53, 'three', client), `${backends[1 - gone].name}:three`);
    } finally {
      client.close();
    }
  }));

test('UDP clients on different addresses are spread over the endpoints', () =>
  withEnv(async (env, backends) => {
    backends.push(await udpEchoServer('u1', '127.0.0.24'), await udpEchoServer('u2', '127.0.0.25'));
    const svc = await createService(env.client, 'udp-spread', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const slices = await slicesFor(env, 'udp-spread', backends, 'dns', [], 'UDP');
    await env.proxy.synced([svc, ...slices]);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await udpAsk(svc.spec!.clusterIP!, 53, 'x')).split(':')[0]);
    assert.deepEqual([...seen].sort(), ['u1', 'u2']);
  }));

test('sessionAffinity ClientIP pins a client to one endpoint', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('a', '127.0.0.7'), await nameServer('b', '127.0.0.8'));
    const svc = await createService(env.client, 'sticky', { ports: [{ port: 80 }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    const slices = await slicesFor(env, 'sticky', backends);
    await env.proxy.synced([svc, ...slices]);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await readFrom(svc.spec!.clusterIP!, 80, '127.0.0.1'));
    assert.equal(seen.size, 1);
    // Another client address may land elsewhere, and is pinned too.
    const other = new Set<string>();
    for (let i = 0; i < 4; i++) other.add(await readFrom(svc.spec!.clusterIP!, 80, '127.0.0.9'));
    assert.equal(other.size, 1);
  }));

test('terminating endpoints are used only when no endpoint is ready', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('old', '127.0.0.10'), await nameServer('new', '127.0.0.11'));
    const svc = await createService(env.client, 'rolling', { ports: [{ port: 80 }] });
    let slices = await slicesFor(env, 'rolling', backends, '', [{ ready: false, serving: true, terminating: true }, { ready: false, serving: false }]);
    await env.proxy.synced([svc, ...slices]);
    for (let i = 0; i < 3; i++) assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'old');
    slices = await slicesFor(env, 'rolling', backends, '', [{ ready: false, serving: true, terminating: true }, { ready: true }]);
    await env.proxy.synced(slices);
    for (let i = 0; i < 3; i++) assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'new');
  }));

test('a service without endpoints refuses connections; removing an endpoint takes effect within one sync', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('a', '127.0.0.12'), await nameServer('b', '127.0.0.13'));
    const svc = await createService(env.client, 'shrink', { ports: [{ port: 80 }] });
    await env.proxy.synced(svc);
    assert.equal(await connectResult(svc.spec!.clusterIP!, 80), 'ECONNREFUSED');
    const slices = await slicesFor(env, 'shrink', backends);
    await env.proxy.synced(slices);
    assert.equal(await connectResult(svc.spec!.clusterIP!, 80), 'connected');
    // Drop b: once the sync that applied the write is done, only a is used (bench/proxy times it).
    const updated = await writeSlice(env.client, 'shrink', 'shrink-1', [], [{ name: '', port: backends[1].port, protocol: 'TCP' }]);
    await env.proxy.synced(updated);
    for (let i = 0; i < 4; i++) assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'a');
    // Deleting the other slice leaves none: refused again.
    await env.client.resource(resources.endpointSlices).delete('shrink-0', { namespace: 'default' });
    const deadline = Date.now() + 5000;
    for (;;) {
      // Listen for the next sync before looking, so one that lands in between is not missed.
      const nextSync = new Promise((r) => env.proxy.events.once('sync', r));
      if ((await connectResult(svc.spec!.clusterIP!, 80)) === 'ECONNREFUSED') break;
      assert.ok(Date.now() < deadline, 'still connecting after the last slice was deleted');
      await Promise.race([nextSync, new Promise((r) => setTimeout(r, 100))]);
    }
  }));

test('a NodePort is reachable on the node address; externalTrafficPolicy Local keeps it to this node’s endpoints', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('here', '127.0.0.14'), await nameServer('there', '127.0.0.15'));
    const svc = await createService(env.client, 'np', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    const slices = await slicesFor(env, 'np', backends, '', [{ nodeName: 'node-a' }, { nodeName: 'node-b' }]);
    await env.proxy.synced([svc, ...slices]);
    const nodePort = svc.spec!.ports![0].nodePort!;
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    for (let i = 0; i < 4; i++) assert.equal(await readFrom(env.nodeAddress, nodePort), 'here');
    // Cluster traffic is not restricted by the external policy.
    const viaCluster = new Set<string>();
    for (let i = 0; i < 4; i++) viaCluster.add(await readFrom(svc.spec!.clusterIP!, 80));
    assert.deepEqual([...viaCluster].sort(), ['here', 'there']);
  }));

test('internalTrafficPolicy Local keeps ClusterIP traffic on this node, and none there means refused', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('there', '127.0.0.16'));
    const svc = await createService(env.client, 'itp', { internalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    const slices = await slicesFor(env, 'itp', backends, '', [{ nodeName: 'node-b' }]);
    await env.proxy.synced([svc, ...slices]);
    assert.equal(await connectResult(svc.spec!.clusterIP!, 80), 'ECONNREFUSED');
  }));

test('a LoadBalancer Service gets the node address as its ingress and is reachable there', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('lb', '127.0.0.17'));
    const svc = await createService(env.client, 'lb', { type: 'LoadBalancer', ports: [{ port: 8443 }] });
    const slices = await slicesFor(env, 'lb', backends);
    await env.proxy.synced([svc, ...slices]);
    await env.proxy.loadBalancer!.idle();
    const got = await env.client.resource(resources.services).get('lb', { namespace: 'default' });
    assert.deepEqual(got.status?.loadBalancer?.ingress, [{ ip: env.nodeAddress, ipMode: 'VIP' }]);
    await env.proxy.synced(got);
    assert.equal(await readFrom(env.nodeAddress, 8443), 'lb');
    assert.equal(await readFrom(env.nodeAddress, got.spec!.ports![0].nodePort!), 'lb');
  }));

test('loadBalancerSourceRanges: a client outside the ranges is refused on the load-balancer IP, and a changed range list applies at once; the NodePort is not restricted', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('fw', '127.0.0.21'));
    const services = env.client.resource(resources.services);
    const svc = await createService(env.client, 'fw', { type: 'LoadBalancer', loadBalancerSourceRanges: ['127.2.0.0/16'], ports: [{ port: 8444 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'fw', backends))]);
    await env.proxy.loadBalancer!.idle();
    const got = await services.get('fw', { namespace: 'default' });
    await env.proxy.synced(got);
    assert.equal(await readFrom(env.nodeAddress, 8444, '127.2.0.1'), 'fw');
    assert.equal(await connectFrom(env.nodeAddress, 8444, '127.3.0.1'), 'ECONNRESET');
    assert.equal(await readFrom(env.nodeAddress, got.spec!.ports![0].nodePort!, '127.3.0.1'), 'fw');
    const widened = await services.patch('fw', { spec: { loadBalancerSourceRanges: ['127.0.0.0/8'] } }, { namespace: 'default', type: 'merge' });
    await env.proxy.synced(widened);
    assert.equal(await readFrom(env.nodeAddress, 8444, '127.3.0.1'), 'fw');
  }));

test('externalIPs are listened on at the service port', () =>
  withEnv(async (env, backends) => {
    backends.push(await nameServer('ext', '127.0.0.18'));
    // NodePort, because the API server's validation still rejects the defaulted externalTrafficPolicy on a ClusterIP service with externalIPs.
    const svc = await createService(env.client, 'ext', { type: 'NodePort', externalIPs: ['127.0.0.19'], ports: [{ port: 8080 }] });
    const slices = await slicesFor(env, 'ext', backends);
    await env.proxy.synced([svc, ...slices]);
    assert.equal(await readFrom('127.0.0.19', 8080), 'ext');
  }));

async function httpSpread(host: string, port: number, n: number): Promise<Map<string, number>> {
  // One kept-alive connection carries every request.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const counts = new Map<string, number>();
  try {
    for (let i = 0; i < n; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        get({ host, port, path: '/', agent }, (res) => {
          let b = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      counts.set(body, (counts.get(body) ?? 0) + 1);
    }
  } finally {
    agent.destroy();
  }
  return counts;
}

test('keep-alive HTTP: per-connection balancing pins a connection, the per-request annotation spreads its requests', () =>
  withEnv(async (env, backends) => {
    backends.push(await httpNameServer('h1', '127.0.0.20'), await httpNameServer('h2', '127.0.0.21'));
    const pinned = await createService(env.client, 'pinned', { ports: [{ port: 80 }] });
    const spread = await createService(env.client, 'spread', { ports: [{ port: 80 }] }, { metadata: { annotations: { [proxyModeAnnotation]: httpPerRequestMode } } });
    const slices = [...(await slicesFor(env, 'pinned', backends)), ...(await slicesFor(env, 'spread', backends))];
    await env.proxy.synced([pinned, spread, ...slices]);
    const perConnection = await httpSpread(pinned.spec!.clusterIP!, 80, 10);
    assert.equal(perConnection.size, 1, `one connection, one endpoint: ${JSON.stringify([...perConnection])}`);
    const perRequest = await httpSpread(spread.spec!.clusterIP!, 80, 10);
    assert.deepEqual([...perRequest].sort(), [['h1', 5], ['h2', 5]]);
  }));

test('least-connections sends a new connection to the endpoint with fewer open ones', () =>
  withEnv(
    async (env, backends) => {
      // Backends that hold connections open until the client ends them.
      const { createServer } = await import('node:net');
      const held = [];
      for (const [name, ip] of [['a', '127.0.0.22'], ['b', '127.0.0.23']]) {
        const server = createServer((s) => {
          s.write(`${name}\n`);
          s.on('end', () => s.end());
        });
        await new Promise<void>((r) => server.listen(0, ip, r));
        const port = (server.address() as { port: number }).port;
        held.push({ name, ip, port, close: () => new Promise<void>((r) => server.close(() => r())) });
      }
      backends.push(...held);
      const svc = await createService(env.client, 'lc', { ports: [{ port: 80 }] });
      const slices = await slicesFor(env, 'lc', backends);
      await env.proxy.synced([svc, ...slices]);
      const { connect } = await import('node:net');
      const open = (): Promise<{ name: string; end(): void }> =>
        new Promise((resolve, reject) => {
          const s = connect({ host: svc.spec!.clusterIP!, port: 80 });
          s.setEncoding('utf8');
          s.once('data', (d: string) => resolve({ name: d.trim(), end: () => s.end() }));
          s.on('error', reject);
        });
      const first = await open();
      const second = await open();
      assert.notEqual(first.name, second.name);
      second.end();
      // Wait until the proxy has seen the close of `second`.
      const balancer = (env.proxy.proxier as unknown as { balancer(k: string): { activeConnections(k: string): number } }).balancer('default/lc:');
      const secondKey = `${held.find((h) => h.name === second.name)!.ip}:${held.find((h) => h.name === second.name)!.port}`;
      while (balancer.activeConnections(secondKey) > 0) await new Promise((r) => setTimeout(r, 5));
      // `first` is still open: the next two go to the idle endpoint... the first of them at least.
      const third = await open();
      assert.equal(third.name, second.name);
      first.end();
      third.end();
    },
    { algorithm: 'least-connections' },
  ));

test('the sync latency histogram is served in /metrics', async () => {
  const text = await metricsText();
  assert.match(text, /kubeproxy_sync_proxy_rules_duration_seconds_count \d+/);
});
