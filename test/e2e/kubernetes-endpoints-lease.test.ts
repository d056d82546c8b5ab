// Several API servers on one real etcd, as kube-apiservers with --endpoint-reconciler-type=lease:
// each on an address of its own (127.0.0.2, .3, .4; loopback holds all of 127/8) and the same
// port, as upstream requires. The `kubernetes` Endpoints and EndpointSlice list all three; one
// stopped gracefully leaves them at once (its lease deleted by itself); one killed with SIGKILL
// leaves them once its lease, unrefreshed, runs out, and the survivors delete that lease.
// Short leases and intervals are injected as options; every change is awaited through a watch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { masterLeasePrefix } from '../../src/apiserver/kubernetes-service/master-leases.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { openEtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { waitForObject } from '../helpers/controllers.js';
import { etcdUnavailable, startEtcd } from '../helpers/etcd-server.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

/**
 * A lease of 3 s refreshed every 500 ms: a live server is not taken for dead on a busy machine,
 * and a graceful stop has two intervals (1 s, upstream's bound) to withdraw.
 */
const endpointReconciler = { ttlMs: 3000, intervalMs: 500 };

/** `apiserver-child.ts` in a process of its own; kill() is SIGKILL. */
async function startServerProcess(opts: object): Promise<{ url: string; kill(): Promise<void> }> {
  const script = fileURLToPath(new URL('./apiserver-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = once(child, 'exit');
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    process.off('exit', killOnExit);
  };
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^ready (\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
    void exited.then(([code, signal]) => reject(new Error(`API server process exited (code ${code}, signal ${signal}) before it was ready`)));
  });
  try {
    return { url: await ready, kill };
  } catch (err) {
    await kill();
    throw err;
  }
}

/** Endpoints addresses and ports, and EndpointSlice addresses and ports, as one comparable value. */
function addressesOf(e: Endpoints | undefined): string {
  return JSON.stringify((e?.subsets ?? []).map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => `${p.name}/${p.port}/${p.protocol}`)]));
}
function sliceAddressesOf(s: EndpointSlice | undefined): string {
  return JSON.stringify([[s?.endpoints.flatMap((e) => e.addresses), (s?.ports ?? []).map((p) => `${p.name}/${p.port}/${p.protocol}`)]]);
}

test('API servers on one etcd are all in the kubernetes Endpoints and EndpointSlice; a graceful stop leaves at once, a SIGKILLed server once its lease runs out', { skip: etcdUnavailable(), timeout: 120_000 }, async () => {
  const etcd = await startEtcd();
  const storage = `etcd://${new URL(etcd.endpoint).host}`;
  // The test's own view of etcd, to see the leases themselves.
  const store = await openEtcdStore({ endpoints: [etcd.endpoint] });
  const childDir = mkdtempSync(join(tmpdir(), 'k8ts-lease-child-'));
  const clusters: TestCluster[] = [];
  let c: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  let client: Client | undefined;
  try {
    const a = await startTestCluster({ storage, bind: '127.0.0.2', endpointReconciler });
    clusters.push(a);
    const port = a.server.port;
    const b = await startTestCluster({ storage, bind: '127.0.0.3', port, endpointReconciler });
    clusters.push(b);
    c = await startServerProcess({ dataDir: childDir, bind: '127.0.0.4', port, storage, endpointReconciler });
    assert.equal(c.url, `https://127.0.0.4:${port}`);

    client = Client.fromConfig(loadConfig({ kubeconfig: a.kubeconfig }));
    const endpoints = client.resource(resources.endpoints, 'default');
    const slices = client.resource(resources.endpointSlices, 'default');
    const expect = async (ips: string[], what: string) => {
      const want = JSON.stringify([[ips, [`https/${port}/TCP`]]]);
      await waitForObject(endpoints, 'default', 'kubernetes', (e) => addressesOf(e) === want, `Endpoints ${what}`, 20_000);
      await waitForObject(slices, 'default', 'kubernetes', (s) => sliceAddressesOf(s) === want, `EndpointSlice ${what}`, 20_000);
    };

    await expect(['127.0.0.2', '127.0.0.3', '127.0.0.4'], 'listing all three servers');
    const svc = await client.resource(resources.services, 'default').get('kubernetes');
    assert.equal(svc.spec?.ports?.[0]?.targetPort, port);
    const ep = await endpoints.get('kubernetes');
    assert.equal(ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) assert.ok(await store.get(masterLeasePrefix + ip), `lease of ${ip}`);

    // B stops gracefully: it deletes its own lease and writes the endpoints without itself.
    clusters.splice(1, 1);
    await b.close();
    assert.equal(await store.get(`${masterLeasePrefix}127.0.0.3`), undefined, 'B deleted its lease');
    await expect(['127.0.0.2', '127.0.0.4'], 'without the stopped server');

    // C dies without a word: A drops it once C's lease has gone unrefreshed for 3 s, and deletes the lease.
    await c.kill();
    await expect(['127.0.0.2'], 'without the killed server');
    assert.equal(await store.get(`${masterLeasePrefix}127.0.0.4`), undefined, 'the expired lease was deleted');
  } finally {
    await client?.close();
    await c?.kill();
    for (const cluster of clusters) await cluster.close();
    await store.close();
    await etcd.stop();
    rmSync(childDir, { recursive: true, force: true });
  }
});
