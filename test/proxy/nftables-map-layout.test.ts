// The map layout of the kernel proxier (src/proxy/nftables/map-rules.ts) and its long-lived nft
// session: a service port without session affinity is only elements of the table's maps plus
// shared DNAT chains, one per endpoint count. Needs root and nft; skipped otherwise.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { proxierFactories } from '../../src/proxy/proxy.js';
import { NftablesProxier, nftablesProxier } from '../../src/proxy/nftables/proxier.js';
import { nftAvailable, runNft, NftError } from '../../src/proxy/nftables/nft.js';
import { NftSession } from '../../src/proxy/nftables/session.js';
import { servicePortsOf } from '../../src/proxy/service-port.js';
import { endpointsBySlices } from '../../src/proxy/endpoint.js';
import type { ProxyState } from '../../src/proxy/proxier.js';
import { createService, nameServer, quietLog, randomLoopback, readFrom, startEnv, writeSlice, type Backend } from './helpers.js';

const table = 'k8ts-proxy-test-maps';
const mode = 'nftables-test-maps';
const skip = process.getuid?.() !== 0 ? 'needs root' : await nftAvailable();
proxierFactories[mode] = (o) => nftablesProxier({ ...o, table, routeLocalnet: false, cleanStaleFlows: false });

after(async () => {
  if (skip) return;
  await runNft(['-f', '-'], `add table ip ${table}\ndelete table ip ${table}\nadd table ip ${table}-s\ndelete table ip ${table}-s\n`).catch(() => undefined);
});

