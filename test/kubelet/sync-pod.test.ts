// The pod sync against the FakeRuntime with a fake clock: what it starts, restarts and reports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeRuntime } from '../../src/kubelet/runtime/fake/runtime.js';
import { Backoff, formatGoDuration } from '../../src/kubelet/backoff.js';
import { PodSyncer } from '../../src/kubelet/sync-pod.js';
import { PodWorkers } from '../../src/kubelet/pod-workers.js';
import { StatusManager } from '../../src/kubelet/status/status-manager.js';
import { literalEnv, noHooks, noProber, noVolumes, type EnvProvider, type HookRunner, type Prober } from '../../src/kubelet/sync-deps.js';
import { runLifecycleHandler } from '../../src/kubelet/lifecycle/handler-runner.js';
import type { EventRecorder } from '../../src/client/record/index.js';
import { silentLog } from './agent-helpers.js';

interface Harness {
  runtime: FakeRuntime;
  syncer: PodSyncer;
  status: StatusManager;
  clock: { t: number; now(): number };
  events: string[];
}

function harness(opts: { env?: EnvProvider; prober?: Prober; hooks?: HookRunner; admit?: (pod: Pod) => { admit: boolean; reason?: string; message?: string } } = {}): Harness {
  const clock = { t: Date.parse('2026-01-01T00:00:00Z'), now: () => clock.t };
  const runtime = new FakeRuntime({ now: () => clock.t, logsOnDisk: false });
  const events: string[] = [];
  const recorder = { event: (_o: unknown, type: string, reason: string, message: string) => events.push(`${type} ${reason} ${message}`) } as unknown as EventRecorder;
  // Never started: it only keeps the statuses the sync sets.
  const status = new StatusManager({ client: undefined as never, log: silentLog });
  const syncer = new PodSyncer({
    runtime,
    rootDir: fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-sync-')),
    nodeName: 'n1',
    hostIP: '10.0.0.1',
    recorder,
    log: silentLog,
    status,
    env: opts.env ?? literalEnv,
    volumes: noVolumes,
    prober: opts.prober ?? noProber,
    hooks: opts.hooks ?? noHooks,
    backoff: new Backoff(10_000, 300_000, clock),
    clock,
    admit: opts.admit,
  });
  return { runtime, syncer, status, clock, events };
}

function pod(name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  };
}

