import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podDnsConfig, parseResolvConf } from '../../src/kubelet/dns-config.js';

const resolvConf = join(mkdtempSync(join(tmpdir(), 'k8ts-dns-')), 'resolv.conf');
writeFileSync(resolvConf, '# host\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n');
const settings = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...spec } });

const cases: { name: string; pod: Pod; settings?: typeof settings; want: { servers: string[]; searches: string[]; options: string[] } }[] = [
  {
    name: 'ClusterFirst (the default) uses the cluster DNS, the namespace search path plus the host searches, and ndots:5',
    pod: pod(),
    want: { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] },
  },
  { name: 'Default copies the node resolv.conf', pod: pod({ dnsPolicy: 'Default' }), want: { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] } },
  { name: 'a host-network pod with ClusterFirst gets the node resolv.conf', pod: pod({ hostNetwork: true }), want: { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] } },
  {
    name: 'ClusterFirstWithHostNet gives a host-network pod the cluster DNS',
    pod: pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }),
    want: { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] },
  },
  {
    name: 'None takes only spec.dnsConfig',
    pod: pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }),
    want: { servers: ['1.1.1.1'], searches: ['a.example'], options: ['ndots:2', 'rotate'] },
  },
  {
    name: 'dnsConfig is merged on top of ClusterFirst: servers and searches appended, options replaced by name',
    pod: pod({ dnsConfig: { nameservers: ['1.1.1.1'], searches: ['extra.example'], options: [{ name: 'ndots', value: '1' }] } }),
    want: { servers: ['10.96.0.10', '1.1.1.1'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'extra.example'], options: ['ndots:1'] },
  },
  {
    name: 'without a cluster DNS, ClusterFirst falls back to Default as upstream does',
    pod: pod(),
    settings: { ...settings, clusterDNS: [] },
    want: { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(podDnsConfig(c.pod, c.settings ?? settings), c.want);
  });
}

test('resolv.conf parsing ignores comments and keeps the last search line', () => {
  assert.deepEqual(parseResolvConf('nameserver 1.2.3.4 # x\nsearch a b\nsearch c\noptions ndots:1 timeout:2\n; comment\n'), { servers: ['1.2.3.4'], searches: ['c'], options: ['ndots:1', 'timeout:2'] });
});
