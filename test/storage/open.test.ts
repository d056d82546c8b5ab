import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdEndpoints, openStore } from '../../src/storage/open.js';
import { etcdUnavailable, startEtcd } from '../helpers/etcd-server.js';

test('openStore("sqlite") puts state.db in the data dir and the store works after close and reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-open-'));
  try {
    const s = await openStore('sqlite', dir);
    await s.create('/a', '1');
    await s.close();
    assert.ok(existsSync(join(dir, 'state.db')));
    const again = await openStore('', dir);
    assert.equal((await again.get('/a'))?.value, '1');
    await again.close();
    const explicit = await openStore(`sqlite:${join(dir, 'other.db')}`, dir, { compactor: false });
    assert.equal(await explicit.currentRevision(), 0);
    await explicit.close();
    assert.ok(existsSync(join(dir, 'other.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore rejects an unreachable etcd, a malformed etcd member list and unknown specs, each with a message that says which', async () => {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  await assert.rejects(openStore('etcd://127.0.0.1:1', '/nonexistent'), /cannot reach etcd at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  await assert.rejects(openStore('etcd://127.0.0.1:2379,no-port', '/nonexistent'), /"no-port" is not host:port/);
  await assert.rejects(openStore('postgres://x', '/nonexistent'), /unknown storage "postgres:\/\/x".*sqlite/);
  assert.deepEqual(etcdEndpoints('etcd://10.0.0.1:2379, etcd-1.example:2379,[::1]:2379'), ['http://10.0.0.1:2379', 'http://etcd-1.example:2379', 'http://[::1]:2379']);
});

test('openStore("etcd://…") opens a store on a real etcd, with its compactor, and a second open sees the same data', { skip: etcdUnavailable(), timeout: 60_000 }, async () => {
  const etcd = await startEtcd();
  try {
    const spec = `etcd://${new URL(etcd.endpoint).host}`;
    const s = await openStore(spec, '/nonexistent');
    assert.equal(await s.currentRevision(), 0);
    await s.create('/registry/a', '1');
    await s.close();
    const again = await openStore(spec, '/nonexistent', { compactor: false });
    assert.deepEqual(await again.get('/registry/a'), { key: '/registry/a', value: '1', createRevision: 1, modRevision: 1 });
    await again.close();
  } finally {
    await etcd.stop();
  }
});

test('openStore refuses etcd TLS files that do not fit: with sqlite, a certificate without its key, a key without a CA, a file that cannot be read', async () => {
  await assert.rejects(openStore('sqlite', '/nonexistent', { etcdTLS: { caFile: '/ca.crt' } }), /--etcd-cafile, --etcd-certfile and --etcd-keyfile apply only to --storage etcd:/);
  await assert.rejects(openStore('etcd://127.0.0.1:1', '/nonexistent', { etcdTLS: { caFile: '/ca.crt', certFile: '/c.crt' } }), /--etcd-certfile and --etcd-keyfile go together/);
  await assert.rejects(openStore('etcd://127.0.0.1:1', '/nonexistent', { etcdTLS: { certFile: '/c.crt', keyFile: '/c.key' } }), /need --etcd-cafile/);
  await assert.rejects(openStore('etcd://127.0.0.1:1', '/nonexistent', { etcdTLS: { caFile: '/nonexistent/ca.crt' } }), /--etcd-cafile \/nonexistent\/ca\.crt: ENOENT/);
});

test('openStore("etcd://…") with --etcd-* files reaches an etcd that serves TLS and requires client certificates; without a client certificate it is refused', { skip: etcdUnavailable(), timeout: 60_000 }, async () => {
  const etcd = await startEtcd({ tls: true });
  try {
    assert.match(etcd.endpoint, /^https:/);
    const spec = `etcd://${new URL(etcd.endpoint).host}`;
    const s = await openStore(spec, '/nonexistent', { compactor: false, etcdTLS: etcd.tls });
    assert.deepEqual(await s.create('/registry/t', 'v'), { key: '/registry/t', value: 'v', createRevision: 1, modRevision: 1 });
    await s.close();
    await assert.rejects(openStore(spec, '/nonexistent', { compactor: false, etcdTLS: { caFile: etcd.tls!.caFile } }), /cannot reach etcd at https:\/\/127\.0\.0\.1:\d+: /);
    await assert.rejects(openStore(spec, '/nonexistent', { compactor: false }), /cannot reach etcd at http:\/\/127\.0\.0\.1:\d+: /, 'plain HTTP to a TLS port');
  } finally {
    await etcd.stop();
  }
});
