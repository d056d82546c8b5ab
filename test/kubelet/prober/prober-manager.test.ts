// The prober manager with a fake clock and real probe targets: readiness, liveness and startup
// workers with their thresholds, delays and gating, the restart signal, and Unhealthy events.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../../src/client/clock.js';
import { ProberManager } from '../../../src/kubelet/prober/prober-manager.js';
import { createLogger } from '../../../src/util/log.js';
import { until } from '../../client/transport/in-process-api.js';
import { eventLog, execRuntime, freePort, listenTcp, startHttpServer, type ProbeHttpServer } from './probe-helpers.js';

let http: ProbeHttpServer;
let clock: FakeClock;
let updates: string[];
let events: ReturnType<typeof eventLog>;
let runtime: ReturnType<typeof execRuntime>;
let mgr: ProberManager;

beforeEach(async () => {
  http = await startHttpServer();
  clock = new FakeClock();
  updates = [];
  events = eventLog();
  runtime = execRuntime();
  mgr = new ProberManager({ runtime, recorder: events, log: createLogger('prober', { level: 'silent' }), onUpdate: (uid) => updates.push(uid), clock });
});
afterEach(async () => {
  mgr.stop();
  await http.close();
});

const podWith = (container: Container, uid = 'uid-1'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid },
  spec: { containers: [container] },
});

const httpProbe = (path: string, extra: object = {}) => ({ httpGet: { path, port: 'http' as const }, periodSeconds: 1, ...extra });
const ports = () => [{ name: 'http', containerPort: http.port }];
const run = (id = 'c1') => mgr.setContainerState('uid-1', 'c', { containerId: id, running: true, startedAt: clock.now(), podIP: '127.0.0.1' });
const hits = (path: string) => http.hits.get(path) ?? 0;
const unhealthy = () => events.events.filter((e) => e.reason === 'Unhealthy').map((e) => e.message);

/**
 * One period: advance the clock, wait for the probe of `path` to reach the server and for its
 * worker to be done with the result (each worker keeps exactly one timer between probes).
 */
async function tick(path: string, ms = 1000, workers = 1): Promise<void> {
  const before = hits(path);
  await clock.advance(ms);
  await until(() => hits(path) > before, `a probe of ${path}`);
  await until(() => clock.pending() === workers, 'the worker to finish its probe');
}

