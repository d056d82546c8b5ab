// The IPv6 table of the kernel proxier (`ip6 <table>`, as upstream's nftables mode keeps one
// table per family): what it writes for IPv6 ClusterIPs and endpoints, in both layouts, and how
// the nftables factory splits a dual-stack service CIDR into one proxier per family. Forwarding
// itself is tested in ipv6.test.ts (private network namespace). Needs root and nft.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { NftablesProxier, nftablesProxier } from '../../src/proxy/nftables/proxier.js';
import { MetaProxier } from '../../src/proxy/meta-proxier.js';
import { nftAvailable, runNft } from '../../src/proxy/nftables/nft.js';
import { servicePortsOf } from '../../src/proxy/service-port.js';
import { endpointsBySlices } from '../../src/proxy/endpoint.js';
import type { ProxyState } from '../../src/proxy/proxier.js';
import { quietLog } from './helpers.js';

const table = 'k8ts-proxy-test-v6';
const skip = process.getuid?.() !== 0 ? 'needs root' : await nftAvailable();
const quiet = { routeLocalnet: false, manageLocalRoute: false, cleanStaleFlows: false } as const;

after(async () => {
  if (skip) return;
  const t = `${table}-dual`;
  await runNft(['-f', '-'], `add table ip6 ${table}\ndelete table ip6 ${table}\nadd table ip ${t}\ndelete table ip ${t}\nadd table ip6 ${t}\ndelete table ip6 ${t}\n`).catch(() => undefined);
});

const svc = (name: string, clusterIPs: string[], extra: Record<string, unknown> = {}) => ({ metadata: { namespace: 'default', name }, spec: { clusterIP: clusterIPs[0], clusterIPs, ports: [{ port: 80 }], ...extra } });
const slice = (name: string, addressType: string, ips: string[]) => ({ metadata: { namespace: 'default', name: `${name}-${addressType}`, labels: { 'kubernetes.io/service-name': name } }, addressType, ports: [{ port: 8080 }], endpoints: ips.map((ip) => ({ addresses: [ip] })) });
const stateOf = (services: unknown[], slices: unknown[]): ProxyState => ({
  services: new Map((services as Parameters<typeof servicePortsOf>[0][]).flatMap((s) => [...servicePortsOf(s)])),
  endpoints: endpointsBySlices(slices as never),
});

test('the IPv6 proxier writes table ip6 with IPv6 ClusterIPs and endpoints only, in the map and the chain layout', { skip }, async () => {
  const p = await NftablesProxier.create({ nodeName: 'n', nodeAddresses: ['127.0.0.1', 'fd00:1::100'], serviceCidr: 'fd00:10:96::/112', log: quietLog, table, ipFamily: 'IPv6', ...quiet });
  try {
    const services = [svc('dual', ['10.96.0.5', 'fd00:10:96::5']), svc('sticky', ['fd00:10:96::6'], { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })];
    const slices = [slice('dual', 'IPv4', ['10.200.0.1']), slice('dual', 'IPv6', ['fd00:200::1', 'fd00:200::2']), slice('sticky', 'IPv6', ['fd00:200::3'])];
    const state = stateOf(services, slices);
    await p.sync(state, new Set(state.services.keys()));
    const ruleset = await p.listTable();
    assert.match(ruleset, new RegExp(`^table ip6 ${table} \\{`));
    assert.match(ruleset, /set nodeport-ips \{\n\s+type ipv6_addr\n\s+elements = \{ fd00:1::100 \}/);
    assert.match(ruleset, /fd00:10:96::5 \. tcp \. 80 : goto pick-ip-2/);
    assert.match(ruleset, /fd00:10:96::5 \. tcp \. 80 \. 1 : fd00:200::2 \. 8080/);
    assert.match(ruleset, /dnat ip6 to ip6 daddr \. meta l4proto \. th dport \. numgen random mod 2 map @endpoints-ip-2/);
    // The IPv4 half of the dual-stack Service belongs to the ip table, not this one.
    assert.doesNotMatch(ruleset, /10\.96\.0\.5|10\.200\.0\.1|127\.0\.0\.1/);
    // Session affinity: the chain layout, with an IPv6 affinity set and a bracketed DNAT target.
    assert.match(ruleset, /chain endpoint-[0-9A-F]{8}-default\/sticky\/tcp\/__fd00-200--3\/8080 \{/);
    assert.match(ruleset, /type ipv6_addr\n\s+size \d+\n\s+flags dynamic,timeout\n\s+timeout 1m/);
    assert.match(ruleset, /update @affinity-[0-9A-F]{8}-default\/sticky\/tcp\/__fd00-200--3\/8080 \{ ip6 saddr \}/);
    assert.match(ruleset, /meta l4proto tcp dnat to \[fd00:200::3\]:8080/);
    // An incremental change: one endpoint less is one element less.
    const next = stateOf(services, [slices[0], slice('dual', 'IPv6', ['fd00:200::1']), slices[2]]);
    await p.sync(next, new Set(['default/dual:']));
    assert.equal(p.lastSync?.full, false);
    assert.match(await p.listTable(), /fd00:10:96::5 \. tcp \. 80 : goto pick-ip-1/);
  } finally {
    await p.stop();
  }
  await assert.rejects(runNft(['list', 'table', 'ip6', table], ''));
});

test('the nftables factory gives one proxier for an IPv4 service CIDR and one per family (tables ip and ip6 of one name) for a dual-stack list', { skip }, async () => {
  const single = await nftablesProxier({ nodeName: 'n', nodeAddresses: [], serviceCidr: '10.96.0.0/12', log: quietLog, table: `${table}-dual`, ...quiet });
  try {
    assert.ok(single instanceof NftablesProxier);
    assert.equal((single as NftablesProxier).family.nft, 'ip');
  } finally {
    await single.stop();
  }
  const dual = await nftablesProxier({ nodeName: 'n', nodeAddresses: [], serviceCidr: 'fd00:10:96::/112,10.96.0.0/12', log: quietLog, table: `${table}-dual`, ...quiet });
  try {
    assert.ok(dual instanceof MetaProxier);
    assert.deepEqual((dual as MetaProxier<NftablesProxier>).proxiers.map((p) => p.family.nft), ['ip6', 'ip']);
    await dual.sync({ services: new Map(), endpoints: new Map() }, new Set());
    const tables = await runNft(['list', 'tables'], '');
    assert.match(tables, new RegExp(`table ip ${table}-dual\\n`));
    assert.match(tables, new RegExp(`table ip6 ${table}-dual\\n`));
  } finally {
    await dual.stop();
  }
  assert.doesNotMatch(await runNft(['list', 'tables'], ''), new RegExp(`${table}-dual`));
});
