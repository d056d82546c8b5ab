// The change trackers hand a proxier exactly the service ports that changed, so a sync touches
// those and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointsChangeTracker, ServiceChangeTracker, type EndpointsMap, type ServicePortMap } from '../../src/proxy/change-tracker.js';
import { usableEndpoints, type EndpointInfo } from '../../src/proxy/endpoint.js';

const svc = (name: string, ports: { name?: string; port: number }[], extra: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { name, namespace: 'ns', resourceVersion: '1' },
  spec: { clusterIP: '10.96.0.5', ports, ...extra },
});

const slice = (service: string, name: string, ips: string[], port = 8080, portName = ''): EndpointSlice => ({
  metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: portName, port, protocol: 'TCP' }],
});

test('service changes report only the service ports that were added, removed or changed', () => {
  const t = new ServiceChangeTracker();
  const map: ServicePortMap = new Map();
  const a1 = svc('a', [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]);
  t.update(undefined, a1);
  t.update(undefined, svc('b', [{ port: 53 }]));
  assert.deepEqual([...t.apply(map)].sort(), ['ns/a:http', 'ns/a:https', 'ns/b:']);
  // A metadata-only update changes nothing; a changed port changes only that one.
  const a2 = { ...a1, metadata: { ...a1.metadata, resourceVersion: '2', labels: { x: 'y' } } };
  t.update(a1, a2);
  assert.deepEqual([...t.apply(map)], []);
  const a3 = svc('a', [{ name: 'http', port: 8080 }, { name: 'https', port: 443 }]);
  t.update(a2, a3);
  assert.deepEqual([...t.apply(map)], ['ns/a:http']);
  assert.equal(map.get('ns/a:http')?.port, 8080);
  // Add then delete before a sync: nothing to do. Deleting b removes its port.
  t.update(undefined, svc('c', [{ port: 1 }]));
  t.update(svc('c', [{ port: 1 }]), undefined);
  t.update(svc('b', [{ port: 53 }]), undefined);
  assert.deepEqual([...t.apply(map)], ['ns/b:']);
  assert.equal(map.has('ns/c:'), false);
});

test('headless and ExternalName services get no service ports', () => {
  const t = new ServiceChangeTracker();
  const map: ServicePortMap = new Map();
  t.update(undefined, svc('h', [{ port: 80 }], { clusterIP: 'None' }));
  t.update(undefined, svc('e', [], { type: 'ExternalName', clusterIP: undefined, externalName: 'x.example' }));
  assert.equal(t.apply(map).size, 0);
});

test('endpoint changes merge every slice of a service and report only the ports whose endpoints differ', () => {
  const t = new EndpointsChangeTracker();
  const map: EndpointsMap = new Map();
  t.update(slice('a', 'a-1', ['10.0.0.1']), false);
  t.update(slice('a', 'a-2', ['10.0.0.2']), false);
  t.update(slice('b', 'b-1', ['10.0.1.1']), false);
  assert.deepEqual([...t.apply(map)].sort(), ['ns/a:', 'ns/b:']);
  assert.deepEqual(map.get('ns/a:')?.map((e) => e.key), ['10.0.0.1:8080', '10.0.0.2:8080']);
  // Rewriting a slice unchanged reports nothing; removing one slice changes only a.
  t.update(slice('b', 'b-1', ['10.0.1.1']), false);
  assert.deepEqual([...t.apply(map)], []);
  t.update(slice('a', 'a-2', []), true);
  assert.deepEqual([...t.apply(map)], ['ns/a:']);
  assert.deepEqual(map.get('ns/a:')?.map((e) => e.key), ['10.0.0.1:8080']);
  t.update(slice('a', 'a-1', []), true);
  assert.deepEqual([...t.apply(map)], ['ns/a:']);
  assert.equal(map.has('ns/a:'), false);
});

test('usable endpoints: ready ones, else serving terminating ones; Local policy keeps this node’s', () => {
  const ep = (ip: string, c: Partial<EndpointInfo>): EndpointInfo => ({ ip, port: 1, key: `${ip}:1`, ready: false, serving: false, terminating: false, nodeName: 'n1', hostname: undefined, zone: undefined, ...c });
  const all = [ep('1.1.1.1', { ready: true, serving: true, nodeName: 'n2' }), ep('1.1.1.2', { serving: true, terminating: true }), ep('1.1.1.3', {})];
  assert.deepEqual(usableEndpoints(all).map((e) => e.ip), ['1.1.1.1']);
  assert.deepEqual(usableEndpoints(all, 'n1').map((e) => e.ip), ['1.1.1.2']);
  assert.deepEqual(usableEndpoints(all, 'n3'), []);
});
