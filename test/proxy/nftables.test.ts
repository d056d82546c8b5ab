// The kernel (nftables) proxier against the real API server: selectorless Services whose
// EndpointSlices the tests write, pointing at real listeners on 127.x addresses; clients are
// host processes, so their packets take the nat output hook. Needs root and nft; skipped otherwise.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { proxierFactories } from '../../src/proxy/proxy.js';
import { NftablesProxier, nftablesProxier } from '../../src/proxy/nftables/proxier.js';
import { nftAvailable, runNft } from '../../src/proxy/nftables/nft.js';
import { routeLocalnet } from '../../src/proxy/nftables/sysctl.js';
import { connectFrom, connectResult, createService, slicesFor, spread, nameServer, randomLoopback, readFrom, startEnv, udpAsk, udpEchoServer, writeSlice, type Backend, type Env } from './helpers.js';

const table = 'k8ts-proxy-test';
const mode = 'nftables-test';
const skip = process.getuid?.() !== 0 ? 'needs root' : await nftAvailable();
// Registered here until the lead adds `nftables` to proxierFactories; a table of the tests' own.
proxierFactories[mode] = (o) => nftablesProxier({ ...o, table });
// Compile-time proof that the factory fits proxierFactories as it is typed.
const asRegistered: (typeof proxierFactories)[string] = nftablesProxier;
void asRegistered;

/** A non-loopback IPv4 address of this host (the "other" node address), if any. */
const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

let localnetBefore: string | undefined;
before(async () => {
  if (!skip) localnetBefore = await routeLocalnet();
});
// Even when a test fails half-way: no table of ours and the sysctl as it was.
after(async () => {
  if (skip) return;
  await runNft(['-f', '-'], `add table ip ${table}\ndelete table ip ${table}\n`).catch(() => undefined);
  if (localnetBefore !== undefined && (await routeLocalnet()) !== localnetBefore) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', `${localnetBefore}\n`);
  }
});

async function withEnv(t: TestContext, fn: (env: Env, backends: Backend[], proxier: NftablesProxier) => Promise<void>): Promise<void> {
  const env = await startEnv({ mode, nodeAddresses: [randomLoopback(), '127.0.0.1', ...(hostAddress ? [hostAddress] : [])] });
  const backends: Backend[] = [];
  try {
    assert.equal(env.proxy.proxier.mode, 'nftables');
    await fn(env, backends, env.proxy.proxier as NftablesProxier);
  } finally {
    await env.close();
    for (const b of backends) await b.close();
  }
  t.diagnostic('table removed on stop');
}

test('a ClusterIP reaches both endpoints, chosen at random per connection', { skip }, (t) =>
  withEnv(t, async (env, backends, proxier) => {
    backends.push(await nameServer('a', '127.1.0.2'), await nameServer('b', '127.1.0.3'));
    const svc = await createService(env.client, 'web', { ports: [{ port: 80, targetPort: 8080 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'web', backends))]);
    const counts = await spread(svc.spec!.clusterIP!, 80, 60);
    // P(one endpoint gets fewer than 10 of 60 at p=1/2) is about 1e-7.
    assert.deepEqual([...counts.keys()].sort(), ['a', 'b']);
    assert.ok(counts.get('a')! >= 10 && counts.get('b')! >= 10, JSON.stringify([...counts]));
    const ruleset = await proxier.listTable();
    // The map layout: the ClusterIP goes to the shared chain for two endpoints, whose map holds them.
    const cip = svc.spec!.clusterIP!.replace(/\./g, '\\.');
    assert.match(ruleset, new RegExp(`${cip} \\. tcp \\. 80 : goto pick-ip-2`));
    assert.match(ruleset, /dnat ip to ip daddr \. meta l4proto \. th dport \. numgen random mod 2 map @endpoints-ip-2/);
    assert.match(ruleset, new RegExp(`${cip} \\. tcp \\. 80 \\. [01] : 127\\.1\\.0\\.2 \\. \\d+`));
    assert.doesNotMatch(ruleset, /chain (service|endpoint)-[0-9A-F]{8}-/, 'no chain per service port or endpoint');
  }));

test('a named targetPort forwards to the slice port of that name; a port without endpoints is refused with a reset', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('named', '127.1.0.4'));
    const svc = await createService(env.client, 'named', { ports: [{ name: 'web', port: 8081, targetPort: 'http' }, { name: 'other', port: 8082, targetPort: 9 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'named', backends, 'web'))]);
    assert.equal(await readFrom(svc.spec!.clusterIP!, 8081), 'named');
    const started = performance.now();
    assert.equal(await connectResult(svc.spec!.clusterIP!, 8082), 'ECONNREFUSED');
    // A reset arrives at once (a drop would take the SYN retry timeout, seconds).
    assert.ok(performance.now() - started < 500);
  }));