describe('prober manager', () => {
  test('without probes a running container is started and ready at once', () => {
    mgr.addPod(podWith({ name: 'c' }));
    assert.equal(mgr.readiness('uid-1', 'c'), false, 'nothing reported yet');
    run();
    assert.equal(mgr.started('uid-1', 'c'), true);
    assert.equal(mgr.readiness('uid-1', 'c'), true);
    assert.equal(mgr.livenessFailed('uid-1', 'c'), undefined);
    mgr.setContainerState('uid-1', 'c', { containerId: 'c1', running: false, podIP: '127.0.0.1' });
    assert.equal(mgr.readiness('uid-1', 'c'), false, 'an exited container is not ready');
  });

  test('readiness is false until the first success, and turns false after failureThreshold failures with Unhealthy events', async () => {
    mgr.addPod(podWith({ name: 'c', ports: ports(), readinessProbe: httpProbe('/ready', { failureThreshold: 2 }) }));
    run();
    assert.equal(mgr.readiness('uid-1', 'c'), false);
    await clock.advance(0);
    await until(() => mgr.readiness('uid-1', 'c'), 'ready after the first probe');
    assert.deepEqual(updates, ['uid-1']);

    http.status.set('/ready', 500);
    await tick('/ready');
    assert.equal(mgr.readiness('uid-1', 'c'), true, 'one failure is below the threshold');
    await tick('/ready');
    assert.equal(mgr.readiness('uid-1', 'c'), false);
    assert.deepEqual(unhealthy(), ['Readiness probe failed: HTTP probe failed with statuscode: 500', 'Readiness probe failed: HTTP probe failed with statuscode: 500']);
    assert.equal(events.events[0]!.fieldPath, 'spec.containers{c}');
    assert.equal(events.events[0]!.type, 'Warning');
    assert.deepEqual(updates, ['uid-1', 'uid-1']);
  });

  test('successThreshold needs that many successes in a row before the container is ready', async () => {
    mgr.addPod(podWith({ name: 'c', ports: ports(), readinessProbe: httpProbe('/ready', { successThreshold: 2 }) }));
    run();
    await clock.advance(0);
    await until(() => hits('/ready') === 1, 'first probe');
    await clock.advance(0);
    assert.equal(mgr.readiness('uid-1', 'c'), false);
    await tick('/ready');
    await until(() => mgr.readiness('uid-1', 'c'), 'ready after two successes');
  });

  test('initialDelaySeconds holds probes back from the container start', async () => {
    mgr.addPod(podWith({ name: 'c', ports: ports(), readinessProbe: httpProbe('/ready', { initialDelaySeconds: 3 }) }));
    run();
    await clock.advance(2000);
    assert.equal(hits('/ready'), 0);
    await tick('/ready', 1000);
    await until(() => mgr.readiness('uid-1', 'c'), 'ready after the delay');
  });

  test('liveness failing failureThreshold times asks for a restart until a new container is reported', async () => {
    mgr.addPod(podWith({ name: 'c', ports: ports(), livenessProbe: httpProbe('/live', { failureThreshold: 3, terminationGracePeriodSeconds: 7 }) }));
    run('c1');
    http.status.set('/live', 503);
    for (let i = 0; i < 2; i++) {
      await tick('/live', i === 0 ? 0 : 1000);
      assert.equal(mgr.livenessFailed('uid-1', 'c'), undefined);
    }
    await tick('/live');
    assert.equal(mgr.livenessFailed('uid-1', 'c'), 'Liveness probe failed: HTTP probe failed with statuscode: 503');
    assert.equal(mgr.probeTerminationGracePeriod('uid-1', 'c'), 7);
    const probesSoFar = hits('/live');
    await clock.advance(3000);
    assert.equal(hits('/live'), probesSoFar, 'probing is on hold until the restart');

    http.status.set('/live', 200);
    run('c2');
    assert.equal(mgr.livenessFailed('uid-1', 'c'), undefined, 'the new container is live');
    await tick('/live');
    assert.equal(mgr.livenessFailed('uid-1', 'c'), undefined);
  });

  test('a startup probe gates liveness and readiness until it succeeds', async () => {
    const port = await freePort();
    mgr.addPod(
      podWith({
        name: 'c',
        ports: ports(),
        startupProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 30 },
        livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        readinessProbe: httpProbe('/ready'),
      }),
    );
    run();
    await clock.advance(0);
    await until(() => unhealthy().length >= 1, 'the first startup failure');
    assert.equal(unhealthy()[0], `Startup probe failed: dial tcp 127.0.0.1:${port}: connect: connection refused`);
    await clock.advance(3000);
    assert.equal(mgr.started('uid-1', 'c'), false);
    assert.equal(mgr.readiness('uid-1', 'c'), false);
    assert.equal(runtime.calls.length, 0, 'no liveness probe before the container started');
    assert.equal(hits('/ready'), 0, 'no readiness probe before the container started');

    const srv = await listenTcp(port);
    try {
      await clock.advance(1000);
      await until(() => mgr.started('uid-1', 'c'), 'started');
      await clock.advance(0);
      await until(() => mgr.readiness('uid-1', 'c'), 'ready right after startup succeeded');
      await clock.advance(1000);
      await until(() => runtime.calls.length > 0, 'a liveness exec probe');
      assert.deepEqual(runtime.calls[0], { containerId: 'c1', cmd: ['true'], timeoutMs: 1000 });
    } finally {
      await srv.close();
    }
  });

  test('a startup probe that reaches failureThreshold asks for a restart', async () => {
    mgr.addPod(podWith({ name: 'c', startupProbe: { exec: { command: ['sh', '-c', 'echo not yet; exit 1'] }, periodSeconds: 1, failureThreshold: 2 } }));
    run();
    await clock.advance(0);
    await until(() => unhealthy().length === 1, 'first startup probe failed');
    await clock.advance(0);
    assert.equal(mgr.livenessFailed('uid-1', 'c'), undefined, 'one failure is below the threshold');
    await clock.advance(1000);
    await until(() => mgr.livenessFailed('uid-1', 'c') !== undefined, 'startup failure');
    assert.equal(mgr.livenessFailed('uid-1', 'c'), 'Startup probe failed: not yet\n');
  });

  test('a probe that cannot run is reported as errored and not counted', async () => {
    mgr.addPod(podWith({ name: 'c', readinessProbe: { httpGet: { port: 'nope', path: '/' }, periodSeconds: 1 } }));
    run();
    await clock.advance(0);
    await until(() => events.events.length > 0, 'an event');
    assert.deepEqual(unhealthy(), ['Readiness probe errored and resulted in unknown state: port nope not found']);
    assert.equal(mgr.readiness('uid-1', 'c'), false);
  });

  test('sidecars (init containers with restartPolicy Always) are probed; removePod stops the workers', async () => {
    const pod: Pod = {
      metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
      spec: { initContainers: [{ name: 'side', restartPolicy: 'Always', ports: ports(), readinessProbe: httpProbe('/side') }], containers: [{ name: 'c' }] },
    };
    mgr.addPod(pod);
    mgr.setContainerState('uid-1', 'side', { containerId: 's1', running: true, startedAt: clock.now(), podIP: '127.0.0.1' });
    await clock.advance(0);
    await until(() => mgr.readiness('uid-1', 'side'), 'sidecar ready');
    mgr.removePod('uid-1');
    const n = hits('/side');
    await clock.advance(5000);
    assert.equal(hits('/side'), n);
    assert.equal(mgr.readiness('uid-1', 'side'), false);
  });
});
