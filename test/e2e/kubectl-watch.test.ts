// kubectl get -w against a real k8ts API server: Table rows streamed through watch events,
// --output-watch-events, -o json streams, label-selector transitions, and --watch-only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlPath, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let cacheDir = '';
const running: ChildProcess[] = [];
before(async () => {
  c = await startTestCluster();
  cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-watch-cache-'));
  await c.kubectlOk(['create', 'namespace', 'w']);
});
after(async () => {
  for (const p of running) p.kill();
  await c?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** A kubectl that keeps running; `until(re)` resolves once its stdout matches. */
function streaming(args: string[]) {
  const child = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; stream: 'stdout' | 'stderr'; resolve: (s: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const text = w.stream === 'stdout' ? stdout : stderr;
      if (w.re.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    check();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    check();
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    until: (re: RegExp, what: string, stream: 'stdout' | 'stderr' = 'stdout') =>
      Promise.race([
        new Promise<string>((resolve) => {
          waiters.push({ re, stream, resolve });
          check();
        }),
        exited.then((code) => {
          throw new Error(`kubectl exited ${code} before ${what}\nstdout: ${stdout}\nstderr: ${stderr}`);
        }),
      ]),
    stop: async () => {
      child.kill();
      await exited;
      return stdout;
    },
  };
}

describe('kubectl get --watch', () => {
  test('get -w prints the table, then a row per change with the same columns', { timeout: 20_000 }, async () => {
    await c.kubectlOk(['create', 'configmap', 'first', '-n', 'w', '--from-literal=a=1']);
    const w = streaming(['get', 'configmaps', '-n', 'w', '-w']);
    await w.until(/^first\s+1\s+\S+$/m, 'the initial row');
    await c.kubectlOk(['create', 'configmap', 'second', '-n', 'w', '--from-literal=a=1', '--from-literal=b=2']);
    await w.until(/^second\s+2\s+\S+$/m, 'the added row');
    await c.kubectlOk(['patch', 'configmap', 'first', '-n', 'w', '--type=merge', '-p', '{"data":{"c":"3"}}']);
    const out = await w.until(/^first\s+2\s+\S+$/m, 'the modified row');
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+DATA\s+AGE$/);
    assert.equal(lines.filter((l) => l.startsWith('NAME')).length, 1, 'column headers once');
    await w.stop();
  });

  test('--output-watch-events names each event type, deletions included', { timeout: 20_000 }, async () => {
    const w = streaming(['get', 'configmaps', '-n', 'w', '-w', '--output-watch-events', '--watch-only', '-v=6']);
    // --watch-only prints nothing for existing objects: wait until kubectl's watch is open (it
    // logs the request at -v=6) before making the change it must report.
    await w.until(/watch=true\S* 200 OK/, 'the watch request', 'stderr');
    await c.kubectlOk(['create', 'configmap', 'probe-0', '-n', 'w']);
    await w.until(/^ADDED\s+probe-0\s/m, 'the first ADDED event');
    await c.kubectlOk(['label', 'configmap', 'probe-0', '-n', 'w', 'x=y']);
    await w.until(/^MODIFIED\s+probe-0\s/m, 'MODIFIED');
    await c.kubectlOk(['delete', 'configmap', 'probe-0', '-n', 'w']);
    const out = await w.until(/^DELETED\s+probe-0\s/m, 'DELETED');
    assert.match(out, /^EVENT\s+NAME\s+DATA\s+AGE$/m);
    assert.doesNotMatch(out, /^\S+\s+first\s/m, '--watch-only skips the initial list');
    await w.stop();
  });

  test('-o json -w streams one compact object per event, and a label selector reports objects leaving it as deleted', { timeout: 20_000 }, async () => {
    await c.kubectlOk(['create', 'configmap', 'sel', '-n', 'w']);
    await c.kubectlOk(['label', 'configmap', 'sel', '-n', 'w', 'team=red']);
    const w = streaming(['get', 'configmaps', '-n', 'w', '-l', 'team=red', '-w', '--output-watch-events', '-o', 'json']);
    await w.until(/"type":"ADDED"[\s\S]*"name":"sel"/, 'the initial object');
    await c.kubectlOk(['label', 'configmap', 'sel', '-n', 'w', 'team=blue', '--overwrite']);
    const out = await w.until(/"type":"DELETED"/, 'the object leaving the selector');
    const deleted = out.slice(out.lastIndexOf('"type":"DELETED"'));
    assert.match(deleted, /"name":"sel"/);
    await c.kubectlOk(['label', 'configmap', 'sel', '-n', 'w', 'team=red', '--overwrite']);
    const back = await w.until(/"type":"DELETED"[\s\S]*"type":"ADDED"/, 'the object entering the selector again');
    assert.match(back.slice(back.lastIndexOf('"type":"ADDED"')), /"team":"red"/);
    await w.stop();
  });

  test('get pods -w -o wide streams rows with the wide columns', { timeout: 20_000 }, async () => {
    const r = await c.request('POST', '/api/v1/nodes', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'wn' } }) });
    assert.equal(r.status, 201, r.body);
    const w = streaming(['get', 'pods', '-n', 'w', '-w', '-o', 'wide']);
    await c.kubectlOk(['run', 'wp', '-n', 'w', '--image=busybox', '--overrides={"spec":{"nodeName":"wn"}}']);
    await w.until(/^wp\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+wn\s+<none>\s+<none>$/m, 'the pending row');
    await c.kubectlOk(['patch', 'pod', 'wp', '-n', 'w', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","podIP":"10.244.9.9","podIPs":[{"ip":"10.244.9.9"}]}}']);
    const out = await w.until(/^wp\s+0\/1\s+Running\s+0\s+\S+\s+10\.244\.9\.9\s+wn\s+<none>\s+<none>$/m, 'the running row');
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    await w.stop();
  });
});
