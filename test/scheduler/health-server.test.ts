// The standalone scheduler's /metrics, /healthz, /livez and /readyz: the server alone (paths,
// readiness as the scheduler reports it, address parsing), then `k8ts scheduler`'s command as
// its own process against a real API server over HTTPS — ready once started, and its
// scheduler_* series count the pod it bound.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseBindAddress, startHealthServer, type HealthServer } from '../../src/scheduler/health-server.js';
import { scheduleAttempts } from '../../src/scheduler/metrics.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObject } from '../helpers/controllers.js';
import { makeNode, makePod } from './fixtures.js';

describe('scheduler health server', () => {
  let server: HealthServer;
  let reason: string | undefined = 'caches not synced yet';
  before(async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, notReady: () => reason });
  });
  after(() => server.close());

  test('binds the port the OS picked and reports it in url', () => {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });

  test('/healthz and /livez answer ok while the process runs, ready or not', async () => {
    for (const path of ['/healthz', '/livez']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
    }
  });

  test('/readyz is 503 naming the failed check until the scheduler is ready, then 200', async () => {
    reason = 'caches not synced yet';
    const notReady = await fetch(`${server.url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.match(await notReady.text(), /\[-\]sched-handler-sync failed: caches not synced yet\nreadyz check failed/);
    reason = undefined;
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ok');
    const verbose = await fetch(`${server.url}/readyz?verbose`);
    assert.match(await verbose.text(), /\[\+\]sched-handler-sync ok\nreadyz check passed/);
  });

  test('/metrics serves the scheduler series in the Prometheus text format', async () => {
    scheduleAttempts.inc({ result: 'unschedulable', profile: 'health-test' }, 0);
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /# TYPE scheduler_schedule_attempts_total counter/);
    assert.match(text, /scheduler_schedule_attempts_total\{result="unschedulable",profile="health-test"\} 0/);
    assert.match(text, /# TYPE scheduler_pending_pods gauge/);
    assert.match(text, /process_resident_memory_bytes/);
  });

  test('unknown paths are 404 and writes are 405', async () => {
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    assert.equal((await fetch(`${server.url}/metrics`, { method: 'POST' })).status, 405);
  });

  test('bind addresses parse as host:port, IPv6 in brackets, an empty host meaning every interface', () => {
    assert.deepEqual(parseBindAddress('127.0.0.1:10259'), { host: '127.0.0.1', port: 10259 });
    assert.deepEqual(parseBindAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseBindAddress(':10259'), { host: '0.0.0.0', port: 10259 });
    for (const bad of ['10259', '127.0.0.1:', '127.0.0.1:70000', 'host:x']) assert.throws(() => parseBindAddress(bad), /not host:port/);
  });
});

describe('k8ts scheduler serving /metrics and /readyz (its own process, over HTTPS)', () => {
  let cluster: TestCluster;
  let client: Client;
  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  });
  after(async () => {
    await client.close();
    await cluster.close();
  });

  test('ready once it logged that it started; its metrics count the pod it bound; SIGTERM stops it cleanly', async () => {
    const command = fileURLToPath(new URL('../../src/cli/scheduler-command.ts', import.meta.url));
    const flags = { kubeconfig: cluster.kubeconfig, leaderElect: false, leaderElectLeaseDuration: 15, leaderElectRenewDeadline: 10, leaderElectRetryPeriod: 2, metricsBindAddress: '127.0.0.1:0', logLevel: 'info' };
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const m = await import(${JSON.stringify(command)}); await m.runSchedulerCommand(${JSON.stringify(flags)});`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, K8TS_LOG_FORMAT: 'json' },
    });
    const exited = once(child, 'exit');
    try {
      // The URL (port 0 → the real port) and "scheduler started" come as log lines, in that order;
      // the child's stderr is read to the end so its log writes never block.
      let url = '';
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        void exited.then(([code]) => reject(new Error(`the scheduler exited with ${String(code)}; lines: ${seen.join(' | ')}`)));
        createInterface({ input: child.stderr! }).on('line', (text) => {
          const line = JSON.parse(text) as { msg: string; url?: string };
          seen.push(line.msg);
          if (line.url && !url) url = line.url;
          if (line.msg === 'scheduler started') resolve();
        });
      });
      assert.ok(url, `no metrics URL logged; lines: ${seen.join(' | ')}`);
      const ready = await fetch(`${url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);

      await client.resource(resources.nodes).create(makeNode('health-node'));
      await client.resource(resources.pods).create(makePod('health-pod', { cpu: '100m' }), { namespace: 'default' });
      await waitForObject(client.resource(resources.pods), 'default', 'health-pod', (p) => !!p?.spec?.nodeName, 'health-pod bound', 20_000);
      // The attempt is counted when the binding cycle finishes, just before or after the watch saw the bind.
      let text = '';
      for (let i = 0; i < 100 && !/scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1\b/.test(text); i++) {
        text = await (await fetch(`${url}/metrics`)).text();
        if (i) await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(text, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1\b/);
      assert.match(text, /scheduler_pod_scheduling_sli_duration_seconds_count\{attempts="1"\} 1\b/);
      assert.match(text, /scheduler_pending_pods\{queue="active"\} 0/);
    } finally {
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    }
  });
});