describe('PodSyncer with the FakeRuntime', () => {
  it('creates the sandbox and starts the containers, then reports Running with runtime ids', async () => {
    const h = harness();
    const p = pod('web');
    await h.syncer.syncPod(p);
    const s = h.status.getPodStatus('uid-web');
    assert.equal(s?.phase, 'Running');
    assert.match(s?.containerStatuses?.[0].containerID ?? '', /^fake:\/\//);
    assert.equal(s?.containerStatuses?.[0].ready, true);
    assert.match(s?.podIP ?? '', /^10\.88\./);
    assert.equal(s?.hostIP, '10.0.0.1');
    assert.equal(s?.qosClass, 'BestEffort');
    assert.deepEqual(
      s?.conditions?.map((c) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
    );
    assert.deepEqual(h.events, ['Normal Pulled Container image "busybox" already present on machine', 'Normal Created Created container: c', 'Normal Started Started container c']);
  });

  it('a sync with nothing to start changes nothing in the runtime and reports the status the starting sync reported', async () => {
    const h = harness();
    const p = pod('steady', { dnsPolicy: 'Default', initContainers: [{ name: 'init', image: 'true' }] });
    // The init container, which ends; then the app container; then the steady state.
    await h.syncer.syncPod(p);
    h.runtime.exitContainer('init', 0);
    await h.syncer.syncPod(p);
    await h.syncer.syncPod(p);
    const started = JSON.stringify(h.status.getPodStatus('uid-steady'));
    assert.equal(h.status.getPodStatus('uid-steady')?.phase, 'Running');
    const calls = h.runtime.calls.length;
    const res = await h.syncer.syncPod(p);
    assert.deepEqual(res, { terminal: false, requeueAfterMs: undefined });
    assert.deepEqual(h.runtime.calls.slice(calls), [], 'no runtime change');
    assert.equal(JSON.stringify(h.status.getPodStatus('uid-steady')), started);
  });

  it('restarts a failed container at once, then backs off 10 s doubling, with the upstream message', async () => {
    const h = harness();
    const p = pod('crash');
    await h.syncer.syncPod(p);
    h.runtime.exitContainer('c', 1);
    await h.syncer.syncPod(p);
    assert.equal(h.status.getPodStatus('uid-crash')?.containerStatuses?.[0].restartCount, 1);
    assert.ok(h.status.getPodStatus('uid-crash')?.containerStatuses?.[0].state?.running);

    h.runtime.exitContainer((c) => c.config.attempt === 1, 2);
    const res = await h.syncer.syncPod(p);
    const cs = h.status.getPodStatus('uid-crash')?.containerStatuses?.[0];
    assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(cs?.state?.waiting?.message, 'back-off 10s restarting failed container=c pod=crash_default(uid-crash)');
    assert.equal(cs?.lastState?.terminated?.exitCode, 2);
    assert.equal(cs?.restartCount, 1);
    assert.equal(res.requeueAfterMs, 10_000);
    assert.ok(h.events.includes('Warning BackOff Back-off restarting failed container c in pod crash_default(uid-crash)'));

    h.clock.t += 10_000;
    await h.syncer.syncPod(p);
    assert.equal(h.status.getPodStatus('uid-crash')?.containerStatuses?.[0].restartCount, 2);
    h.runtime.exitContainer((c) => c.config.attempt === 2, 2);
    await h.syncer.syncPod(p);
    assert.match(h.status.getPodStatus('uid-crash')?.containerStatuses?.[0].state?.waiting?.message ?? '', /^back-off 20s /);
  });

  it('completes a restartPolicy Never pod: Succeeded when every container exits 0, Failed otherwise', async () => {
    for (const [code, phase] of [
      [0, 'Succeeded'],
      [1, 'Failed'],
    ] as const) {
      const h = harness();
      const p = pod(`never${code}`, { restartPolicy: 'Never' });
      await h.syncer.syncPod(p);
      h.runtime.exitContainer('c', code);
      const res = await h.syncer.syncPod(p);
      assert.equal(res.terminal, true);
      const s = h.status.getPodStatus(`uid-never${code}`);
      assert.equal(s?.phase, phase);
      assert.equal(s?.containerStatuses?.[0].state?.terminated?.reason, code === 0 ? 'Completed' : 'Error');
      assert.equal(s?.conditions?.find((c) => c.type === 'Ready')?.reason, code === 0 ? 'PodCompleted' : 'ContainersNotReady');
    }
  });

  it('runs init containers one at a time before the app containers, reporting PodInitializing', async () => {
    const h = harness();
    const p = pod('init', { initContainers: [{ name: 'i1', image: 'busybox' }, { name: 'i2', image: 'busybox' }] });
    await h.syncer.syncPod(p);
    let s = h.status.getPodStatus('uid-init');
    assert.equal(s?.phase, 'Pending');
    assert.equal(s?.containerStatuses?.[0].state?.waiting?.reason, 'PodInitializing');
    const initialized = s?.conditions?.find((c) => c.type === 'Initialized');
    assert.equal(initialized?.reason, 'ContainersNotInitialized');
    assert.equal(initialized?.message, 'containers with incomplete status: [i1 i2]');
    assert.deepEqual([...h.runtime.containers.values()].map((c) => c.config.name), ['i1']);
    h.runtime.exitContainer('i1', 0);
    await h.syncer.syncPod(p);
    assert.deepEqual([...h.runtime.containers.values()].map((c) => c.config.name), ['i1', 'i2']);
    h.runtime.exitContainer('i2', 0);
    await h.syncer.syncPod(p);
    s = h.status.getPodStatus('uid-init');
    assert.equal(s?.phase, 'Running');
    assert.deepEqual(s?.initContainerStatuses?.map((c) => c.state?.terminated?.reason), ['Completed', 'Completed']);
  });

  it('starts a sidecar (restartable init container) and keeps it running beside the app', async () => {
    const h = harness();
    const p = pod('sidecar', { initContainers: [{ name: 'proxy', image: 'busybox', restartPolicy: 'Always' }] });
    await h.syncer.syncPod(p);
    await h.syncer.syncPod(p);
    const names = [...h.runtime.containers.values()].filter((c) => c.status.state === 'Running').map((c) => c.config.name);
    assert.deepEqual(names.sort(), ['c', 'proxy']);
    const s = h.status.getPodStatus('uid-sidecar');
    assert.equal(s?.phase, 'Running');
    assert.equal(s?.initContainerStatuses?.[0].ready, true);
  });

  it('passes the PID namespace to join: the pod\'s with shareProcessNamespace, the target\'s for an ephemeral container', async () => {
    const h = harness();
    const configOf = (name: string) => [...h.runtime.containers.values()].find((c) => c.config.name === name)!;
    await h.syncer.syncPod(pod('shared', { shareProcessNamespace: true }));
    assert.deepEqual(configOf('c').config.pidNamespace, { mode: 'pod' });
    assert.equal(configOf('c').sandboxConfig.namespaceOptions?.pid, 'pod');

    const h2 = harness();
    const p = pod('debugged');
    await h2.syncer.syncPod(p);
    const target = [...h2.runtime.containers.values()].find((c) => c.config.name === 'c')!;
    assert.equal('pidNamespace' in target.config, false, 'its own namespace');
    await h2.syncer.syncPod({ ...p, spec: { ...p.spec!, ephemeralContainers: [{ name: 'dbg', image: 'sh', targetContainerName: 'c' }] } });
    const dbg = [...h2.runtime.containers.values()].find((c) => c.config.name === 'dbg')!;
    assert.deepEqual(dbg.config.pidNamespace, { mode: 'target', targetId: target.id });
  });

  it('an ephemeral container whose target has not been created waits with CreateContainerConfigError, as upstream', async () => {
    const h = harness();
    // The init container never ends, so the target (an app container) is never created.
    const p = pod('early', { initContainers: [{ name: 'init', image: 'sleep' }], ephemeralContainers: [{ name: 'dbg', image: 'sh', targetContainerName: 'c' }] });
    await h.syncer.syncPod(p);
    await h.syncer.syncPod(p); // the first sync creates the sandbox; ephemeral containers start in a ready one
    const w = h.status.getPodStatus('uid-early')?.ephemeralContainerStatuses?.[0].state?.waiting;
    assert.deepEqual(w, { reason: 'CreateContainerConfigError', message: 'unable to find target container c' });
    assert.ok(h.events.includes('Warning Failed Error: unable to find target container c'), h.events.join('\n'));
    assert.ok(!h.runtime.calls.includes('createContainer dbg'));
  });

  it('reports CreateContainerConfigError with the env module message', async () => {
    const err = Object.assign(new Error('configmap "missing" not found'), { reason: 'CreateContainerConfigError' });
    const h = harness({ env: { environment: () => Promise.reject(err), expand: (c) => c } });
    const p = pod('cfg');
    const res = await h.syncer.syncPod(p);
    const w = h.status.getPodStatus('uid-cfg')?.containerStatuses?.[0].state?.waiting;
    assert.deepEqual(w, { reason: 'CreateContainerConfigError', message: 'configmap "missing" not found' });
    assert.equal(res.requeueAfterMs, 2000);
    assert.ok(h.events.includes('Warning Failed Error: configmap "missing" not found'));
  });

  it('fails a pod past activeDeadlineSeconds with reason DeadlineExceeded', async () => {
    const h = harness();
    const p = pod('deadline', { activeDeadlineSeconds: 5 });
    await h.syncer.syncPod(p);
    h.clock.t += 6000;
    const res = await h.syncer.syncPod(p);
    assert.equal(res.terminal, true);
    const s = h.status.getPodStatus('uid-deadline');
    assert.equal(s?.phase, 'Failed');
    assert.equal(s?.reason, 'DeadlineExceeded');
    await h.syncer.syncTerminatingPod(p);
    assert.equal([...h.runtime.containers.values()].filter((c) => c.status.state === 'Running').length, 0);
    assert.equal(h.status.getPodStatus('uid-deadline')?.phase, 'Failed');
  });

  it('kills a running container after a deletion and reports the pod terminal', async () => {
    const h = harness();
    const p = pod('del');
    await h.syncer.syncPod(p);
    await h.syncer.syncTerminatingPod({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5 } });
    assert.ok(h.events.includes('Normal Killing Stopping container c'));
    assert.equal([...h.runtime.sandboxes.values()][0].state, 'NotReady');
    assert.equal(h.status.getPodStatus('uid-del')?.phase, 'Succeeded');
  });
});

describe('PodSyncer with probes and hooks', () => {
  it('kills and restarts a container whose liveness probe failed', async () => {
    let failing = false;
    const prober: Prober = { ...noProber, livenessFailed: () => (failing ? 'Liveness probe failed: boom' : undefined) };
    const h = harness({ prober });
    const p = pod('live');
    await h.syncer.syncPod(p);
    failing = true;
    await h.syncer.syncPod(p);
    failing = false;
    assert.ok(h.events.includes('Normal Killing Container c failed liveness probe, will be restarted'));
    const s = h.status.getPodStatus('uid-live')?.containerStatuses?.[0];
    assert.equal(s?.restartCount, 1);
    assert.ok(s?.state?.running);
  });

  it('reports a container unready while its readiness probe fails', async () => {
    const prober: Prober = { ...noProber, readiness: () => false };
    const h = harness({ prober });
    await h.syncer.syncPod(pod('unready'));
    const s = h.status.getPodStatus('uid-unready');
    assert.equal(s?.phase, 'Running');
    const ready = s?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'ContainersNotReady');
    assert.equal(ready?.message, 'containers with unready status: [c]');
  });

  it('runs the preStop hook before stopping a container on deletion', async () => {
    const h = harness({ hooks: runLifecycleHandler });
    const p = pod('prestop', { containers: [{ name: 'c', image: 'busybox', lifecycle: { preStop: { exec: { command: ['/bin/drain'] } } } }] });
    await h.syncer.syncPod(p);
    await h.syncer.syncTerminatingPod(p);
    const calls = h.runtime.calls.filter((c) => c.startsWith('execSync') || c.startsWith('stopContainer'));
    assert.deepEqual(calls.map((c) => c.split(' ')[0]), ['execSync', 'stopContainer']);
  });

  it('kills a container whose postStart hook failed, with a FailedPostStartHook event', async () => {
    const h = harness({ hooks: async () => 'Exec lifecycle hook ([/bin/false]) for Container "c" in Pod "poststart" failed - error: exit 1' });
    const p = pod('poststart', { containers: [{ name: 'c', image: 'busybox', lifecycle: { postStart: { exec: { command: ['/bin/false'] } } } }] });
    await h.syncer.syncPod(p);
    assert.ok(h.events.some((e) => e.startsWith('Warning FailedPostStartHook Exec lifecycle hook')));
    assert.equal([...h.runtime.containers.values()][0].status.state, 'Exited');
  });

  it('reports ErrImagePull when the image (the executable) cannot be resolved', async () => {
    const h = harness();
    h.runtime.failPull('nope', 'executable "nope" not found');
    await h.syncer.syncPod(pod('img', { containers: [{ name: 'c', image: 'nope' }] }));
    const w = h.status.getPodStatus('uid-img')?.containerStatuses?.[0].state?.waiting;
    assert.equal(w?.reason, 'ErrImagePull');
    assert.ok(h.events.includes('Warning Failed Failed to pull image "nope": executable "nope" not found'));
  });
});

