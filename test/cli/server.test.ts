// `k8ts server` end to end: the real binary, the real kubectl. Needs the API server
// (src/apiserver/server.ts); skipped only while that file does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { K8TS_BIN, runK8ts, startK8ts } from './k8ts-process.js';
import { etcdUnavailable, startEtcd } from '../helpers/etcd-server.js';

const run = promisify(execFile);
const apiserverMissing = !existsSync(new URL('../../src/apiserver/server.ts', import.meta.url));
const skip = apiserverMissing ? 'src/apiserver/server.ts does not exist yet' : false;

const READY = /^k8ts API server ready at (https:\/\/127\.0\.0\.1:(\d+)) — export KUBECONFIG=(\S+)$/;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-server-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function kubectl(kubeconfig: string, cacheDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, KUBECACHEDIR: cacheDir } });
  return stdout;
}

test('k8ts server starts on a free port, serves kubectl through the kubeconfig it wrote, stops cleanly on SIGTERM and SIGINT, and keeps its CA across restarts', { skip, timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const cache = join(dir, 'kube-cache');
  let caPem = '';
  for (const [round, signal] of [[1, 'SIGTERM'], [2, 'SIGINT']] as const) {
    const k8ts = startK8ts(['server', '--data-dir', dataDir, '--port', '0']);
    t.after(() => k8ts.child.kill('SIGKILL'));
    const [, url, port, kubeconfig] = await k8ts.waitForLine(READY);
    assert.notEqual(port, '0', 'the ready line carries the real port');
    assert.equal(kubeconfig, join(dataDir, 'kubeconfig'), 'an absolute kubeconfig path');

    const config = parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] };
    assert.equal(config.clusters[0].cluster.server, url, 'the kubeconfig points at the real port');
    assert.equal(await kubectl(kubeconfig, cache, 'get', '--raw', '/readyz'), 'ok', `round ${round}`);

    const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    if (round === 1) caPem = ca;
    else assert.equal(ca, caPem, 'the restart reuses the CA');

    k8ts.child.kill(signal);
    const { code } = await k8ts.exited;
    assert.equal(code, 0, `clean exit after ${signal}; stderr:\n${k8ts.stderr()}`);
    assert.equal(k8ts.stdout().trim().split('\n').length, 1, 'one line on stdout');
    // Logs are JSON lines on stderr when it is not a terminal.
    for (const line of k8ts.stderr().trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
    const issued = k8ts.stderr().split('\n').filter((l) => l.includes('"msg":"issued"'));
    // CA, serving, admin, kubelet client, front proxy CA and client, service-account key.
    assert.equal(issued.length, round === 1 ? 7 : 0, `round ${round} issues certificates only the first time`);
  }
});

