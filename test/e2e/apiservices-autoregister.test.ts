// Local APIServices, as kube-aggregator's autoregister and kube-apiserver's crdregistration
// controllers keep them: one per built-in group-version (automanaged=onstart, upstream's
// priorities, Available=True reason Local), one per group-version a CRD serves (automanaged=true,
// 1000/100), gone with the last CRD serving it, and put back when a user edits or deletes it.
// Discovery does not change because of them. Against a real API server and the real kubectl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const label = 'kube-aggregator.kubernetes.io/automanaged';

interface APIService {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  spec: { group?: string; version?: string; groupPriorityMinimum: number; versionPriority: number; service?: unknown };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** upstream's table for the group-versions k8ts serves (name → [groupPriorityMinimum, versionPriority]). */
const builtin: Record<string, [number, number]> = {
  'v1.': [18000, 1],
  'v1.apps': [17800, 15],
  'v1.events.k8s.io': [17750, 15],
  'v1.authentication.k8s.io': [17700, 15],
  'v1.authorization.k8s.io': [17600, 15],
  'v1.autoscaling': [17500, 15],
  'v2.autoscaling': [17500, 30],
  'v1.batch': [17400, 15],
  'v1.certificates.k8s.io': [17300, 15],
  'v1.networking.k8s.io': [17200, 15],
  'v1.policy': [17100, 15],
  'v1.rbac.authorization.k8s.io': [17000, 15],
  'v1.storage.k8s.io': [16800, 15],
  'v1.apiextensions.k8s.io': [16700, 15],
  'v1.admissionregistration.k8s.io': [16700, 15],
  'v1.scheduling.k8s.io': [16600, 15],
  'v1.coordination.k8s.io': [16500, 15],
  'v1.node.k8s.io': [16300, 15],
  'v1.discovery.k8s.io': [16200, 15],
  'v1.flowcontrol.apiserver.k8s.io': [16100, 21],
  'v1beta1.metrics.k8s.io': [100, 100],
};

const crd = (versions: { name: string; served: boolean; storage: boolean }[]) =>
  stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.autoreg.example.com' },
    spec: {
      group: 'autoreg.example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: versions.map((v) => ({ ...v, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } })),
    },
  });

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function list(c: TestCluster): Promise<Map<string, APIService>> {
  const res = await c.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
  assert.equal(res.status, 200);
  return new Map(res.json<{ items: APIService[] }>().items.map((a) => [a.metadata.name, a]));
}

