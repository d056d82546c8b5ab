// The preemption path reuses its scratch copies (one NodeInfo and CycleState per dry run, one
// per Framework for the nominated pods Filter counts) and caches each pod's requests in its
// PodInfo. A fixed-seed run of the Preemption workload's shape — full nodes of varied size,
// victims of several priorities and start times, some with host ports, preemptors piling up
// nominations — must choose the same nodes and victims, and report the same messages, as the
// scheduler did before those changes (hash recorded from that scheduler, commit a822dfc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../../src/client/rest/client.js';
import { newControllerContext } from '../../../src/controllers/context.js';
import { defaultConfiguration } from '../../../src/scheduler/config/defaults.js';
import { FitError } from '../../../src/scheduler/fit-error.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { newPodInfo, podUsage } from '../../../src/scheduler/framework/pod-info.js';
import { podRequests } from '../../../src/scheduler/framework/resource.js';
import { DefaultPreemption } from '../../../src/scheduler/plugins/default-preemption/index.js';
import { inTreeRegistry } from '../../../src/scheduler/plugins/registry.js';
import { Scheduler } from '../../../src/scheduler/scheduler.js';
import { createLogger } from '../../../src/util/log.js';
import { makeNode, podWithUid } from '../fixtures.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const ok = async () => ({});
/** API calls (victim patches and deletes) succeed without a server: only the decisions matter here. */
const client = { resource: () => ({ patch: ok, delete: ok, create: ok, update: ok }) } as unknown as Client;

function victim(name: string, r: () => number, nodeName: string): Pod {
  const p = podWithUid(name, { cpu: pick(r, ['500m', '1']), memory: '1Gi', priority: pick(r, [1, 5, 10]), nodeName, namespace: 'bench' });
  const status = { startTime: `2026-01-01T00:00:${String(Math.floor(r() * 60)).padStart(2, '0')}Z` };
  if (r() < 0.2) p.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080 }];
  return { ...p, status };
}

async function preemptionRunHash(): Promise<string> {
  const log = createLogger('preemption-kept-test', { level: 'silent' });
  const ctx = newControllerContext(client, log, {});
  const registry = inTreeRegistry();
  const config = defaultConfiguration((n: string) => registry.has(n));
  const r = rng(11);
  const s = new Scheduler({ client, informers: ctx.informers, recorder: () => ({ eventf() {}, event() {} }) as never, log, config, registry, random: rng(5) });
  const fwk = s.profiles.get('default-scheduler')!;
  const plugin = fwk.postFilterPlugins.find((p) => p instanceof DefaultPreemption) as DefaultPreemption;
  for (let i = 0; i < 60; i++) {
    const name = `node-${i}`;
    const cpu = pick(r, [2, 3, 4]);
    s.cache.addNode(makeNode(name, { cpu: String(cpu) }));
    // Fill the node: victims until the next one would not fit.
    let free = cpu * 1000;
    for (let k = 0; free > 0; k++) {
      const v = victim(`low-${i}-${k}`, r, name);
      const cpu = podRequests(v).milliCPU;
      if (cpu > free) break;
      s.cache.addPod(v);
      free -= cpu;
    }
  }
  const out: string[] = [];
  const random = Math.random;
  Math.random = rng(23); // DefaultPreemption's random offset into the candidate nodes
  try {
    for (let i = 0; i < 80; i++) {
      const p = podWithUid(`high-${i}`, { cpu: pick(r, ['500m', '1', '2']), memory: '1Gi', priority: pick(r, [100, 1000]), namespace: 'bench' });
      if (r() < 0.1) p.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080 }];
      const state = new CycleState();
      try {
        const res = await s.schedulePod(fwk, state, p);
        s.cache.assumePod({ ...p, spec: { ...p.spec!, nodeName: res.suggestedHost } });
        out.push(`${p.metadata!.name}@${res.suggestedHost}`);
        continue;
      } catch (err) {
        if (!(err instanceof FitError)) throw err;
        const pf = await fwk.runPostFilterPlugins(state, p, err.diagnosis.nodeToStatus);
        err.diagnosis.postFilterMsg = pf.status.message();
        const node = pf.result?.nominatedNodeName ?? '';
        out.push(`${p.metadata!.name}: ${err.text()} -> ${node}`);
        if (!node) continue;
        s.queue.nominator.addNominatedPod(newPodInfo({ ...p, status: { nominatedNodeName: node } }), node);
        // Every other preemptor's victims leave at once; this one's stay (still terminating) until the next cycle's turn.
        s.cache.updateSnapshot(s.snapshot);
        for (const pi of s.snapshot.get(node)!.pods) {
          if (!plugin.evicting.uids.has(pi.pod.metadata!.uid!)) continue;
          out.push(`  victim ${pi.pod.metadata!.name}`);
          if (i % 2 === 0) {
            s.cache.removePod(pi.pod);
            plugin.observedTerminatingOrGone(pi.pod);
          }
        }
      }
    }
  } finally {
    Math.random = random;
  }
  await Promise.all([...plugin.evictions]);
  let h = 0;
  for (const x of out) for (let i = 0; i < x.length; i++) h = (h * 31 + x.charCodeAt(i)) | 0;
  return `${h} ${out.length}`;
}

test('a fixed-seed preemption run chooses the same nodes and victims, with the same messages, as before the scratch copies were reused', async () => {
  assert.equal(await preemptionRunHash(), EXPECTED);
});

test("a PodInfo's usage is read from the pod once: requests, host ports, claims, name", () => {
  const p = podWithUid('p', { cpu: '250m', memory: '1Gi', namespace: 'ns' });
  p.spec!.initContainers = [{ name: 'init', image: 'x', resources: { requests: { cpu: '1' } }, ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }] }];
  p.spec!.containers[0]!.ports = [{ containerPort: 80 }, { containerPort: 443, hostPort: 8443, hostIP: '10.0.0.1' }];
  p.spec!.volumes = [{ name: 'a', emptyDir: {} }, { name: 'b', persistentVolumeClaim: { claimName: 'data' } }];
  const pi = newPodInfo(p);
  const u = podUsage(pi);
  assert.deepEqual(u.requests, podRequests(p));
  assert.deepEqual(u.nonZeroRequests, podRequests(p, { nonZero: true }));
  assert.deepEqual(u.hostPorts, [
    { ip: undefined, protocol: 'UDP', port: 53 },
    { ip: '10.0.0.1', protocol: undefined, port: 8443 },
  ]);
  assert.deepEqual(u.pvcKeys, ['ns/data']);
  assert.deepEqual([u.name, u.namespace], ['p', 'ns']);
  assert.equal(podUsage(pi), u, 'the same object the second time');
});

const EXPECTED = '-1782948303 158';