test('UDP datagrams reach the endpoints through the ClusterIP, and a UDP port without endpoints answers port unreachable', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await udpEchoServer('u1', '127.1.0.5'), await udpEchoServer('u2', '127.1.0.6'));
    const svc = await createService(env.client, 'dns-like', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'none', port: 54, protocol: 'UDP' }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'dns-like', backends, 'dns', [], 'UDP'))]);
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) seen.add((await udpAsk(svc.spec!.clusterIP!, 53, `q${i}`)).split(':')[0]);
    assert.deepEqual([...seen].sort(), ['u1', 'u2']);
    // One client socket is one conntrack flow: it keeps its endpoint.
    const client = createSocket('udp4');
    try {
      const first = await udpAsk(svc.spec!.clusterIP!, 53, 'one', client);
      assert.equal(await udpAsk(svc.spec!.clusterIP!, 53, 'two', client), `${first.split(':')[0]}:two`);
    } finally {
      client.close();
    }
    // A connected UDP socket learns of the ICMP port unreachable as ECONNREFUSED on its next send.
    const refused = await new Promise<string>((resolve) => {
      const s = createSocket('udp4');
      let timer: NodeJS.Timeout | undefined;
      const done = (result: string) => {
        clearInterval(timer);
        s.close();
        resolve(result);
      };
      const deadline = setTimeout(() => done('no error'), 3000);
      s.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        done(err.code ?? String(err));
      });
      s.connect(54, svc.spec!.clusterIP!, () => {
        s.send('x');
        timer = setInterval(() => s.send('y'), 50);
      });
    });
    assert.equal(refused, 'ECONNREFUSED');
  }));

test('sessionAffinity ClientIP pins each client address to one endpoint', { skip }, (t) =>
  withEnv(t, async (env, backends, proxier) => {
    backends.push(await nameServer('a', '127.1.0.7'), await nameServer('b', '127.1.0.8'));
    const svc = await createService(env.client, 'sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ port: 80 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'sticky', backends))]);
    const firsts = new Set<string>();
    for (const client of ['127.2.0.1', '127.2.0.2', '127.2.0.3', '127.2.0.4', '127.2.0.5', '127.2.0.6']) {
      const counts = await spread(svc.spec!.clusterIP!, 80, 8, client);
      assert.equal(counts.size, 1, `${client} was spread: ${JSON.stringify([...counts])}`);
      firsts.add([...counts.keys()][0]);
    }
    const ruleset = await proxier.listTable();
    assert.match(ruleset, /flags dynamic,timeout\s+timeout 10m/);
    assert.match(ruleset, /update @affinity-\S+ \{ ip saddr \}/);
    // The pinned addresses are in the affinity sets.
    assert.match(ruleset, /elements = \{ [^}]*127\.2\.0\.1 expires/);
    t.diagnostic(`6 clients pinned to ${[...firsts].join(',')}`);
  }));

test('terminating endpoints are used only when no endpoint is ready', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('old', '127.1.0.9'), await nameServer('new', '127.1.0.10'));
    await createService(env.client, 'rolling', { ports: [{ port: 80 }] });
    const svc = await env.client.resource((await import('../../src/client/rest/builtin-resources.js')).resources.services).get('rolling', { namespace: 'default' });
    let slices = await slicesFor(env, 'rolling', backends, '', [{ ready: false, serving: true, terminating: true }, { ready: false, serving: false }]);
    await env.proxy.synced([svc, ...slices]);
    assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['old']);
    slices = await slicesFor(env, 'rolling', backends, '', [{ ready: false, serving: true, terminating: true }, { ready: true }]);
    await env.proxy.synced(slices);
    assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['new']);
  }));

