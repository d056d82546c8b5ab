// Cluster DNS against the real API server: records for Services and hand-written EndpointSlices,
// queried with dns-packet over UDP and TCP; forwarding to a fake upstream started here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { startDns, type DnsServer } from '../../src/proxy/dns/server.js';
import { DnsCache } from '../../src/proxy/dns/cache.js';
import { ensureKubeDnsService } from '../../src/proxy/dns/kube-dns-service.js';
import { parseResolvConf, wouldLoop } from '../../src/proxy/dns/resolv-conf.js';
import { startProxy } from '../../src/proxy/proxy.js';
import { metricsText } from '../../src/util/metrics.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import { createService, quietLog, randomLoopback, routeServiceCidr, writeSlice, writeSliceOf, type Svc } from './helpers.js';
import { startApiWithServiceCidr } from './ipv6-helpers.js';

type Reply = DecodedPacket & { rcode: string };

let api: InProcessApi;
let dns: DnsServer;
let upstream: { port: number; queries: number; close(): Promise<void> };
let web: Svc;

function udpQuery(name: string, type: RecordType, host = dns.address, port = dns.port): Promise<Reply> {
  const sock = createSocket('udp4');
  const id = Math.floor(Math.random() * 65535);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for ${name} ${type}`));
    }, 3000);
    sock.once('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(msg) as Reply);
    });
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] }), port, host);
  });
}

function tcpQuery(name: string, type: RecordType, host = dns.address, port = dns.port): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let buf = Buffer.alloc(0);
    s.on('connect', () => s.write(dnsPacket.streamEncode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] })));
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(dnsPacket.streamDecode(buf) as Reply);
      }
    });
    s.on('error', reject);
  });
}

const data = (r: Reply) => (r.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

/** A fake upstream resolver: answers every A question with 192.0.2.7 (TTL 60), counts queries. */
async function startUpstream(): Promise<typeof upstream> {
  const sock = createSocket('udp4');
  let queries = 0;
  sock.on('message', (msg, r) => {
    queries++;
    const q = dnsPacket.decode(msg);
    const question = q.questions![0];
    const known = question.name === 'example.test';
    sock.send(
      dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
        questions: q.questions,
        answers: known && question.type === 'A' ? [{ name: question.name, type: 'A', ttl: 60, data: '192.0.2.7' }] : [],
        authorities: known ? [] : [{ name: 'test', type: 'SOA', ttl: 30, data: { mname: 'ns.test', rname: 'h.test', minimum: 30 } }],
      }),
      r.port,
      r.address,
    );
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, get queries() { return queries; }, close: () => new Promise((r) => sock.close(() => r())) };
}

before(async () => {
  api = await startInProcessApi();
  const client = api.client();
  web = await createService(client, 'web', { ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  await createService(client, 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] });
  await writeSlice(client, 'db', 'db-1', [{ ip: '10.1.0.5', hostname: 'db-0' }, { ip: '10.1.0.6' }, { ip: '10.1.0.7', ready: false }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
  await createService(client, 'db-all', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'pg', port: 5432 }] });
  await writeSlice(client, 'db-all', 'db-all-1', [{ ip: '10.1.0.8', ready: false }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
  await createService(client, 'ext', { type: 'ExternalName', externalName: 'example.org' });
  await createService(client, 'big', { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] });
  await writeSlice(client, 'big', 'big-1', Array.from({ length: 60 }, (_, i) => ({ ip: `10.2.0.${i + 1}` })), [{ name: 'p', port: 1, protocol: 'TCP' }]);
  upstream = await startUpstream();
  dns = await startDns({ client, log: quietLog, address: '127.0.0.1', port: 0, clusterDomain: 'cluster.local', upstreams: [{ host: '127.0.0.1', port: upstream.port }] });
});

after(async () => {
  await dns.close();
  await upstream.close();
  await api.close();
});

test('A for a ClusterIP service answers its ClusterIP, over UDP and TCP, authoritatively', async () => {
  const r = await udpQuery('web.default.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.flag_aa, true);
  assert.deepEqual(data(r), [web.spec!.clusterIP]);
  assert.equal(r.answers![0].type === 'A' && r.answers![0].ttl, 5);
  assert.deepEqual(data(await tcpQuery('WEB.default.svc.cluster.local.', 'A')), [web.spec!.clusterIP]);
});

test('A for a headless service answers the ready endpoint IPs; publishNotReadyAddresses answers every one', async () => {
  assert.deepEqual((data(await udpQuery('db.default.svc.cluster.local', 'A')) as string[]).sort(), ['10.1.0.5', '10.1.0.6']);
  assert.deepEqual(data(await udpQuery('db-all.default.svc.cluster.local', 'A')), ['10.1.0.8']);
});

test('SRV for a named port of a ClusterIP service points at the service name, with its A record added', async () => {
  const r = await udpQuery('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(r.additionals?.filter((a) => a.type === 'A').map((a) => 'data' in a && a.data), [web.spec!.clusterIP]);
  assert.equal((await udpQuery('_dns._udp.web.default.svc.cluster.local', 'SRV')).answers?.length, 1);
  assert.equal((await udpQuery('_http._udp.web.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
});

test('SRV for a headless service has one record per ready endpoint, named by hostname or dashed IP', async () => {
  const r = await tcpQuery('_pg._tcp.db.default.svc.cluster.local', 'SRV');
  const targets = (r.answers ?? []).map((a) => (a.type === 'SRV' ? `${a.data.target}:${a.data.port}` : '')).sort();
  assert.deepEqual(targets, ['10-1-0-6.db.default.svc.cluster.local:5432', 'db-0.db.default.svc.cluster.local:5432']);
});

test('endpoint hostnames of a headless service resolve to that endpoint', async () => {
  assert.deepEqual(data(await udpQuery('db-0.db.default.svc.cluster.local', 'A')), ['10.1.0.5']);
  assert.deepEqual(data(await udpQuery('10-1-0-6.db.default.svc.cluster.local', 'A')), ['10.1.0.6']);
  assert.equal((await udpQuery('db-9.db.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
});

test('pod A records answer the dashed IP', async () => {
  assert.deepEqual(data(await udpQuery('1-2-3-4.default.pod.cluster.local', 'A')), ['1.2.3.4']);
  assert.equal((await udpQuery('not-an-ip.default.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
});

test('PTR answers service names for ClusterIPs and endpoint names for endpoint IPs', async () => {
  const rev = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  assert.deepEqual(data(await udpQuery(rev(web.spec!.clusterIP!), 'PTR')), ['web.default.svc.cluster.local']);
  assert.deepEqual(data(await udpQuery(rev('10.1.0.5'), 'PTR')), ['db-0.db.default.svc.cluster.local']);
});

test('an ExternalName service is a CNAME to its external name', async () => {
  const r = await udpQuery('ext.default.svc.cluster.local', 'A');
  assert.deepEqual(r.answers?.map((a) => [a.type, 'data' in a && a.data]), [['CNAME', 'example.org']]);
});

test('unknown names in the cluster domain are NXDOMAIN with the SOA; AAAA of an IPv4 service is empty NOERROR', async () => {
  const nx = await udpQuery('nope.default.svc.cluster.local', 'A');
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.authorities?.[0]?.type, 'SOA');
  assert.equal((await udpQuery('web.nowhere.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
  assert.equal((await udpQuery('foo.bar.cluster.local', 'A')).rcode, 'NXDOMAIN');
  const aaaa = await udpQuery('web.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.equal(aaaa.answers?.length, 0);
  assert.equal(aaaa.authorities?.[0]?.type, 'SOA');
});

test('other names are forwarded to the upstream and cached for their TTL; NXDOMAIN from upstream is passed on', async () => {
  const before = upstream.queries;
  const first = await udpQuery('example.test', 'A');
  assert.deepEqual(data(first), ['192.0.2.7']);
  assert.equal(first.flag_aa, false);
  const second = await tcpQuery('EXAMPLE.test', 'A');
  assert.deepEqual(data(second), ['192.0.2.7']);
  const ttl = second.answers![0].type === 'A' ? second.answers![0].ttl! : -1;
  assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
  assert.equal(upstream.queries - before, 1, 'the second query came from the cache');
  assert.equal((await udpQuery('missing.test', 'A')).rcode, 'NXDOMAIN');
  const text = await metricsText();
  assert.match(text, /coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} \d+/);
  assert.match(text, /coredns_cache_hits_total \d+/);
});

test('a UDP answer too big for 512 bytes comes back truncated; over TCP it is whole', async () => {
  const udp = await udpQuery('big.default.svc.cluster.local', 'A');
  assert.equal(udp.flag_tc, true);
  assert.equal(udp.answers?.length, 0);
  assert.equal((await tcpQuery('big.default.svc.cluster.local', 'A')).answers?.length, 60);
});

test('cached answers expire with their TTL and are served with the TTL they have left', () => {
  let now = 1_000_000;
  const cache = new DnsCache(100, () => now);
  const q = { name: 'a.example', type: 'A' as const };
  const res = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, questions: [q], answers: [{ name: 'a.example', type: 'A', ttl: 60, data: '192.0.2.1' }] }));
  cache.put(q, res);
  now += 20_000;
  const hit = cache.get(q);
  assert.equal(hit?.answers?.[0].type === 'A' && hit.answers[0].ttl, 40);
  now += 41_000;
  assert.equal(cache.get(q), undefined);
});

test('resolv.conf nameservers that would reach this server are not used as upstreams', () => {
  const ups = parseResolvConf('search example\nnameserver 127.0.0.53\nnameserver 10.96.0.10\nnameserver 192.0.2.1\noptions ndots:5\n');
  assert.deepEqual(ups.map((u) => u.host), ['127.0.0.53', '10.96.0.10', '192.0.2.1']);
  const self = { address: '0.0.0.0', port: 53 };
  assert.deepEqual(ups.filter((u) => !wouldLoop(u, self, ['10.96.0.10'])).map((u) => u.host), ['192.0.2.1']);
  assert.equal(wouldLoop({ host: '127.0.0.53', port: 53 }, { address: '127.0.0.1', port: 53 }), false);
});

test('the kube-dns Service forwards its ClusterIP port 53 to the DNS server through the proxy', async () => {
  await routeServiceCidr();
  const client = api.client();
  // Not the conventional 10.96.0.10: a cluster running on this host (`k8ts up` as root, nftables
  // mode) DNATs that address:53 to its own DNS server, and keeps doing so after a hard exit.
  const clusterIP = '10.96.0.210';
  const { service, slice } = await ensureKubeDnsService(client, { clusterIP, dnsAddress: dns.address, dnsPort: dns.port });
  assert.deepEqual(service.spec?.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`), ['dns:53/UDP', 'dns-tcp:53/TCP', 'metrics:9153/TCP']);
  // Idempotent.
  await ensureKubeDnsService(client, { clusterIP, dnsAddress: dns.address, dnsPort: dns.port });
  const proxy = await startProxy({ client, nodeName: 'node-a', log: quietLog, nodeAddresses: [randomLoopback()], manageLocalRoute: false });
  try {
    await proxy.synced([service, slice]);
    assert.deepEqual(data(await udpQuery('web.default.svc.cluster.local', 'A', clusterIP, 53)), [web.spec!.clusterIP]);
  } finally {
    await proxy.stop();
  }
});

