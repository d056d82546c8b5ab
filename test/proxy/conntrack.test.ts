// Stale UDP conntrack entries (src/proxy/conntrack): parsing and the choice of entries to delete
// run anywhere; the kernel test needs root, nft and the conntrack tool (Debian package
// `conntrack`) and is skipped with the reason otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import { Conntrack, parseEntries, staleFilters, StaleFlowCleaner, type ConntrackEntry } from '../../src/proxy/conntrack/index.js';
import { servicePortsOf } from '../../src/proxy/service-port.js';
import { endpointsBySlices } from '../../src/proxy/endpoint.js';
import type { ProxyState } from '../../src/proxy/proxier.js';
import { proxierFactories } from '../../src/proxy/proxy.js';
import { nftablesProxier, type NftablesProxier } from '../../src/proxy/nftables/proxier.js';
import { nftAvailable, runNft } from '../../src/proxy/nftables/nft.js';
import { createService, startEnv, udpAsk, udpEchoServer, writeSlice } from './helpers.js';

test('conntrack -L lines are parsed into original and reply tuples; lines without both are skipped', () => {
  const text = [
    'udp      17 29 src=127.0.0.1 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=127.1.0.5 dst=127.0.0.1 sport=5353 dport=40000 mark=0 use=1',
    'udp      17 170 src=192.168.1.9 dst=192.168.1.2 sport=1234 dport=30053 src=10.128.0.7 dst=192.168.1.2 sport=53 dport=61000 [ASSURED] mark=0 use=1',
    'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.',
    '',
  ].join('\n');
  assert.deepEqual(parseEntries(text), [
    { protocol: 'udp', original: { src: '127.0.0.1', dst: '10.96.0.10', sport: 40000, dport: 53 }, reply: { src: '127.1.0.5', dst: '127.0.0.1', sport: 5353, dport: 40000 } },
    { protocol: 'udp', original: { src: '192.168.1.9', dst: '192.168.1.2', sport: 1234, dport: 30053 }, reply: { src: '10.128.0.7', dst: '192.168.1.2', sport: 53, dport: 61000 } },
  ]);
});

function stateOf(services: Parameters<typeof servicePortsOf>[0][], slices: unknown[]): ProxyState {
  return { services: new Map(services.flatMap((s) => [...servicePortsOf(s)])), endpoints: endpointsBySlices(slices as never) };
}
const slice = (name: string, eps: { ip: string; serving?: boolean; terminating?: boolean }[], protocol = 'UDP') => ({
  metadata: { namespace: 'default', name, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  ports: [{ name: '', port: 5353, protocol }],
  endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: !e.terminating && (e.serving ?? true), serving: e.serving ?? true, terminating: e.terminating ?? false } })),
});
const flow = (dst: string, dport: number, replySrc: string, protocol = 'udp'): ConntrackEntry => ({ protocol, original: { src: '192.168.1.9', dst, sport: 40000, dport }, reply: { src: replySrc, dst: '192.168.1.9', sport: 5353, dport: 40000 } });

const cases: { name: string; flows: ConntrackEntry[]; want: unknown[] }[] = [
  { name: 'a flow to the ClusterIP answered by a serving endpoint is kept', flows: [flow('10.96.0.53', 53, '10.128.0.1')], want: [] },
  { name: 'a flow to the ClusterIP answered by an endpoint that is gone is deleted', flows: [flow('10.96.0.53', 53, '10.128.0.9')], want: [{ origDst: '10.96.0.53', origPortDst: 53, replySrc: '10.128.0.9' }] },
  { name: 'a flow to the ClusterIP that was never DNATed (sent while there was no endpoint) is deleted', flows: [flow('10.96.0.53', 53, '10.96.0.53')], want: [{ origDst: '10.96.0.53', origPortDst: 53, replySrc: '10.96.0.53' }] },
  { name: 'a flow to an externalIP and one to a load-balancer IP are treated like the ClusterIP', flows: [flow('203.0.113.5', 53, '10.128.0.9'), flow('198.51.100.9', 53, '10.128.0.1')], want: [{ origDst: '203.0.113.5', origPortDst: 53, replySrc: '10.128.0.9' }] },
  { name: 'a flow to the NodePort on any address answered by a stale endpoint is deleted by port', flows: [flow('192.168.1.2', 30053, '10.128.0.9'), flow('127.0.0.1', 30053, '10.128.0.2')], want: [{ origPortDst: 30053, replySrc: '10.128.0.9' }] },
  { name: 'a serving terminating endpoint keeps its flows (as upstream, like a TCP connection)', flows: [flow('10.96.0.53', 53, '10.128.0.2')], want: [] },
  { name: 'flows of a UDP service without serving endpoints, of TCP services and of other protocols are left alone', flows: [flow('10.96.0.54', 53, '10.128.0.9'), flow('10.96.0.55', 53, '10.128.0.9'), flow('10.96.0.53', 53, '10.128.0.9', 'tcp')], want: [] },
  { name: 'duplicate flows give one filter', flows: [flow('10.96.0.53', 53, '10.128.0.9'), flow('10.96.0.53', 53, '10.128.0.9')], want: [{ origDst: '10.96.0.53', origPortDst: 53, replySrc: '10.128.0.9' }] },
];