test('removing an endpoint takes effect at the next sync, and scaling to zero refuses connections', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('a', '127.1.0.11'), await nameServer('b', '127.1.0.12'));
    const svc = await createService(env.client, 'shrink', { ports: [{ port: 80 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'shrink', backends))]);
    assert.equal((await spread(svc.spec!.clusterIP!, 80, 40)).size, 2);
    const latencies: number[] = [];
    const written = performance.now();
    const emptied = await writeSlice(env.client, 'shrink', 'shrink-1', [], [{ name: '', port: backends[1].port, protocol: 'TCP' }]);
    await env.proxy.synced(emptied);
    latencies.push(performance.now() - written);
    assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 20)).keys()], ['a']);
    const written2 = performance.now();
    const none = await writeSlice(env.client, 'shrink', 'shrink-0', [], [{ name: '', port: backends[0].port, protocol: 'TCP' }]);
    await env.proxy.synced(none);
    latencies.push(performance.now() - written2);
    assert.equal(await connectResult(svc.spec!.clusterIP!, 80), 'ECONNREFUSED');
    t.diagnostic(`write → rules in effect: ${latencies.map((l) => l.toFixed(1)).join(' ms, ')} ms`);
  }));

test('a NodePort is reachable on 127.0.0.1 and on the host’s other address', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('np', '127.1.0.13'));
    const svc = await createService(env.client, 'np', { type: 'NodePort', ports: [{ port: 80 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'np', backends))]);
    const nodePort = svc.spec!.ports![0].nodePort!;
    assert.equal(await readFrom('127.0.0.1', nodePort), 'np');
    if (hostAddress) assert.equal(await readFrom(hostAddress, nodePort), 'np');
    else t.diagnostic('no non-loopback IPv4 address on this host; only 127.0.0.1 tested');
    // The ClusterIP as well.
    assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'np');
  }));

test('externalIPs are served like the ClusterIP', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('ext', '127.1.0.14'));
    const externalIP = '198.51.100.7';
    const svc = await createService(env.client, 'ext', { type: 'NodePort', externalIPs: [externalIP], ports: [{ port: 8080 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'ext', backends))]);
    assert.equal(await readFrom(externalIP, 8080), 'ext');
  }));

test('a LoadBalancer Service gets the node address as its ingress, which is served like the ClusterIP', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('lb', '127.1.0.24'));
    const svc = await createService(env.client, 'lb', { type: 'LoadBalancer', ports: [{ port: 8443 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'lb', backends))]);
    await env.proxy.loadBalancer!.idle();
    const got = await env.client.resource((await import('../../src/client/rest/builtin-resources.js')).resources.services).get('lb', { namespace: 'default' });
    const ingress = got.status?.loadBalancer?.ingress?.[0]?.ip;
    assert.ok(ingress);
    await env.proxy.synced(got);
    assert.equal(await readFrom(ingress, 8443), 'lb');
  }));

test('loadBalancerSourceRanges: clients in the ranges reach the load-balancer IP, others are dropped before DNAT; the NodePort is not restricted', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('fw', '127.1.0.25'));
    const svc = await createService(env.client, 'fw', { type: 'LoadBalancer', loadBalancerSourceRanges: ['127.2.0.0/16'], ports: [{ port: 8444 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'fw', backends))]);
    await env.proxy.loadBalancer!.idle();
    const got = await env.client.resource((await import('../../src/client/rest/builtin-resources.js')).resources.services).get('fw', { namespace: 'default' });
    const ingress = got.status!.loadBalancer!.ingress![0].ip!;
    await env.proxy.synced(got);
    assert.equal(await readFrom(ingress, 8444, '127.2.0.1'), 'fw');
    assert.equal(await connectFrom(ingress, 8444, '127.3.0.1'), 'no answer');
    assert.equal(await readFrom(ingress, got.spec!.ports![0].nodePort!, '127.3.0.1'), 'fw');
    const ruleset = await runNft(['list', 'table', 'ip', table], '');
    assert.match(ruleset, new RegExp(`${ingress.replaceAll('.', '\\.')} \\. tcp \\. 8444 : goto firewall-[0-9A-F]{8}-default/fw/tcp/`));
    assert.match(ruleset, /ip saddr != 127\.2\.0\.0\/16 drop/);
  }));