describe('pod admission', () => {
  it('fails a new pod the node rejects (pressure) without starting it', async () => {
    const h = harness({ admit: () => ({ admit: false, reason: 'Evicted', message: "The node had condition: [MemoryPressure]. " }) });
    const res = await h.syncer.syncPod(pod('rejected'));
    assert.equal(res.terminal, true);
    const s = h.status.getPodStatus('uid-rejected');
    assert.equal(s?.phase, 'Failed');
    assert.equal(s?.reason, 'Evicted');
    assert.equal(h.runtime.sandboxes.size, 0);
    assert.ok(h.events.includes('Warning Evicted The node had condition: [MemoryPressure]. '));
  });
});

describe('PodWorkers', () => {
  it('evicts a pod: stops it with the given grace period and reports Failed, Evicted, with its condition', async () => {
    const h = harness();
    const workers = new PodWorkers({ syncer: h.syncer, log: silentLog });
    const p = pod('evictme');
    workers.updatePod(p);
    await workers.idle();
    assert.deepEqual(workers.activePods().map((x) => x.metadata?.name), ['evictme']);
    await workers.evictPod(p, {
      reason: 'Evicted',
      message: 'The node was low on resource: memory. ',
      gracePeriodSeconds: 1,
      condition: { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: 'The node was low on resource: memory. ' },
    });
    const s = h.status.getPodStatus('uid-evictme');
    assert.equal(s?.phase, 'Failed');
    assert.equal(s?.reason, 'Evicted');
    assert.equal(s?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'TerminationByKubelet');
    assert.ok(h.runtime.calls.some((c) => c.startsWith('stopContainer')));
    assert.deepEqual(workers.activePods(), []);
    await workers.shutdown(false);
  });

  it('terminates a deleted pod and asks for the API object to be deleted', async () => {
    const h = harness();
    const workers = new PodWorkers({ syncer: h.syncer, log: silentLog });
    const p = pod('bye');
    workers.updatePod(p);
    await workers.idle();
    workers.updatePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 3 } });
    await workers.idle();
    assert.equal([...h.runtime.containers.values()][0].status.state, 'Exited');
    assert.equal(h.status.getPodStatus('uid-bye')?.phase, 'Succeeded');
    workers.removePod('uid-bye');
    await workers.idle();
    assert.equal(h.runtime.containers.size, 0);
    assert.equal(workers.has('uid-bye'), false);
    await workers.shutdown(false);
  });
});

describe('restart back-off', () => {
  it('formats delays as Go durations', () => {
    assert.deepEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 500].map(formatGoDuration), ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '500ms']);
  });

  it('doubles up to the maximum and forgets after twice the maximum of running', () => {
    const clock = { t: 0, now: () => clock.t };
    const b = new Backoff(10_000, 300_000, clock);
    b.next('k', 0);
    for (let i = 0; i < 10; i++) b.next('k', clock.t);
    assert.equal(b.get('k'), 300_000);
    clock.t += 700_000;
    assert.equal(b.isInBackOffSince('k', clock.t), false);
    b.next('k', clock.t);
    assert.equal(b.get('k'), 10_000);
  });
});
