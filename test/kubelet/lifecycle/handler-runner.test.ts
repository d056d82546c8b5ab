// postStart/preStop hooks against real processes and a real HTTP server: success, and the
// failure messages upstream's kubelet puts in FailedPostStartHook / FailedPreStopHook events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { runLifecycleHandler, type HandlerContext } from '../../../src/kubelet/lifecycle/handler-runner.js';
import { execRuntime, freePort, startHttpServer, type ProbeHttpServer } from '../prober/probe-helpers.js';

let http: ProbeHttpServer;
before(async () => {
  http = await startHttpServer();
});
after(async () => {
  await http.close();
});

const pod: Pod = { metadata: { name: 'web', namespace: 'shop', uid: 'u-1' }, spec: { containers: [] } };
const ctx = (container: Container = { name: 'app' }, extra: Partial<HandlerContext> = {}): HandlerContext => ({
  runtime: execRuntime(),
  containerId: 'c1',
  podIP: '127.0.0.1',
  pod,
  container,
  ...extra,
});

describe('runLifecycleHandler', () => {
  test('an exec hook that exits 0 is fine; one that fails names the command, the error and the output', async () => {
    assert.equal(await runLifecycleHandler({ exec: { command: ['sh', '-c', 'echo hi'] } }, ctx()), undefined);
    assert.equal(
      await runLifecycleHandler({ exec: { command: ['sh', '-c', 'echo bad >&2; exit 2'] } }, ctx()),
      `Exec lifecycle hook ([sh -c echo bad >&2; exit 2]) for Container "app" in Pod "web_shop(u-1)" failed - error: command 'sh -c echo bad >&2; exit 2' exited with 2: bad\n, message: "bad\\n"`,
    );
  });

  test('an exec hook gets the timeout and fails when it runs over', async () => {
    const c = ctx(undefined, { timeoutMs: 100 });
    const msg = await runLifecycleHandler({ exec: { command: ['sleep', '5'] } }, c);
    assert.equal(msg, `Exec lifecycle hook ([sleep 5]) for Container "app" in Pod "web_shop(u-1)" failed - error: command "sleep 5" timed out, message: ""`);
    assert.equal((c.runtime as ReturnType<typeof execRuntime>).calls[0]!.timeoutMs, 100);
  });

  test('an httpGet hook reaches the pod IP on a named port with its headers; any HTTP status is fine', async () => {
    http.status.set('/start', 500);
    const container = { name: 'app', ports: [{ name: 'web', containerPort: http.port }] };
    const before = http.requests.length;
    assert.equal(await runLifecycleHandler({ httpGet: { path: '/start', port: 'web', httpHeaders: [{ name: 'X-Hook', value: 'post' }] } }, ctx(container)), undefined);
    const req = http.requests[before]!;
    assert.equal(req.url, '/start');
    assert.equal(req.headers['x-hook'], 'post');
    assert.match(req.headers['user-agent'] ?? '', /^kube-lifecycle\/1\.\d+$/);
  });

  test('an httpGet hook that cannot connect or names an unknown port fails with upstream messages', async () => {
    const port = await freePort();
    assert.equal(
      await runLifecycleHandler({ httpGet: { path: '/stop', port } }, ctx()),
      `HTTP lifecycle hook (/stop) for Container "app" in Pod "web_shop(u-1)" failed - error: Get "http://127.0.0.1:${port}/stop": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    assert.equal(await runLifecycleHandler({ httpGet: { path: '/stop', port: 'admin' } }, ctx()), `HTTP lifecycle hook (/stop) for Container "app" in Pod "web_shop(u-1)" failed - error: port admin not found`);
  });

  test('a sleep hook sleeps, and one cut short by the timeout or the signal fails', async () => {
    const t0 = Date.now();
    assert.equal(await runLifecycleHandler({ sleep: { seconds: 0 } }, ctx()), undefined);
    assert.equal(
      await runLifecycleHandler({ sleep: { seconds: 30 } }, ctx(undefined, { timeoutMs: 50 })),
      'Sleep lifecycle hook (30) for Container "app" in Pod "web_shop(u-1)" failed - error: container terminated before sleep hook finished',
    );
    const abort = new AbortController();
    const p = runLifecycleHandler({ sleep: { seconds: 30 } }, ctx(undefined, { signal: abort.signal }));
    abort.abort();
    assert.match((await p) ?? '', /container terminated before sleep hook finished$/);
    assert.ok(Date.now() - t0 < 5000);
  });

  test('a handler with no action cannot run', async () => {
    assert.match((await runLifecycleHandler({}, ctx())) ?? '', /^Cannot run handler: invalid handler/);
  });
});