test('TCP, UDP and SCTP service ports are all written (SCTP DNAT rules are accepted by the kernel)', { skip }, async () => {
  const { quietLog } = await import('./helpers.js');
  const { servicePortsOf } = await import('../../src/proxy/service-port.js');
  const { endpointsBySlices } = await import('../../src/proxy/endpoint.js');
  const p = await NftablesProxier.create({ nodeName: 'n', nodeAddresses: ['127.0.0.1'], serviceCidr: '10.96.0.0/12', log: quietLog, table, routeLocalnet: false, manageLocalRoute: false });
  try {
    const ports = [
      { name: 't', port: 80, protocol: 'TCP', nodePort: 30001 },
      { name: 'u', port: 80, protocol: 'UDP', nodePort: 30001 },
      { name: 's', port: 80, protocol: 'SCTP', nodePort: 30001 },
    ];
    const services = servicePortsOf({ metadata: { namespace: 'default', name: 'multi' }, spec: { type: 'NodePort', clusterIP: '10.96.200.3', ports } });
    const endpoints = endpointsBySlices([
      { metadata: { namespace: 'default', name: 'multi', labels: { 'kubernetes.io/service-name': 'multi' } }, addressType: 'IPv4', ports: ports.map((x) => ({ name: x.name, port: 9000, protocol: x.protocol })), endpoints: [{ addresses: ['127.1.0.32'] }] },
    ]);
    await p.sync({ services, endpoints }, new Set(services.keys()));
    assert.deepEqual([...p.failed.keys()], []);
    const ruleset = await p.listTable();
    for (const proto of ['tcp', 'udp', 'sctp']) {
      assert.match(ruleset, new RegExp(`10\\.96\\.200\\.3 \\. ${proto} \\. 80 : goto pick-ip-1`));
      assert.match(ruleset, new RegExp(`${proto} \\. 30001 : goto pick-nodeport-1`));
      assert.match(ruleset, new RegExp(`10\\.96\\.200\\.3 \\. ${proto} \\. 80 \\. 0 : 127\\.1\\.0\\.32 \\. 9000`));
      assert.match(ruleset, new RegExp(`${proto} \\. 30001 \\. 0 : 127\\.1\\.0\\.32 \\. 9000`));
    }
  } finally {
    await p.stop();
  }
});

test('a pod reaching itself through its service (hairpin) is masqueraded and answered', { skip }, (t) =>
  withEnv(t, async (env, backends) => {
    backends.push(await nameServer('self', '127.1.0.15'));
    const svc = await createService(env.client, 'hairpin', { ports: [{ port: 80 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'hairpin', backends))]);
    assert.equal(await readFrom(svc.spec!.clusterIP!, 80, '127.1.0.15'), 'self');
  }));