/** A proxier of our own, synced by hand from Service/EndpointSlice-shaped objects. */
async function handProxier(): Promise<{ p: NftablesProxier; sync(services: unknown[], slices: unknown[]): Promise<void> }> {
  const p = await NftablesProxier.create({ nodeName: 'n', nodeAddresses: ['127.0.0.1'], serviceCidr: '10.96.0.0/12', log: quietLog, table, routeLocalnet: false, manageLocalRoute: false, cleanStaleFlows: false });
  let before: ProxyState = { services: new Map(), endpoints: new Map() };
  return {
    p,
    async sync(services, slices) {
      const state: ProxyState = { services: new Map((services as Parameters<typeof servicePortsOf>[0][]).flatMap((s) => [...servicePortsOf(s)])), endpoints: endpointsBySlices(slices as never) };
      const changed = new Set([...before.services.keys(), ...state.services.keys()]);
      await p.sync(state, changed);
      before = state;
    },
  };
}
const svc = (name: string, clusterIP: string) => ({ metadata: { namespace: 'default', name }, spec: { clusterIP, ports: [{ port: 80 }] } });
const slice = (name: string, ips: string[]) => ({ metadata: { namespace: 'default', name, labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', ports: [{ port: 8080 }], endpoints: ips.map((ip) => ({ addresses: [ip] })) });

test('a service port moves between the shared DNAT chains as its endpoint count changes, and its old elements go', { skip }, async () => {
  const { p, sync } = await handProxier();
  try {
    await sync([svc('grow', '10.96.201.1')], [slice('grow', ['10.200.0.1', '10.200.0.2'])]);
    let ruleset = await p.listTable();
    assert.match(ruleset, /10\.96\.201\.1 \. tcp \. 80 : goto pick-ip-2/);
    assert.match(ruleset, /10\.96\.201\.1 \. tcp \. 80 \. 1 : 10\.200\.0\.2 \. 8080/);
    await sync([svc('grow', '10.96.201.1')], [slice('grow', ['10.200.0.1', '10.200.0.2', '10.200.0.3'])]);
    assert.equal(p.lastSync?.full, false);
    ruleset = await p.listTable();
    assert.match(ruleset, /10\.96\.201\.1 \. tcp \. 80 : goto pick-ip-3/);
    assert.match(ruleset, /chain pick-ip-3 \{\n\s+meta l4proto \{ tcp, udp, sctp \} dnat ip to ip daddr \. meta l4proto \. th dport \. numgen random mod 3 map @endpoints-ip-3/);
    assert.match(ruleset, /10\.96\.201\.1 \. tcp \. 80 \. 2 : 10\.200\.0\.3 \. 8080/);
    // Nothing of it is left in the map for two endpoints (the chain stays for others to use).
    const two = /map endpoints-ip-2 \{[^}]*\}/.exec(ruleset)![0];
    assert.doesNotMatch(two, /10\.96\.201\.1/);
    assert.match(ruleset, /chain pick-ip-2 /);
  } finally {
    await p.stop();
  }
});

test('a hairpin pair two service ports share stays while either needs it', { skip }, async () => {
  const { p, sync } = await handProxier();
  const pair = /10\.200\.1\.1 \. 10\.200\.1\.1/;
  const hairpin = async () => /set hairpin \{[^}]*\}/.exec(await p.listTable())![0];
  try {
    await sync([svc('one', '10.96.202.1'), svc('two', '10.96.202.2')], [slice('one', ['10.200.1.1']), slice('two', ['10.200.1.1', '10.200.1.2'])]);
    assert.match(await hairpin(), pair);
    await sync([svc('two', '10.96.202.2')], [slice('two', ['10.200.1.1', '10.200.1.2'])]);
    assert.equal(p.lastSync?.full, false);
    assert.match(await hairpin(), pair);
    await sync([svc('two', '10.96.202.2')], [slice('two', ['10.200.1.2'])]);
    assert.equal(p.lastSync?.full, false);
    assert.doesNotMatch(await hairpin(), pair);
    assert.match(await hairpin(), /10\.200\.1\.2 \. 10\.200\.1\.2/);
  } finally {
    await p.stop();
  }
});

test('switching session affinity on and off moves a service port between the chain and the map layouts', { skip }, async () => {
  const { p, sync } = await handProxier();
  const sticky = { metadata: { namespace: 'default', name: 'flip' }, spec: { clusterIP: '10.96.203.1', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } };
  try {
    await sync([svc('flip', '10.96.203.1')], [slice('flip', ['10.200.2.1'])]);
    await sync([sticky], [slice('flip', ['10.200.2.1'])]);
    assert.equal(p.lastSync?.full, false);
    let ruleset = await p.listTable();
    assert.match(ruleset, /10\.96\.203\.1 \. tcp \. 80 : goto service-[0-9A-F]{8}-default\/flip\/tcp\//);
    assert.match(ruleset, /chain endpoint-[0-9A-F]{8}-default\/flip\/tcp\/__10\.200\.2\.1\/8080/);
    assert.doesNotMatch(/map endpoints-ip-1 \{[^}]*\}/.exec(ruleset)![0], /10\.96\.203\.1/);
    await sync([svc('flip', '10.96.203.1')], [slice('flip', ['10.200.2.1'])]);
    assert.equal(p.lastSync?.full, false);
    ruleset = await p.listTable();
    assert.match(ruleset, /10\.96\.203\.1 \. tcp \. 80 : goto pick-ip-1/);
    assert.doesNotMatch(ruleset, /default\/flip/);
  } finally {
    await p.stop();
  }
});

async function spread(host: string, port: number, n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await readFrom(host, port));
  return [...seen].sort();
}

test('externalTrafficPolicy Local: clients on this host reach every endpoint of the NodePort and externalIP, masqueraded', { skip }, async () => {
  const env = await startEnv({ mode, nodeAddresses: [randomLoopback(), '127.0.0.1'] });
  const backends: Backend[] = [];
  try {
    backends.push(await nameServer('here', '127.1.60.1'), await nameServer('there', '127.1.60.2'));
    const s = await createService(env.client, 'etp', { type: 'NodePort', externalTrafficPolicy: 'Local', externalIPs: ['198.51.100.60'], ports: [{ port: 80 }] });
    const slices = [];
    for (const [i, b] of backends.entries()) slices.push(await writeSlice(env.client, 'etp', `etp-${i}`, [{ ip: b.ip, nodeName: i === 0 ? 'node-a' : 'node-b' }], [{ name: '', port: b.port, protocol: 'TCP' }]));
    await env.proxy.synced([s, ...slices]);
    const nodePort = s.spec!.ports![0].nodePort!;
    // P(missing one of two in 40 tries) = 2^-39.
    assert.deepEqual(await spread('127.0.0.1', nodePort, 40), ['here', 'there']);
    assert.deepEqual(await spread('198.51.100.60', 80, 40), ['here', 'there']);
    const ruleset = await (env.proxy.proxier as NftablesProxier).listTable();
    assert.match(ruleset, new RegExp(`tcp \\. ${nodePort} : goto pick-nodeport-local-source-2`));
    assert.match(ruleset, new RegExp(`tcp \\. ${nodePort} : goto pick-nodeport-1`));
    assert.match(ruleset, /198\.51\.100\.60 \. tcp \. 80 : goto pick-ip-local-source-2/);
    assert.match(ruleset, /chain pick-nodeport-local-source-2 \{\n\s+jump mark-for-masquerade/);
  } finally {
    await env.close();
    for (const b of backends) await b.close();
  }
});

test('the nft session applies a transaction atomically, reports nft’s error, carries on after one, and restarts when its process dies', { skip }, async () => {
  const t = `ip ${table}-s`;
  const session = new NftSession();
  try {
    await session.apply([`add table ${t}`, `add set ${t} s { type ipv4_addr; }`, `add element ${t} s { 10.1.0.1 }`]);
    assert.match(await runNft(['list', 'set', 'ip', `${table}-s`, 's']), /10\.1\.0\.1/);
    // The second command is refused: the first must not take effect either.
    const err = await session.apply([`add element ${t} s { 10.1.0.2 }`, `add element ${t} s { 10.1.0.300 }`]).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof NftError, String(err));
    assert.match(err.stderr, /10\.1\.0\.300/);
    assert.doesNotMatch(await runNft(['list', 'set', 'ip', `${table}-s`, 's']), /10\.1\.0\.2\b/);
    await session.apply([`add element ${t} s { 10.1.0.3 }`]);
    // Concurrent callers are queued, each gets its own outcome.
    const results = await Promise.allSettled([session.apply([`add element ${t} s { 10.1.0.4 }`]), session.apply([`delete element ${t} s { 10.9.9.9 }`]), session.apply([`add element ${t} s { 10.1.0.5 }`])]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    const child = (session as unknown as { child?: { kill(): void; once(e: string, f: () => void): void } }).child!;
    await new Promise<void>((resolve) => {
      child.once('exit', resolve);
      child.kill();
    });
    await session.apply([`add element ${t} s { 10.1.0.6 }`]);
    const elements = (await runNft(['list', 'set', 'ip', `${table}-s`, 's'])).match(/10\.1\.0\.\d+/g);
    assert.deepEqual(elements, ['10.1.0.1', '10.1.0.3', '10.1.0.4', '10.1.0.5', '10.1.0.6']);
  } finally {
    session.close();
  }
});

test('the nft session replaces its process after a budget of input (nft keeps every line in its history)', { skip }, async () => {
  const session = new NftSession(undefined, 200);
  const pid = () => (session as unknown as { child?: { pid?: number } }).child?.pid;
  try {
    await session.warm();
    const first = pid();
    await session.apply([`add table ip ${table}-s`, `add set ip ${table}-s budget { type ipv4_addr; }`, `add element ip ${table}-s budget { ${Array.from({ length: 20 }, (_, i) => `10.2.0.${i + 1}`).join(', ')} }`]);
    assert.equal(pid(), first, 'under the budget before this transaction');
    await session.apply([`add element ip ${table}-s budget { 10.2.1.1 }`]);
    assert.notEqual(pid(), first);
    assert.match(await runNft(['list', 'set', 'ip', `${table}-s`, 'budget']), /10\.2\.1\.1/);
  } finally {
    session.close();
  }
});

test('a burst of changes too big for the session goes through nft -f as one incremental transaction', { skip }, async () => {
  const { p, sync } = await handProxier();
  try {
    await sync([], []);
    assert.equal(p.lastSync?.full, true);
    const names = Array.from({ length: 600 }, (_, i) => `burst${i}`);
    await sync(
      names.map((n, i) => svc(n, `10.96.${210 + (i >> 8)}.${i & 255}`)),
      names.map((n, i) => slice(n, [`10.201.${i >> 8}.${i & 255}`])),
    );
    assert.equal(p.lastSync?.full, false);
    assert.ok(p.lastSync!.commands > 2000, `${p.lastSync?.commands} commands`);
    const ruleset = await p.listTable();
    assert.match(ruleset, /10\.96\.212\.87 \. tcp \. 80 : goto pick-ip-1/);
    assert.match(ruleset, /10\.96\.212\.87 \. tcp \. 80 \. 0 : 10\.201\.2\.87 \. 8080/);
  } finally {
    await p.stop();
  }
});
