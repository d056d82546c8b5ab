// Pure logic of the Endpoints controller: subset packing, port resolution and truncation at 1000.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointAddress, Service } from 'kubernetes-types/core/v1.js';
import { computeSubsets, countAddresses, repackSubsets, truncateSubsets } from '../../src/controllers/endpoints/subsets.js';
import { TriggerTimeTracker } from '../../src/controllers/endpoints/trigger-time.js';
import { formatRFC3339Nano } from '../../src/controllers/endpoints/pod-util.js';
import { podManifest, type P } from './endpoints-fixtures.js';

function pod(name: string, ip: string, ready: boolean, ports: [string, number][] = [], extra: Partial<NonNullable<P['status']>> = {}): P {
  const p = podManifest('ns', name, { ports });
  return {
    ...p,
    metadata: { ...p.metadata, uid: `uid-${name}` },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], ...extra },
  };
}
const svc = (spec: Service['spec']): Service => ({ metadata: { name: 's', namespace: 'ns' }, spec: { selector: { app: 'web' }, ...spec } });
const addr = (ip: string): EndpointAddress => ({ ip, targetRef: { kind: 'Pod', uid: ip } });

describe('endpoints subsets', () => {
  test('two service ports offered by the same pods pack into one subset with both ports, sorted', () => {
    const s = svc({ ports: [{ name: 'b', port: 2, targetPort: 'b' }, { name: 'a', port: 1, targetPort: 'a' }] });
    const subsets = computeSubsets(s, [pod('x', '10.0.0.10', true, [['a', 81], ['b', 82]]), pod('y', '10.0.0.9', false, [['a', 81], ['b', 82]])]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0].ports?.map((p) => p.name), ['a', 'b']);
    assert.deepEqual(subsets[0].addresses?.map((a) => a.ip), ['10.0.0.10']);
    assert.deepEqual(subsets[0].notReadyAddresses?.map((a) => a.ip), ['10.0.0.9']);
  });

  test('terminal pods, pods without IPs and pods of the wrong IP family are never endpoints', () => {
    const s = svc({ ports: [{ port: 80 }], ipFamilies: ['IPv4'] });
    const subsets = computeSubsets(s, [
      pod('done', '10.0.0.1', false, [], { phase: 'Succeeded' }),
      pod('noip', '', true, [], { podIP: undefined, podIPs: [] }),
      pod('v6', 'fd00::1', true),
      pod('ok', '10.0.0.2', true),
    ]);
    assert.deepEqual(subsets.flatMap((x) => x.addresses ?? []).map((a) => a.ip), ['10.0.0.2']);
    assert.equal(countAddresses(subsets), 1);
  });

  test('repacking keeps an address ready if any input lists it ready for that port', () => {
    const port = { port: 80, protocol: 'TCP' };
    const out = repackSubsets([{ notReadyAddresses: [addr('1.1.1.1')], ports: [port] }, { addresses: [addr('1.1.1.1')], ports: [port] }]);
    assert.deepEqual(out, [{ addresses: [addr('1.1.1.1')], ports: [port] }]);
  });

  const many = (n: number, base: number) => Array.from({ length: n }, (_, i) => addr(`10.${base}.${Math.floor(i / 250)}.${i % 250}`));
  const cases: { name: string; ready: number[]; notReady: number[]; wantReady: number[]; wantNotReady: number[] }[] = [
    { name: 'under capacity nothing is cut', ready: [500], notReady: [400], wantReady: [500], wantNotReady: [400] },
    { name: 'not-ready addresses are cut first, proportionally per subset', ready: [600, 0], notReady: [300, 300], wantReady: [600, 0], wantNotReady: [200, 200] },
    { name: 'more than 1000 ready addresses drop every not-ready one and share 1000 proportionally', ready: [1500, 500], notReady: [10, 10], wantReady: [750, 250], wantNotReady: [0, 0] },
  ];
  for (const c of cases) {
    test(`truncation: ${c.name}`, () => {
      const subsets = c.ready.map((r, i) => ({ addresses: many(r, i), notReadyAddresses: many(c.notReady[i] ?? 0, 100 + i), ports: [{ port: 80 + i }] }));
      const { subsets: out, truncated } = truncateSubsets(subsets);
      assert.equal(truncated, c.wantReady.reduce((a, b) => a + b, 0) + c.wantNotReady.reduce((a, b) => a + b, 0) < c.ready.reduce((a, b) => a + b, 0) + c.notReady.reduce((a, b) => a + b, 0));
      assert.deepEqual(out.map((s) => s.addresses?.length ?? 0), c.wantReady);
      assert.deepEqual(out.map((s) => s.notReadyAddresses?.length ?? 0), c.wantNotReady);
      assert.ok(countAddresses(out) <= 1000);
    });
  }

  test('the trigger time is absent on a service\'s first sync and then the earliest changed readiness time', () => {
    const t = new TriggerTimeTracker();
    const s: Service = { metadata: { name: 's', namespace: 'ns', creationTimestamp: '2024-01-01T00:00:00Z' } };
    const p = (name: string, at: string): P => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } });
    assert.equal(t.compute('ns', s, [p('a', '2024-01-01T00:01:00Z')]), undefined);
    assert.equal(t.compute('ns', s, [p('a', '2024-01-01T00:01:00Z')]), undefined, 'nothing changed');
    const got = t.compute('ns', s, [p('a', '2024-01-01T00:03:00Z'), p('b', '2024-01-01T00:02:00Z')]);
    assert.equal(got && formatRFC3339Nano(got), '2024-01-01T00:02:00Z');
  });
});