test('internalTrafficPolicy Local sends ClusterIP traffic to this node’s endpoints only, and drops it when there are none', { skip }, (t) =>
  withEnv(t, async (env, backends, proxier) => {
    backends.push(await nameServer('here', '127.1.0.16'), await nameServer('there', '127.1.0.17'));
    const svc = await createService(env.client, 'itp', { internalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    let slices = await slicesFor(env, 'itp', backends, '', [{ nodeName: 'node-a' }, { nodeName: 'node-b' }]);
    await env.proxy.synced([svc, ...slices]);
    assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['here']);
    slices = await slicesFor(env, 'itp', backends, '', [{ nodeName: 'node-b' }, { nodeName: 'node-b' }]);
    await env.proxy.synced(slices);
    assert.match(await proxier.listTable(), new RegExp(`${svc.spec!.clusterIP!.replace(/\./g, '\\.')} \\. tcp \\. 80 : drop`));
  }));

/** Polls `cond` (no event tells when a deletion's sync has happened for a bare resourceVersion). */
async function waitFor(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Chain name → body, from `nft list table`. */
function chainsOf(ruleset: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of ruleset.matchAll(/^\tchain (\S+) \{\n([\s\S]*?)^\t\}/gm)) out.set(m[1], m[2]);
  return out;
}

test('an incremental sync rewrites only the chains of the changed service port', { skip }, (t) =>
  withEnv(t, async (env, backends, proxier) => {
    backends.push(await nameServer('a', '127.1.0.18'), await nameServer('b', '127.1.0.19'), await nameServer('c', '127.1.0.20'));
    const one = await createService(env.client, 'one', { ports: [{ port: 80 }] });
    const two = await createService(env.client, 'two', { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
    await env.proxy.synced([one, two, ...(await slicesFor(env, 'one', backends.slice(0, 2))), ...(await slicesFor(env, 'two', backends.slice(0, 2)))]);
    assert.equal(proxier.lastSync?.full, false, 'the service creations after the first sync are incremental');
    const before = chainsOf(await proxier.listTable());
    // "two" loses an endpoint and gains another.
    const slices = await slicesFor(env, 'two', [backends[0], backends[2]]);
    await env.proxy.synced(slices);
    assert.equal(proxier.lastSync?.full, false);
    assert.equal(proxier.lastSync?.servicePorts, 1);
    const afterSync = chainsOf(await proxier.listTable());
    const changed = [...new Set([...before.keys(), ...afterSync.keys()])].filter((c) => before.get(c) !== afterSync.get(c));
    assert.ok(changed.length >= 3, changed.join(' '));
    for (const c of changed) assert.match(c, /^(service|endpoint)-[0-9A-F]{8}-default\/two\//, `chain ${c} changed`);
    // The unchanged endpoint's chain is kept as it was; the old one is gone, the new one added.
    assert.ok(afterSync.has([...before.keys()].find((c) => c.startsWith('endpoint-') && c.includes('default/two/') && c.includes('127.1.0.18'))!));
    assert.ok(![...afterSync.keys()].some((c) => c.includes('default/two/') && c.includes('127.1.0.19')));
    assert.ok([...afterSync.keys()].some((c) => c.includes('default/two/') && c.includes('127.1.0.20')));
    t.diagnostic(`changed chains: ${changed.length}; script: ${proxier.lastSync?.commands} commands, nft ${proxier.lastSync?.applyMs.toFixed(1)} ms`);
    // And traffic follows.
    assert.deepEqual([...(await spread(one.spec!.clusterIP!, 80, 30)).keys()].sort(), ['a', 'b']);
    const seen = new Set<string>();
    for (const client of ['127.3.0.1', '127.3.0.2', '127.3.0.3', '127.3.0.4', '127.3.0.5', '127.3.0.6', '127.3.0.7', '127.3.0.8']) seen.add(await readFrom(two.spec!.clusterIP!, 80, client));
    assert.ok(!seen.has('b'), [...seen].join());
    // Deleting a service removes its chains, maps and elements, again incrementally.
    await env.client.resource((await import('../../src/client/rest/builtin-resources.js')).resources.services).delete('one', { namespace: 'default' });
    await waitFor(async () => !(await proxier.listTable()).includes(`${one.spec!.clusterIP} . tcp . 80`));
    assert.equal(proxier.lastSync?.full, false);
    assert.match(await proxier.listTable(), /default\/two\//);
    assert.equal(await connectResult(one.spec!.clusterIP!, 80), 'ECONNREFUSED');
  }));

test('a leftover table from an earlier run is deleted on start, and stop deletes ours', { skip }, async () => {
  const leftover = 'k8ts-proxy-test-leftover';
  await runNft(['-f', '-'], `add table ip ${leftover}\nadd chain ip ${leftover} junk\n`);
  const { quietLog } = await import('./helpers.js');
  const p = await NftablesProxier.create({ nodeName: 'n', nodeAddresses: [], serviceCidr: '10.96.0.0/12', log: quietLog, table: leftover, routeLocalnet: false, manageLocalRoute: false });
  await assert.rejects(runNft(['list', 'chain', 'ip', leftover, 'junk']));
  await p.sync({ services: new Map(), endpoints: new Map() }, new Set());
  assert.match(await p.listTable(), /chain services/);
  await p.stop();
  await assert.rejects(runNft(['list', 'table', 'ip', leftover]));
});

test('a rejected transaction is followed by a full rewrite that restores the table', { skip }, (t) =>
  withEnv(t, async (env, backends, proxier) => {
    backends.push(await nameServer('a', '127.1.0.21'), await nameServer('b', '127.1.0.22'));
    const svc = await createService(env.client, 'tampered', { ports: [{ port: 80 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'tampered', backends))]);
    // Someone edits our table behind our back: the next incremental update of that service port
    // (which deletes b's element, gone already) fails as a whole, and the proxier rewrites the table.
    const cip = svc.spec!.clusterIP!;
    await runNft(['-f', '-'], `delete element ip ${table} endpoints-ip-2 { ${cip} . tcp . 80 . 1 }\ndelete element ip ${table} service-ips { ${cip} . tcp . 80 }\n`);
    assert.equal(await connectResult(svc.spec!.clusterIP!, 80), 'ECONNREFUSED');
    const slices = await slicesFor(env, 'tampered', backends, '', [{}, { ready: false, serving: false }]);
    await env.proxy.synced(slices);
    assert.equal(proxier.lastSync?.full, true);
    assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['a']);
  }));

test('a service port nft rejects is logged and left out; the others are written', { skip }, async () => {
  const { quietLog } = await import('./helpers.js');
  const { servicePortsOf } = await import('../../src/proxy/service-port.js');
  const { endpointsBySlices } = await import('../../src/proxy/endpoint.js');
  const p = await NftablesProxier.create({ nodeName: 'n', nodeAddresses: [], serviceCidr: '10.96.0.0/12', log: quietLog, table, routeLocalnet: false, manageLocalRoute: false });
  try {
    const services = new Map([
      ...servicePortsOf({ metadata: { namespace: 'default', name: 'good' }, spec: { clusterIP: '10.96.200.1', ports: [{ port: 80 }] } }),
      // A port nft rejects (the API server would never allow it; it stands for any line nft rejects).
      ...servicePortsOf({ metadata: { namespace: 'default', name: 'bad' }, spec: { clusterIP: '10.96.200.2', ports: [{ port: 70000 }] } }),
    ]);
    const slice = (name: string, ip: string) => ({ metadata: { namespace: 'default', name, labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', ports: [{ port: 8080 }], endpoints: [{ addresses: [ip] }] });
    const endpoints = endpointsBySlices([slice('good', '127.1.0.30'), slice('bad', '127.1.0.31')]);
    await p.sync({ services, endpoints }, new Set(services.keys()));
    assert.deepEqual([...p.failed.keys()], ['default/bad:']);
    assert.match(p.failed.get('default/bad:')!, /70000/);
    const ruleset = await p.listTable();
    assert.match(ruleset, /10\.96\.200\.1 \. tcp \. 80 : goto pick-ip-1/);
    assert.doesNotMatch(ruleset, /10\.96\.200\.2/);
  } finally {
    await p.stop();
  }
});

/** Runs `cmd args…` and resolves with stdout (rejects with stderr on failure). */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout))),
  );
}

test('traffic from another host (a network namespace over a veth pair) reaches NodePorts and ClusterIPs, which needs route_localnet; externalTrafficPolicy Local keeps it on this node’s endpoints', { skip }, async (t) => {
  const ns = 'k8ts-nft-test';
  const [hostIf, peerIf, hostIP, peerIP] = ['k8tsnft0', 'k8tsnft1', '169.254.123.1', '169.254.123.2'];
  await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  const env = await startEnv({ mode, nodeAddresses: [randomLoopback(), hostIP] });
  const backend = await nameServer('far', '127.1.0.23');
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peerIf]);
    await run('ip', ['link', 'set', peerIf, 'netns', ns]);
    await run('ip', ['addr', 'add', `${hostIP}/30`, 'dev', hostIf]);
    await run('ip', ['link', 'set', hostIf, 'up']);
    for (const args of [['addr', 'add', `${peerIP}/30`, 'dev', peerIf], ['link', 'set', peerIf, 'up'], ['link', 'set', 'lo', 'up'], ['route', 'add', '10.96.0.0/12', 'via', hostIP]]) await run('ip', ['netns', 'exec', ns, 'ip', ...args]);
    const svc = await createService(env.client, 'far', { type: 'NodePort', ports: [{ port: 80 }] });
    await env.proxy.synced([svc, ...(await slicesFor(env, 'far', [backend]))]);
    const fromPeer = (ip: string, port: number) => run('ip', ['netns', 'exec', ns, 'timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}; cat <&3`]).then((s) => s.trim(), () => 'failed');
    const nodePort = svc.spec!.ports![0].nodePort!;
    assert.equal(await routeLocalnet(), '1', 'the proxier turned route_localnet on');
    assert.equal(await fromPeer(hostIP, nodePort), 'far');
    assert.equal(await fromPeer(svc.spec!.clusterIP!, 80), 'far');
    // Without route_localnet the kernel drops packets DNATed from a real interface to 127/8.
    const { writeFile } = await import('node:fs/promises');
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '0\n');
    try {
      assert.equal(await fromPeer(hostIP, nodePort), 'failed');
    } finally {
      await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1\n');
    }
    assert.equal(await fromPeer(hostIP, nodePort), 'far');
    // externalTrafficPolicy Local: traffic from elsewhere only reaches this node's endpoints.
    const there = await nameServer('there', '127.1.0.25');
    try {
      const local = await createService(env.client, 'far-local', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
      await env.proxy.synced([local, ...(await slicesFor(env, 'far-local', [backend, there], '', [{ nodeName: 'node-a' }, { nodeName: 'node-b' }]))]);
      const seen = new Set<string>();
      for (let i = 0; i < 8; i++) seen.add(await fromPeer(hostIP, local.spec!.ports![0].nodePort!));
      assert.deepEqual([...seen], ['far']);
    } finally {
      await there.close();
    }
    t.diagnostic('NodePort and ClusterIP reached from another network namespace; unreachable without route_localnet');
  } finally {
    await env.close();
    await backend.close();
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
  assert.equal(await routeLocalnet(), localnetBefore, 'stop restores route_localnet');
});