async function get(c: TestCluster, name: string): Promise<APIService | undefined> {
  const res = await c.request('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, res.body);
  return res.json<APIService>();
}

const available = (a: APIService | undefined) => a?.status?.conditions?.find((x) => x.type === 'Available');

/** Every built-in APIService exists and is Available (the availability controller's Local verdict). */
const allAvailable = (c: TestCluster) =>
  until('the built-in APIServices to be Available', async () => {
    const all = await list(c);
    return Object.keys(builtin).every((n) => available(all.get(n))?.status === 'True') ? all : undefined;
  });

describe('local APIServices (autoregister)', () => {
  let c: TestCluster;
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-autoreg-'));

  before(async () => {
    c = await startTestCluster({ dataDir });
  });
  after(async () => {
    await c?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('one onstart APIService per built-in group-version, with upstream priorities, Available=True Local', async () => {
    const all = await allAvailable(c);
    for (const [name, [groupPriorityMinimum, versionPriority]] of Object.entries(builtin)) {
      const a = all.get(name)!;
      const dot = name.indexOf('.');
      assert.deepEqual(a.spec, { group: name.slice(dot + 1), version: name.slice(0, dot), groupPriorityMinimum, versionPriority }, name);
      assert.equal(a.metadata.labels?.[label], 'onstart', name);
      assert.deepEqual({ ...available(a), lastTransitionTime: undefined }, { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available', lastTransitionTime: undefined });
    }
    // Not in upstream's table (the aggregator serves it itself): no APIService, as upstream.
    assert.equal(all.has('v1.apiregistration.k8s.io'), false);
    assert.deepEqual([...all.keys()].filter((n) => !(n in builtin)), []);
  });

  test('kubectl get apiservices lists them as Local and Available', async () => {
    await allAvailable(c);
    const out = await c.kubectlOk(['get', 'apiservices']);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+SERVICE\s+AVAILABLE\s+AGE$/);
    const rows = new Map(lines.slice(1).map((l) => [l.split(/\s+/)[0], l.split(/\s+/)]));
    for (const name of Object.keys(builtin)) assert.deepEqual(rows.get(name)?.slice(1, 3), ['Local', 'True'], name);
    const onstart = (await c.kubectlOk(['get', 'apiservices', '-l', `${label}=onstart`, '--no-headers', '-o', 'name'])).trim().split('\n');
    assert.deepEqual(onstart.sort(), Object.keys(builtin).map((n) => `apiservice.apiregistration.k8s.io/${n}`).sort());
  });

  test('local APIServices leave discovery as it was', async () => {
    await allAvailable(c);
    const groups = (await c.request('GET', '/apis')).json<{ groups: { name: string }[] }>().groups.map((g) => g.name);
    assert.equal(new Set(groups).size, groups.length);
    assert.ok(groups.includes('apps') && groups.includes('metrics.k8s.io'));
    // Requests are still served here, not relayed.
    assert.equal((await c.request('GET', '/apis/apps/v1/namespaces/default/deployments')).status, 200);
    assert.equal((await c.request('GET', '/api/v1/namespaces/default')).status, 200);
  });

  test("a CRD's served group-versions get an automanaged=true APIService, gone with the CRD", async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd([{ name: 'v1', served: true, storage: true }, { name: 'v1beta1', served: false, storage: false }]) });
    const a = await until('v1.autoreg.example.com', () => get(c, 'v1.autoreg.example.com'));
    assert.deepEqual(a.spec, { group: 'autoreg.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 100 });
    assert.equal(a.metadata.labels?.[label], 'true');
    await until('Available', async () => (available(await get(c, 'v1.autoreg.example.com'))?.reason === 'Local' ? true : undefined));
    // A version that is not served gets none.
    assert.equal(await get(c, 'v1beta1.autoreg.example.com'), undefined);
    // Serving it adds one; no longer serving it takes it away.
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd([{ name: 'v1', served: true, storage: true }, { name: 'v1beta1', served: true, storage: false }]) });
    await until('v1beta1.autoreg.example.com', () => get(c, 'v1beta1.autoreg.example.com'));
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd([{ name: 'v1', served: true, storage: true }, { name: 'v1beta1', served: false, storage: false }]) });
    await until('v1beta1.autoreg.example.com to go', async () => ((await get(c, 'v1beta1.autoreg.example.com')) ? undefined : true));
    assert.match(await c.kubectlOk(['get', 'apiservices', '-l', `${label}=true`, '--no-headers']), /^v1\.autoreg\.example\.com\s+Local\s+True\s+\S+\s*$/);

    await c.kubectlOk(['delete', 'crd', 'gadgets.autoreg.example.com']);
    await until('v1.autoreg.example.com to go', async () => ((await get(c, 'v1.autoreg.example.com')) ? undefined : true));
  });

  test('a managed (automanaged=true) APIService edited or deleted by a user is put back', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd([{ name: 'v1', served: true, storage: true }]) });
    await until('v1.autoreg.example.com', () => get(c, 'v1.autoreg.example.com'));
    await c.kubectlOk(['patch', 'apiservice', 'v1.autoreg.example.com', '--type=merge', '-p', '{"spec":{"groupPriorityMinimum":5,"versionPriority":7}}']);
    await until('the spec put back', async () => ((await get(c, 'v1.autoreg.example.com'))?.spec.groupPriorityMinimum === 1000 ? true : undefined));
    assert.equal((await get(c, 'v1.autoreg.example.com'))?.spec.versionPriority, 100);
    await c.kubectlOk(['delete', 'apiservice', 'v1.autoreg.example.com']);
    await until('it created again', () => get(c, 'v1.autoreg.example.com'));
  });

  test('an invalid APIService is refused with kube-aggregator\'s messages, each naming its field', async () => {
    const bad = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.wrong.example.com' }, spec: { group: 'bad.example.com', version: 'v1', groupPriorityMinimum: 0, versionPriority: 2000, insecureSkipTLSVerify: true } };
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(bad) });
    assert.notEqual(r.code, 0);
    // kubectl lists the Status's causes, one per line.
    assert.match(r.stderr, /The APIService "v1\.wrong\.example\.com" is invalid: \n\* metadata\.name: /);
    for (const m of [
      'metadata.name: Invalid value: "v1.wrong.example.com": must be `spec.version+"."+spec.group`: "v1.bad.example.com"',
      'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
      'spec.versionPriority: Invalid value: 2000: must be positive and less than 1000',
      'spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify',
    ]) {
      assert.ok(r.stderr.includes(m), `${m} in ${r.stderr}`);
    }
    assert.equal(await get(c, 'v1.wrong.example.com'), undefined);
  });

  test('onstart APIServices are the users’ after the first sync: edits and deletions stay until a restart', async () => {
    await allAvailable(c);
    await c.kubectlOk(['patch', 'apiservice', 'v1.apps', '--type=merge', '-p', '{"spec":{"versionPriority":3}}']);
    await c.kubectlOk(['delete', 'apiservice', 'v1.batch']);
    // A user's own APIService with the label, made after the start, is left alone too.
    await c.kubectlOk(['apply', '-f', '-'], {
      stdin: stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.mine.example.com', labels: { [label]: 'onstart' } }, spec: { group: 'mine.example.com', version: 'v1', groupPriorityMinimum: 10, versionPriority: 10 } }),
    });
    // A barrier instead of a wait: the controller works through names in the order their events
    // came, so once a later edit of a managed CRD APIService is put back, the edits above were seen.
    await c.kubectlOk(['patch', 'apiservice', 'v1.autoreg.example.com', '--type=merge', '-p', '{"spec":{"versionPriority":7}}']);
    await until('the later edit put back', async () => ((await get(c, 'v1.autoreg.example.com'))?.spec.versionPriority === 100 ? true : undefined));
    assert.equal((await get(c, 'v1.apps'))?.spec.versionPriority, 3);
    assert.equal(await get(c, 'v1.batch'), undefined);
    assert.ok(await get(c, 'v1.mine.example.com'));

    await c.close();
    c = await startTestCluster({ dataDir });
    // At the next start each is synced once more: the spec put back, the deleted one made again,
    // the labelled one nothing serves deleted; the CRD's (its CRD is still there) kept.
    await until('v1.apps put back', async () => ((await get(c, 'v1.apps'))?.spec.versionPriority === 15 ? true : undefined));
    await until('v1.batch made again', () => get(c, 'v1.batch'));
    await until('v1.mine.example.com deleted', async () => ((await get(c, 'v1.mine.example.com')) ? undefined : true));
    await allAvailable(c);
    assert.equal((await get(c, 'v1.autoreg.example.com'))?.metadata.labels?.[label], 'true');
    await c.kubectlOk(['delete', 'crd', 'gadgets.autoreg.example.com']);
    await until('v1.autoreg.example.com deleted', async () => ((await get(c, 'v1.autoreg.example.com')) ? undefined : true));
  });
});
