// Making ClusterIPs bindable: the proxy routes a non-local service CIDR to the loopback device
// (and removes the route on stop); a loopback service CIDR needs no route at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/server.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { Client } from '../../src/client/rest/client.js';
import { clusterDnsIPFor, startProxy } from '../../src/proxy/proxy.js';
import { cidrContains, isLoopbackRange } from '../../src/proxy/userspace/local-route.js';
import { adminUser, startInProcessApi } from '../client/transport/in-process-api.js';
import { createService, nameServer, quietLog, randomLoopback, readFrom, writeSlice } from './helpers.js';

const localRoutes = (cidr: string) => execFileSync('ip', ['route', 'show', 'table', 'local', cidr], { encoding: 'utf8' }).trim();

test('CIDR helpers know loopback ranges and membership', () => {
  assert.equal(isLoopbackRange('127.96.0.0/16'), true);
  assert.equal(isLoopbackRange('10.96.0.0/12'), false);
  assert.equal(cidrContains('10.96.0.0/12', '10.111.255.254'), true);
  assert.equal(cidrContains('10.96.0.0/12', '10.112.0.1'), false);
  assert.equal(clusterDnsIPFor('10.96.0.0/12'), '10.96.0.10');
  assert.equal(clusterDnsIPFor('127.96.0.0/16'), '127.96.0.10');
});

test('as root on Linux the proxy routes its service CIDR locally and removes the route on stop', { skip: process.platform !== 'linux' || process.getuid?.() !== 0 }, async () => {
  const cidr = '10.250.0.0/16';
  assert.equal(localRoutes(cidr), '', 'no route before');
  const api = await startInProcessApi();
  try {
    const proxy = await startProxy({ client: api.client(), nodeName: 'node-a', log: quietLog, nodeAddresses: [randomLoopback()], serviceCidr: cidr });
    assert.match(localRoutes(cidr), /local 10\.250\.0\.0\/16 dev lo/);
    await proxy.stop();
    assert.equal(localRoutes(cidr), '', 'route removed');
  } finally {
    await api.close();
  }
});

test('with a loopback service CIDR (no root needed) ClusterIPs are bound without any route', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-proxy-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  const api = new ApiServer(store, undefined, { serviceCIDR: '127.96.0.0/16' });
  await api.start();
  api.advertise = { host: '127.0.0.1', port: 6443 };
  await api.bootstrap();
  const client = Client.inProcess(((req: never, res: never) => api.handle(req, res)) as never, adminUser);
  const backend = await nameServer('lo', '127.0.0.30');
  const proxy = await startProxy({ client, nodeName: 'node-a', log: quietLog, nodeAddresses: [randomLoopback()], serviceCidr: '127.96.0.0/16' });
  try {
    const svc = await createService(client, 'lo', { ports: [{ port: 80 }] });
    assert.ok(cidrContains('127.96.0.0/16', svc.spec!.clusterIP!), svc.spec!.clusterIP);
    const slice = await writeSlice(client, 'lo', 'lo-1', [{ ip: backend.ip }], [{ name: '', port: backend.port, protocol: 'TCP' }]);
    await proxy.synced([svc, slice]);
    assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'lo');
  } finally {
    await proxy.stop();
    await backend.close();
    await client.close();
    api.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
