// The iptables proxier's rule generation and update planning, without the kernel: chain names
// as upstream computes them, the rules of one service port under each policy, what an update
// writes (only the chains that changed), and how a big update is split into inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { servicePortsOf, type ServicePortInfo } from '../../src/proxy/service-port.js';
import { endpointsBySlices, type EndpointInfo } from '../../src/proxy/endpoint.js';
import { clusterChain, endpointChain } from '../../src/proxy/iptables/names.js';
import { emptyRules, rulesFor } from '../../src/proxy/iptables/rules.js';
import { ipv6 } from '../../src/proxy/nftables/family.js';
import { SyncPlan, writeDiff } from '../../src/proxy/iptables/proxier.js';
import { errorLines, parseSave } from '../../src/proxy/iptables/iptables.js';

function servicePort(name: string, spec: Service['spec'], namespace = 'default'): ServicePortInfo {
  const [sp] = servicePortsOf({ metadata: { namespace, name }, spec });
  return sp[1];
}

function endpoints(service: string, ips: string[], extra: Partial<NonNullable<EndpointSlice['endpoints']>[number]>[] = []): EndpointInfo[] {
  const slice: EndpointSlice = { metadata: { namespace: 'default', name: service, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', ports: [{ port: 8080 }], endpoints: ips.map((ip, i) => ({ addresses: [ip], ...extra[i] })) };
  return [...endpointsBySlices([slice]).values()][0] ?? [];
}

test('chain names are upstream’s: the same service port hashes to the same KUBE-SVC- name a kube-proxy node has', () => {
  // These three are in every kube-proxy cluster's iptables-save.
  assert.equal(clusterChain(servicePort('kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] })), 'KUBE-SVC-NPX46M4PTMTKRN6Y');
  const dns = { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] };
  const [udp, tcp] = [...servicePortsOf({ metadata: { namespace: 'kube-system', name: 'kube-dns' }, spec: dns }).values()];
  assert.equal(clusterChain(udp), 'KUBE-SVC-TCOU7JCQXEZGVUNU');
  assert.equal(clusterChain(tcp), 'KUBE-SVC-ERIFXISQEP7F7OF4');
  const sp = servicePort('web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
  const [a, b] = endpoints('web', ['10.1.0.1', '10.1.0.2']);
  assert.match(endpointChain(sp, a), /^KUBE-SEP-[A-Z2-7]{16}$/);
  assert.notEqual(endpointChain(sp, a), endpointChain(sp, b));
});

test('a ClusterIP service port: KUBE-SERVICES → KUBE-SVC- (off-node masquerade, statistic choice) → KUBE-SEP- (hairpin, DNAT)', () => {
  const sp = servicePort('web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
  const r = rulesFor(sp, endpoints('web', ['10.1.0.1', '10.1.0.2', '10.1.0.3']), 'node-a', true);
  const shared = [...r.shared.values()];
  assert.deepEqual(shared.map((s) => `${s.table} ${s.chain}`), ['nat KUBE-SERVICES']);
  assert.equal(shared[0].rule, `-m comment --comment "default/web cluster IP" -p tcp -m tcp -d 10.96.0.5/32 --dport 80 -j ${clusterChain(sp)}`);
  const svc = r.chains.get(clusterChain(sp))!;
  assert.match(svc[0], /-m addrtype ! --src-type LOCAL -j KUBE-MARK-MASQ$/);
  assert.match(svc[1], /--probability 0\.3333333333 -j KUBE-SEP-/);
  assert.match(svc[2], /--probability 0\.5000000000 -j KUBE-SEP-/);
  assert.doesNotMatch(svc[3], /probability/);
  assert.equal(r.chains.size, 4);
  const sep = [...r.chains].find(([name]) => name.startsWith('KUBE-SEP-'))![1];
  assert.match(sep[0], /-s 10\.1\.0\.\d\/32 -j KUBE-MARK-MASQ$/);
  assert.match(sep[1], /-p tcp -m tcp -j DNAT --to-destination 10\.1\.0\.\d:8080$/);
});

test('no endpoints: nothing in nat, REJECT in filter KUBE-SERVICES, and for the NodePort in KUBE-EXTERNAL-SERVICES', () => {
  const sp = servicePort('none', { type: 'NodePort', clusterIP: '10.96.0.6', ports: [{ port: 80, nodePort: 30080 }] });
  const r = rulesFor(sp, [], 'node-a', true);
  assert.equal(r.chains.size, 0);
  assert.deepEqual([...r.shared.values()].map((s) => `${s.table} ${s.chain} ${s.rule.split(' -j ')[1]}`), ['filter KUBE-SERVICES REJECT', 'filter KUBE-EXTERNAL-SERVICES REJECT']);
});

test('externalTrafficPolicy Local: KUBE-EXT- masquerades and short-circuits local clients to KUBE-SVC-, others go to KUBE-SVL-; without local endpoints they are dropped', () => {
  const sp = servicePort('etp', { type: 'NodePort', externalTrafficPolicy: 'Local', clusterIP: '10.96.0.7', ports: [{ port: 80, nodePort: 30081 }] });
  const eps = endpoints('etp', ['10.1.0.1', '10.1.0.2'], [{ nodeName: 'node-a' }, { nodeName: 'node-b' }]);
  const r = rulesFor(sp, eps, 'node-a', true);
  const ext = [...r.chains].find(([n]) => n.startsWith('KUBE-EXT-'))![1];
  assert.match(ext[0], /"masquerade LOCAL traffic for default\/etp external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ/);
  assert.match(ext[1], /-m addrtype --src-type LOCAL -j KUBE-SVC-/);
  assert.match(ext[2], /^-j KUBE-SVL-/);
  const svl = [...r.chains].find(([n]) => n.startsWith('KUBE-SVL-'))![1];
  assert.equal(svl.length, 1, 'one local endpoint, no off-node masquerade in the external policy chain');
  const none = rulesFor(sp, endpoints('etp', ['10.1.0.1', '10.1.0.2'], [{ nodeName: 'node-b' }, { nodeName: 'node-b' }]), 'node-a', true);
  assert.ok(![...none.chains.keys()].some((n) => n.startsWith('KUBE-SVL-')));
  assert.ok([...none.shared.values()].some((s) => s.chain === 'KUBE-EXTERNAL-SERVICES' && s.rule.includes('"default/etp has no local endpoints"') && s.rule.endsWith('-j DROP')));
});

test('sessionAffinity ClientIP: -m recent checks before the random choice, and the endpoint chain records the client', () => {
  const sp = servicePort('sticky', { clusterIP: '10.96.0.8', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] });
  const r = rulesFor(sp, endpoints('sticky', ['10.1.0.1', '10.1.0.2']), 'node-a', true);
  const svc = r.chains.get(clusterChain(sp))!;
  assert.match(svc[1], /-m recent --rcheck --seconds 60 --reap --name (KUBE-SEP-\S+) --mask 255\.255\.255\.255 --rsource -j \1$/);
  assert.match(svc[3], /statistic/);
  const sep = [...r.chains].find(([n]) => n.startsWith('KUBE-SEP-'))!;
  assert.ok(sep[1][1].includes(`-m recent --set --name ${sep[0]} `));
});

test('IPv6 (ip6tables): a dual-stack service port gets only its IPv6 ClusterIP and endpoints, with /128 hosts, an IPv6 recent mask and bracketed DNAT targets; IPv4 gets the rest', () => {
  const sp = servicePort('dual', { clusterIP: 'fd00:10:96::5', clusterIPs: ['fd00:10:96::5', '10.96.0.5'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } }, externalIPs: ['192.0.2.7', '2001:db8::7'], ports: [{ port: 80 }] });
  const slice = (addressType: string, ips: string[]): EndpointSlice => ({ metadata: { namespace: 'default', name: `dual-${addressType}`, labels: { 'kubernetes.io/service-name': 'dual' } }, addressType, ports: [{ port: 8080 }], endpoints: ips.map((ip) => ({ addresses: [ip] })) });
  const all = [...endpointsBySlices([slice('IPv4', ['10.1.0.1']), slice('IPv6', ['fd00:200::1', 'fd00:200::2'])]).values()][0];
  const v6 = rulesFor(sp, all, 'n', true, ipv6);
  const text6 = JSON.stringify([...v6.chains, ...v6.shared.values()]);
  assert.match(text6, /-d fd00:10:96::5\/128 --dport 80/);
  assert.match(text6, /-d 2001:db8::7\/128 --dport 80/);
  assert.match(text6, /-s fd00:200::1\/128 -j KUBE-MARK-MASQ/);
  assert.match(text6, /--mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource/);
  assert.match(text6, /-j DNAT --to-destination \[fd00:200::2\]:8080/);
  assert.doesNotMatch(text6, /10\.96\.0\.5|10\.1\.0\.1|192\.0\.2\.7/);
  const v4 = rulesFor(sp, all, 'n', true);
  const text4 = JSON.stringify([...v4.chains, ...v4.shared.values()]);
  assert.match(text4, /-d 10\.96\.0\.5\/32 --dport 80/);
  assert.match(text4, /-j DNAT --to-destination 10\.1\.0\.1:8080/);
  assert.doesNotMatch(text4, /fd00|2001:db8/);
  // A family the Service has no ClusterIP of gets nothing.
  assert.equal(rulesFor(servicePort('four', { clusterIP: '10.96.0.9', ports: [{ port: 80 }] }), all, 'n', true, ipv6).shared.size, 0);
});

test('an endpoint change writes the service chain and the new endpoint’s chain, deletes the old one’s, and leaves shared chains alone', () => {
  const sp = servicePort('web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
  const before = rulesFor(sp, endpoints('web', ['10.1.0.1', '10.1.0.2']), 'n', true);
  const after = rulesFor(sp, endpoints('web', ['10.1.0.1', '10.1.0.3']), 'n', true);
  const plan = new SyncPlan();
  writeDiff(plan, sp.key, before, after);
  const inputs = plan.inputs();
  assert.equal(inputs.length, 1, 'a small update is one input');
  const lines = inputs[0].text().split('\n');
  const [kept, gone] = endpoints('web', ['10.1.0.1', '10.1.0.2']).map((e) => endpointChain(sp, e));
  const added = endpointChain(sp, endpoints('web', ['10.1.0.3'])[0]);
  assert.deepEqual(lines.filter((l) => l.startsWith(':')).sort(), [`:${clusterChain(sp)} - [0:0]`, `:${added} - [0:0]`, `:${gone} - [0:0]`].sort());
  assert.ok(lines.includes(`-X ${gone}`));
  assert.ok(!lines.some((l) => l.includes(kept) && !l.startsWith(`-A ${clusterChain(sp)}`)), 'the kept endpoint’s chain is not touched');
  assert.ok(!lines.some((l) => / KUBE-SERVICES /.test(l) || l.startsWith('-D') || l.startsWith('-I')));
  assert.ok(lines.indexOf(`-X ${gone}`) > lines.findIndex((l) => l.startsWith(`-A ${clusterChain(sp)}`)), 'deleted after the chain that jumped to it is rewritten');
  // Removing the service: its KUBE-SERVICES rule goes, then its chains.
  const removal = new SyncPlan();
  writeDiff(removal, sp.key, after, emptyRules());
  const text = removal.inputs()[0].text();
  assert.match(text, /^-D KUBE-SERVICES -m comment --comment "default\/web cluster IP" .* -j KUBE-SVC-/m);
  assert.equal(text.match(/^-X /gm)?.length, 3);
});

test('a big update is split into inputs of whole service ports, with the shared chains last', () => {
  const plan = new SyncPlan();
  for (let i = 0; i < 300; i++) {
    const sp = servicePort(`s${i}`, { clusterIP: `10.96.1.${i % 250}`, ports: [{ port: 80 + Math.floor(i / 250) }] });
    writeDiff(plan, sp.key, emptyRules(), rulesFor(sp, endpoints(`s${i}`, Array.from({ length: 10 }, (_, j) => `10.2.${i % 250}.${j + 1}`)), 'n', true));
  }
  const inputs = plan.inputs();
  assert.ok(inputs.length >= 3, `${inputs.length} inputs`);
  const texts = inputs.map((i) => i.text());
  for (const t of texts.slice(0, -1)) {
    assert.doesNotMatch(t, /KUBE-SERVICES/, 'chunks hold only service ports’ own chains');
    // Every chain a chunk writes to is declared in that chunk (written whole).
    const declared = new Set([...t.matchAll(/^:(\S+)/gm)].map((m) => m[1]));
    for (const m of t.matchAll(/^-A (\S+)/gm)) assert.ok(declared.has(m[1]), m[1]);
  }
  assert.equal(texts.at(-1)!.match(/^-I KUBE-SERVICES 1 /gm)?.length, 300);
});

test('iptables-restore errors name input lines in both of its message forms; iptables-save parses into chains and rules', () => {
  assert.deepEqual(errorLines("iptables-restore v1.8.9 (nf_tables): Chain 'KUBE-NOPE' does not exist\nError occurred at line: 4\n"), [4]);
  assert.deepEqual(errorLines('iptables-restore: line 3 failed: Bad rule (does a matching rule exist in that chain?).\n'), [3]);
  const saved = parseSave('*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\nCOMMIT\n');
  assert.deepEqual([...saved.chains.keys()], ['PREROUTING', 'KUBE-SERVICES']);
  assert.deepEqual(saved.chains.get('PREROUTING'), ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES']);
});