test('IPv6: AAAA for dual-stack ClusterIPs and IPv6 endpoints of headless services, ip6.arpa PTR, dashed IPv6 pod names', async () => {
  const dual = await startApiWithServiceCidr('10.96.0.0/16,fd00:10:96::/112');
  const client = dual.client;
  const dns6 = await startDns({ client, log: quietLog, address: '127.0.0.1', port: 0, clusterDomain: 'cluster.local', upstreams: [{ host: '127.0.0.1', port: upstream.port }] });
  const ask = (name: string, type: RecordType) => udpQuery(name, type, dns6.address, dns6.port);
  try {
    const svc = await createService(client, 'both', { ipFamilyPolicy: 'RequireDualStack', ports: [{ name: 'http', port: 80 }] });
    const [v4, v6] = svc.spec!.clusterIPs!;
    const six = await createService(client, 'six', { ipFamilies: ['IPv6'], ports: [{ port: 80 }] });
    await createService(client, 'hl6', { clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack', ports: [{ name: 'pg', port: 5432 }] });
    await writeSliceOf(client, 'IPv6', 'hl6', 'hl6-v6', [{ ip: 'fd00:1::5', hostname: 'db-0' }, { ip: 'fd00:1::6' }, { ip: 'fd00:1::7', ready: false }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    await writeSliceOf(client, 'IPv4', 'hl6', 'hl6-v4', [{ ip: '10.3.0.5', hostname: 'db-0' }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    // The DNS server's informers see the last write before answering about it.
    const deadline = Date.now() + 5000;
    while ((await ask('db-0.hl6.default.svc.cluster.local', 'A')).answers?.length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    assert.deepEqual(data(await ask('both.default.svc.cluster.local', 'A')), [v4]);
    assert.deepEqual(data(await ask('both.default.svc.cluster.local', 'AAAA')), [v6]);
    const sixA = await ask('six.default.svc.cluster.local', 'A');
    assert.equal(sixA.rcode, 'NOERROR');
    assert.equal(sixA.answers?.length, 0);
    assert.deepEqual(data(await ask('six.default.svc.cluster.local', 'AAAA')), [six.spec!.clusterIP]);
    // Headless: AAAA are the ready IPv6 endpoints, A the IPv4 ones; endpoint names of both families.
    assert.deepEqual(data(await ask('hl6.default.svc.cluster.local', 'AAAA')).sort(), ['fd00:1::5', 'fd00:1::6']);
    assert.deepEqual(data(await ask('hl6.default.svc.cluster.local', 'A')), ['10.3.0.5']);
    assert.deepEqual(data(await ask('db-0.hl6.default.svc.cluster.local', 'AAAA')), ['fd00:1::5']);
    assert.deepEqual(data(await ask('fd00-1--6.hl6.default.svc.cluster.local', 'AAAA')), ['fd00:1::6']);
    // SRV of a dual-stack ClusterIP service carries both address records.
    const srv = await ask('_http._tcp.both.default.svc.cluster.local', 'SRV');
    assert.deepEqual(srv.additionals?.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => [a.type, 'data' in a && a.data]), [['A', v4], ['AAAA', v6]]);
    // Too big for 512 bytes of UDP (dns-packet does not compress names): over TCP.
    const srvHl = await tcpQuery('_pg._tcp.hl6.default.svc.cluster.local', 'SRV', dns6.address, dns6.port);
    assert.ok(srvHl.additionals?.some((a) => a.type === 'AAAA' && a.data === 'fd00:1::6' && a.name === 'fd00-1--6.hl6.default.svc.cluster.local'));
    // ip6.arpa: 32 nibbles, least significant first.
    const rev6 = (ip: string) => {
      const hex = [...new URL(`http://[${ip}]/`).hostname.slice(1, -1).split(':')].join(':');
      const [head, tail = ''] = hex.split('::');
      const groups = (s: string) => (s ? s.split(':') : []);
      const all = [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
      return `${all.map((g) => g.padStart(4, '0')).join('').split('').reverse().join('.')}.ip6.arpa`;
    };
    assert.deepEqual(data(await ask(rev6(v6), 'PTR')), ['both.default.svc.cluster.local']);
    assert.deepEqual(data(await ask(rev6('fd00:1::5'), 'PTR')), ['db-0.hl6.default.svc.cluster.local']);
    assert.deepEqual(data(await ask(rev6('fd00:1::6'), 'PTR')), ['fd00-1--6.hl6.default.svc.cluster.local']);
    assert.deepEqual(data(await ask(`${v4.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR')), ['both.default.svc.cluster.local']);
    // Pods: a dashed IPv6 address answers AAAA.
    assert.deepEqual(data(await ask('fd00-1--9.default.pod.cluster.local', 'AAAA')), ['fd00:1::9']);
    assert.equal((await ask('fd00-1--9.default.pod.cluster.local', 'A')).answers?.length, 0);
  } finally {
    await dns6.close();
    await dual.close();
  }
});

test('a port whose TCP side is taken fails the start with EADDRINUSE and leaves the UDP side free again', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as AddressInfo).port;
  try {
    await assert.rejects(startDns({ client: api.client(), log: quietLog, address: '127.0.0.1', port, upstreams: [] }), { code: 'EADDRINUSE' });
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => udp.close(() => r()));
  } finally {
    await new Promise<void>((r) => taken.close(() => r()));
  }
});