for (const c of cases) {
  test(`stale flows: ${c.name}`, () => {
    const state = stateOf(
      [
        { metadata: { namespace: 'default', name: 'dns' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.53', externalIPs: ['203.0.113.5'], ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] }, status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } },
        { metadata: { namespace: 'default', name: 'empty' }, spec: { clusterIP: '10.96.0.54', ports: [{ port: 53, protocol: 'UDP' }] } },
        { metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.55', ports: [{ port: 53, protocol: 'TCP' }] } },
      ],
      [slice('dns', [{ ip: '10.128.0.1' }, { ip: '10.128.0.2', serving: true, terminating: true }]), slice('empty', [{ ip: '10.128.0.3', serving: false }]), slice('web', [{ ip: '10.128.0.4' }], 'TCP')],
    );
    assert.deepEqual(staleFilters(c.flows, state), c.want);
  });
}

test('stale flows of a dual-stack Service: the IPv6 ClusterIP is checked like the IPv4 one (each family\'s cleaner lists its own flows)', () => {
  const v6slice = { ...slice('dual', [{ ip: 'fd00:200::1' }]), metadata: { namespace: 'default', name: 'dual-v6', labels: { 'kubernetes.io/service-name': 'dual' } }, addressType: 'IPv6' };
  const state = stateOf([{ metadata: { namespace: 'default', name: 'dual' }, spec: { clusterIP: '10.96.0.60', clusterIPs: ['10.96.0.60', 'fd00:10:96::60'], ports: [{ port: 53, protocol: 'UDP' }] } }], [slice('dual', [{ ip: '10.128.0.1' }]), v6slice]);
  const v6flows = [flow('fd00:10:96::60', 53, 'fd00:200::1'), flow('fd00:10:96::60', 53, 'fd00:200::9')];
  assert.deepEqual(staleFilters(v6flows, state), [{ origDst: 'fd00:10:96::60', origPortDst: 53, replySrc: 'fd00:200::9' }]);
  assert.deepEqual(staleFilters([flow('10.96.0.60', 53, '10.128.0.9')], state), [{ origDst: '10.96.0.60', origPortDst: 53, replySrc: '10.128.0.9' }]);
});

function capturedLog(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString());
      cb();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('without the conntrack tool the cleanup logs one warning and does nothing else', async () => {
  const { log, lines } = capturedLog();
  const cleaner = new StaleFlowCleaner(new Conntrack('/nonexistent/conntrack'), log);
  const state = stateOf([{ metadata: { namespace: 'default', name: 'dns' }, spec: { clusterIP: '10.96.0.53', ports: [{ port: 53, protocol: 'UDP' }] } }], [slice('dns', [{ ip: '10.128.0.1' }])]);
  await cleaner.clean(state);
  await cleaner.clean(state);
  const warnings = lines().filter((l) => l.level === 40);
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0].msg), /conntrack tool unavailable/);
  assert.match(String(warnings[0].reason), /nonexistent/);
  assert.equal(cleaner.deleted, 0);
});

// ---- in the kernel ----

const ct = new Conntrack();
const skip = process.getuid?.() !== 0 ? 'needs root' : ((await nftAvailable()) ?? (await ct.available()));
const table = 'k8ts-proxy-test-ct';
proxierFactories['nftables-test-ct'] = (o) => nftablesProxier({ ...o, table, routeLocalnet: false });
proxierFactories['nftables-test-ct-off'] = (o) => nftablesProxier({ ...o, table: `${table}-off`, routeLocalnet: false, cleanStaleFlows: false });

for (const clean of [true, false]) {
  const name = clean
    ? 'a UDP client that keeps its socket is moved to the new endpoint once its endpoint is removed (the stale conntrack entry is deleted)'
    : 'without the cleanup the same client stays on the removed endpoint (why the cleanup exists)';
  test(name, { skip }, async (t) => {
    const env = await startEnv({ mode: clean ? 'nftables-test-ct' : 'nftables-test-ct-off' });
    const base = clean ? 40 : 50;
    const old = await udpEchoServer('old', `127.1.${base}.1`);
    const next = await udpEchoServer('new', `127.1.${base}.2`);
    const client = createSocket('udp4');
    try {
      const svc = await createService(env.client, 'dns', { ports: [{ port: 53, protocol: 'UDP' }] });
      const sl = await writeSlice(env.client, 'dns', 'dns-1', [{ ip: old.ip }], [{ name: '', port: old.port, protocol: 'UDP' }]);
      await env.proxy.synced([svc, sl]);
      const ip = svc.spec!.clusterIP!;
      assert.equal(await udpAsk(ip, 53, 'a', client), 'old:a');
      // The old endpoint keeps listening: only the conntrack entry can keep the client there.
      const moved = await writeSlice(env.client, 'dns', 'dns-1', [{ ip: next.ip }], [{ name: '', port: next.port, protocol: 'UDP' }]);
      await env.proxy.synced(moved);
      const cleaner = (env.proxy.proxier as NftablesProxier).staleFlows;
      if (clean) {
        assert.equal(await udpAsk(ip, 53, 'b', client), 'new:b');
        assert.ok(cleaner && cleaner.deleted >= 1, `deleted ${cleaner?.deleted}`);
        // A fresh client goes to the new endpoint too.
        assert.equal(await udpAsk(ip, 53, 'c'), 'new:c');
      } else {
        assert.equal(cleaner, undefined);
        assert.equal(await udpAsk(ip, 53, 'b', client), 'old:b');
      }
      t.diagnostic(`flows deleted: ${cleaner?.deleted ?? 'cleanup off'}`);
    } finally {
      client.close();
      await env.close();
      await old.close();
      await next.close();
      await runNft(['-f', '-'], `add table ip ${table}\ndelete table ip ${table}\nadd table ip ${table}-off\ndelete table ip ${table}-off\n`).catch(() => undefined);
    }
  });
}
