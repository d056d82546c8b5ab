// NodePorts as upstream's node_ports_test.go: host port conflicts by IP (0.0.0.0 conflicts with
// all), protocol and port; init containers count; a pod without host ports skips the plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { QueueingHint } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, NodePortsPlugin } from '../../../src/scheduler/plugins/node-ports/index.js';
import { codeOf, handle, info, node, pod, preFilterOf, runFilter } from './basic-fixtures.js';

/** "proto/ip/port" strings → a pod with those host ports, as upstream's newPod helper. */
function portsPod(name: string, ...specs: string[]): Pod {
  const ports: ContainerPort[] = specs.map((s) => {
    const [protocol, hostIP, port] = s.split('/');
    return { protocol: protocol as ContainerPort['protocol'], hostIP, hostPort: Number(port), containerPort: Number(port) };
  });
  return pod(name, { containers: [{ name: 'c', ports }] });
}

const plugin = new NodePortsPlugin();
const REJECT = [Code.Unschedulable, ["node(s) didn't have free ports for the requested pod ports"]];
const OK = [Code.Success, []];
const cases: { name: string; want: string[]; used: string[]; result: unknown }[] = [
  { name: 'nothing running', want: ['UDP/127.0.0.1/8080'], used: [], result: OK },
  { name: 'other port', want: ['UDP/127.0.0.1/8080'], used: ['UDP/127.0.0.1/9090'], result: OK },
  { name: 'same udp port', want: ['UDP/127.0.0.1/8080'], used: ['UDP/127.0.0.1/8080'], result: REJECT },
  { name: 'same tcp port', want: ['TCP/127.0.0.1/8080'], used: ['TCP/127.0.0.1/8080'], result: REJECT },
  { name: 'different host ip', want: ['TCP/127.0.0.1/8080'], used: ['TCP/127.0.0.2/8080'], result: OK },
  { name: 'different protocol', want: ['UDP/127.0.0.1/8080'], used: ['TCP/127.0.0.1/8080'], result: OK },
  { name: 'second udp port conflict', want: ['UDP/127.0.0.1/8000', 'UDP/127.0.0.1/8080'], used: ['UDP/127.0.0.1/8080'], result: REJECT },
  { name: 'first tcp port conflict', want: ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8080'], used: ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8081'], result: REJECT },
  { name: 'first tcp port conflict due to 0.0.0.0 hostIP', want: ['TCP/0.0.0.0/8001'], used: ['TCP/127.0.0.1/8001'], result: REJECT },
  { name: 'TCP hostPort conflict due to 0.0.0.0 hostIP', want: ['TCP/10.0.10.10/8001', 'TCP/0.0.0.0/8001'], used: ['TCP/127.0.0.1/8001'], result: REJECT },
  { name: 'second tcp port conflict to 0.0.0.0 hostIP', want: ['TCP/127.0.0.1/8001'], used: ['TCP/0.0.0.0/8001'], result: REJECT },
  { name: 'second different protocol', want: ['UDP/127.0.0.1/8001'], used: ['TCP/0.0.0.0/8001'], result: OK },
  { name: 'UDP hostPort conflict due to 0.0.0.0 hostIP', want: ['UDP/127.0.0.1/8001'], used: ['TCP/0.0.0.0/8001', 'UDP/0.0.0.0/8001'], result: REJECT },
  { name: 'an empty hostIP and protocol mean 0.0.0.0 and TCP', want: ['//8001'], used: ['TCP/10.1.1.1/8001'], result: REJECT },
];

for (const c of cases) {
  test(`Filter: ${c.name}`, () => {
    const ni = info(node('n'), portsPod('existing', ...c.used));
    assert.deepEqual(runFilter(plugin, portsPod('p', ...c.want), ni), c.result);
  });
}

test('PreFilter: a pod without host ports skips Filter; init container host ports are collected', () => {
  assert.equal(preFilterOf(plugin.preFilter(new CycleState(), pod('p'), [])).status?.code, Code.Skip);
  const withInit = pod('p', { initContainers: [{ name: 'i', ports: [{ containerPort: 80, hostPort: 80 }] }], containers: [{ name: 'c', ports: [{ containerPort: 81 }] }] });
  const ni = info(node('n'), portsPod('existing', 'TCP/0.0.0.0/80'));
  assert.deepEqual(runFilter(plugin, withInit, ni), REJECT);
});

test('Filter without PreFilter state is an error', () => {
  assert.equal(codeOf(plugin.filter(new CycleState(), portsPod('p', 'TCP//80'), info(node('n'))))[0], Code.Error);
});

test('factory, name and the pod-deleted hint (queue only when the deleted pod freed a wanted port)', () => {
  assert.equal(NAME, 'NodePorts');
  assert.equal(factory(undefined, handle()).name, NAME);
  const [delEv, nodeEv] = plugin.eventsToRegister();
  assert.equal(nodeEv!.hint, undefined);
  const log = pino({ level: 'silent' });
  const p = portsPod('p', 'TCP//8080');
  const bound = (q: Pod) => ({ ...q, spec: { ...q.spec!, nodeName: 'n' } });
  assert.equal(delEv!.hint!(log, p, bound(portsPod('d', 'TCP//8080')), undefined), QueueingHint.Queue);
  assert.equal(delEv!.hint!(log, p, bound(portsPod('d', 'TCP//9090')), undefined), QueueingHint.Skip);
  assert.equal(delEv!.hint!(log, p, portsPod('d', 'TCP//8080'), undefined), QueueingHint.Skip);
  assert.equal(delEv!.hint!(log, p, bound(pod('d')), undefined), QueueingHint.Skip);
});