test('bin/k8ts run as a program starts node with the flags of its shebang, the flags npm start passes', { skip, timeout: 60_000 }, async (t) => {
  const shebang = readFileSync(K8TS_BIN, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node( .+)?$/.exec(shebang);
  assert.ok(m, `shebang: ${shebang}`);
  const flags = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  assert.equal(pkg.scripts.start, ['node', ...flags, 'bin/k8ts', 'up'].join(' '));
  const k8ts = startK8ts(['server', '--data-dir', join(tempDir(t), 'data'), '--port', '0'], {}, { direct: true });
  t.after(() => k8ts.child.kill('SIGKILL'));
  await k8ts.waitForLine(READY);
  // env -S replaced itself with node: the process is node with the flags, then the script.
  const argv = readFileSync(`/proc/${k8ts.child.pid}/cmdline`, 'utf8').split('\0');
  assert.deepEqual(argv.slice(1, 2 + flags.length), [...flags, K8TS_BIN]);
  k8ts.child.kill('SIGTERM');
  assert.equal((await k8ts.exited).code, 0);
});

test('a port already in use, an address not on this machine, an unknown admission plugin, an unreachable etcd or etcd TLS files without etcd: exit 1 with one line and no stack trace', { skip, timeout: 60_000 }, async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const { port } = blocker.address() as AddressInfo;
  const cases = [
    { args: ['--port', String(port)], line: new RegExp(`^k8ts: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`) },
    { args: ['--bind', '192.0.2.123', '--port', '0'], line: /^k8ts: cannot listen on 192\.0\.2\.123:0: 192\.0\.2\.123 is not an address of this machine/ },
    { args: ['--port', '0', '--disable-admission-plugins', 'ServiceAccount,NoSuchPlugin'], line: /^k8ts: unknown admission plugin "NoSuchPlugin" in --disable-admission-plugins \(known: NamespaceLifecycle, .*ServiceAccount/ },
    // Port 1 on loopback: nothing listens there.
    { args: ['--port', '0', '--storage', 'etcd://127.0.0.1:1'], line: /^k8ts: cannot open storage etcd:\/\/127\.0\.0\.1:1: cannot reach etcd at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/ },
    { args: ['--port', '0', '--etcd-cafile', '/etc/ssl/certs/ca-certificates.crt'], line: /^k8ts: cannot open storage sqlite: --etcd-cafile, --etcd-certfile and --etcd-keyfile apply only to --storage etcd:/ },
  ];
  for (const c of cases) {
    const { code, stdout, stderr } = await runK8ts(['server', '--data-dir', tempDir(t), ...c.args], { K8TS_LOG_LEVEL: 'silent' });
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, c.line);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});

test('k8ts server --storage etcd://… keeps every object in etcd: a second server started on the same etcd serves them', { skip: skip || etcdUnavailable(), timeout: 120_000 }, async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const storage = `etcd://${new URL(etcd.endpoint).host}`;
  const cache = join(tempDir(t), 'kube-cache');
  let uid = '';
  for (const round of [1, 2]) {
    // A data dir of its own each time: only the certificates live there, every object is in etcd.
    const k8ts = startK8ts(['server', '--data-dir', join(tempDir(t), 'data'), '--port', '0', '--storage', storage, '--controllers', '', '--disable', 'scheduler']);
    t.after(() => k8ts.child.kill('SIGKILL'));
    const [, , , kubeconfig] = await k8ts.waitForLine(READY);
    if (round === 1) await kubectl(kubeconfig, cache, 'create', 'configmap', 'kept', '--from-literal=k=v');
    const cm = JSON.parse(await kubectl(kubeconfig, cache, 'get', 'configmap', 'kept', '-o', 'json')) as { metadata: { uid: string }; data: Record<string, string> };
    assert.deepEqual(cm.data, { k: 'v' });
    if (round === 1) uid = cm.metadata.uid;
    else assert.equal(cm.metadata.uid, uid, 'the same object, read back from etcd');
    assert.match(k8ts.stderr(), /"msg":"etcd store opened"/);
    k8ts.child.kill('SIGTERM');
    assert.equal((await k8ts.exited).code, 0, k8ts.stderr());
  }
});

test('k8ts server --etcd-cafile/--etcd-certfile/--etcd-keyfile reaches an etcd that serves TLS and requires client certificates', { skip: skip || etcdUnavailable(), timeout: 120_000 }, async (t) => {
  const etcd = await startEtcd({ tls: true });
  t.after(() => etcd.stop());
  const { caFile, certFile, keyFile } = etcd.tls!;
  const k8ts = startK8ts(['server', '--data-dir', join(tempDir(t), 'data'), '--port', '0', '--storage', `etcd://${new URL(etcd.endpoint).host}`, '--etcd-cafile', caFile, '--etcd-certfile', certFile, '--etcd-keyfile', keyFile, '--controllers', '', '--disable', 'scheduler']);
  t.after(() => k8ts.child.kill('SIGKILL'));
  const [, , , kubeconfig] = await k8ts.waitForLine(READY);
  const cache = join(tempDir(t), 'kube-cache');
  await kubectl(kubeconfig, cache, 'create', 'configmap', 'over-tls');
  assert.match(await kubectl(kubeconfig, cache, 'get', 'configmap', 'over-tls', '-o', 'name'), /^configmap\/over-tls$/m);
  assert.match(k8ts.stderr(), /"endpoints":\["https:\/\/127\.0\.0\.1:\d+"\].*"msg":"etcd store opened"/);
  k8ts.child.kill('SIGTERM');
  assert.equal((await k8ts.exited).code, 0, k8ts.stderr());
  // Node's warning about the gRPC client's TLS server name (an IP address) goes through the logger, not to stderr as text.
  for (const line of k8ts.stderr().trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
});
