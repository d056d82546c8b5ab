// Server-side apply on pods/ephemeralcontainers, as upstream serves it: the applier's changes
// outside spec.ephemeralContainers are dropped and not owned (the strategy's reset-fields filter),
// its managedFields entry names subresource "ephemeralcontainers", and the add-only rules answer
// exactly as they do for the other verbs on this subresource. Driven by the real kubectl
// (`kubectl apply --server-side --subresource=ephemeralcontainers`) and the client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { ApiError } from '../../src/client/rest/errors.js';

let cluster: TestCluster;
let client: Client;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-ephemeral-apply-'));
  cluster = await startTestCluster();
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
});
after(async () => {
  await client?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ns = 'default';
const pods = () => client.resource(resources.pods);
const newPod = (name: string) =>
  pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'sh' }] } } as never, { namespace: ns }) as Promise<Pod>;
const debugContainer = (name: string, more: Record<string, unknown> = {}) => ({ name, image: 'sh', command: ['sh', '-c', 'echo hi'], ...more });

/** An apply configuration of pod `name` with these ephemeral containers (and any other fields). */
const config = (name: string, ephemeral: Record<string, unknown>[], more: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...more.metadata },
  spec: { ...more.spec, ephemeralContainers: ephemeral },
});
const apply = (pod: string, cfg: unknown, manager = 'debugger', force?: boolean) =>
  pods().patch(pod, cfg, { type: 'apply', subresource: 'ephemeralcontainers', namespace: ns, fieldManager: manager, force }) as Promise<Pod>;
const strategic = (pod: string, c: Record<string, unknown>) =>
  pods().patch(pod, { spec: { ephemeralContainers: [c] } }, { type: 'strategic', subresource: 'ephemeralcontainers', namespace: ns }) as Promise<Pod>;

/** The error a call fails with, checked to have `code`. */
async function failure(p: Promise<unknown>, code: number): Promise<ApiError> {
  const err = await p.then(
    () => assert.fail('the call succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, String(err));
  assert.equal(err.code, code, err.message);
  return err;
}

const entryOf = (pod: Pod, manager: string) => pod.metadata?.managedFields?.find((e) => e.manager === manager);
/** An Apply entry for this subresource owning exactly these ephemeral containers' fields. */
function appliedEntry(pod: Pod, manager: string, owned: Record<string, string[]>): void {
  const e: ManagedFieldsEntry | undefined = entryOf(pod, manager);
  assert.ok(e, `no managedFields entry for ${manager}: ${JSON.stringify(pod.metadata?.managedFields)}`);
  assert.match(e.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const items: Record<string, unknown> = {};
  for (const [name, fields] of Object.entries(owned)) items[`k:{"name":"${name}"}`] = { '.': {}, ...Object.fromEntries(fields.map((f) => [`f:${f}`, {}])) };
  assert.deepEqual(
    { ...e, time: undefined },
    { manager, operation: 'Apply', apiVersion: 'v1', time: undefined, fieldsType: 'FieldsV1', subresource: 'ephemeralcontainers', fieldsV1: { 'f:spec': { 'f:ephemeralContainers': items } } },
  );
}

describe('server-side apply on pods/ephemeralcontainers', () => {
  test('kubectl apply --server-side --subresource=ephemeralcontainers adds a defaulted ephemeral container; the applier owns only it', async () => {
    await newPod('kc');
    const file = join(dir, 'kc.yaml');
    writeFileSync(file, JSON.stringify(config('kc', [debugContainer('dbg')], { metadata: { labels: { app: 'changed', extra: 'x' } }, spec: { activeDeadlineSeconds: 5 } })));
    const out = await cluster.kubectlOk(['apply', '--server-side', '--subresource=ephemeralcontainers', '--field-manager=debugger', '-f', file]);
    assert.match(out, /pod\/kc serverside-applied/);
    const pod = await pods().get('kc', { namespace: ns });
    assert.deepEqual(pod.spec?.ephemeralContainers, [
      { name: 'dbg', image: 'sh', command: ['sh', '-c', 'echo hi'], imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' },
    ]);
    // Everything else the configuration held is dropped, and not owned by the applier.
    assert.deepEqual(pod.metadata?.labels, { app: 'kc' });
    assert.equal(pod.spec?.activeDeadlineSeconds, undefined);
    appliedEntry(pod, 'debugger', { dbg: ['command', 'image', 'name'] });
    // The creator's entry is untouched.
    assert.equal(entryOf(pod, 'debugger')?.subresource, 'ephemeralcontainers');
    assert.ok(pod.metadata?.managedFields?.some((e) => e.operation === 'Update' && !e.subresource && (e.fieldsV1 as Record<string, unknown>)['f:metadata']));
  });

  test('a second apply adds to the list; re-applying the same configuration changes nothing', async () => {
    await newPod('two');
    const first = await apply('two', config('two', [debugContainer('a')]));
    const second = await apply('two', config('two', [debugContainer('a'), debugContainer('b', { targetContainerName: 'app' })]));
    assert.deepEqual(second.spec?.ephemeralContainers?.map((c) => [c.name, c.targetContainerName]), [['a', undefined], ['b', 'app']]);
    assert.equal(second.spec?.ephemeralContainers?.[0].imagePullPolicy, 'Always');
    appliedEntry(second, 'debugger', { a: ['command', 'image', 'name'], b: ['command', 'image', 'name', 'targetContainerName'] });
    assert.notEqual(first.metadata?.resourceVersion, second.metadata?.resourceVersion);
    const again = await apply('two', config('two', [debugContainer('a'), debugContainer('b', { targetContainerName: 'app' })]));
    assert.equal(again.metadata?.resourceVersion, second.metadata?.resourceVersion);
    assert.deepEqual(again.metadata?.managedFields, second.metadata?.managedFields);
  });

  test('leaving out or changing an existing ephemeral container is refused with the messages of the other verbs', async () => {
    await newPod('rules');
    await apply('rules', config('rules', [debugContainer('keep')]));
    // Leaving it out would prune it: removal is refused.
    const removed = await failure(apply('rules', config('rules', [debugContainer('other')])), 422);
    assert.equal(removed.message, 'Pod "rules" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "keep" may not be removed\n');
    // Changing it: the same message a strategic merge patch gets.
    const byApply = await failure(apply('rules', config('rules', [debugContainer('keep', { image: 'other' })])), 422);
    const byPatch = await failure(strategic('rules', debugContainer('keep', { image: 'other' })), 422);
    assert.match(byApply.message, /^Pod "rules" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "keep" may not be changed\n/);
    assert.equal(byApply.message, byPatch.message);
    // Nothing changed.
    assert.deepEqual((await pods().get('rules', { namespace: ns })).spec?.ephemeralContainers?.map((c) => [c.name, c.image]), [['keep', 'sh']]);
  });

  test('a new ephemeral container is validated as by a patch: forbidden fields, duplicate names, unknown targets', async () => {
    await newPod('valid-a');
    await newPod('valid-b');
    const bad = debugContainer('bad', { ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } }, livenessProbe: { exec: { command: ['true'] } } });
    const byApply = await failure(apply('valid-a', config('valid-a', [bad])), 422);
    const byPatch = await failure(strategic('valid-b', bad), 422);
    assert.equal(byApply.message.replace('valid-a', 'valid-b'), byPatch.message);
    assert.match(byApply.message, /spec\.ephemeralContainers\[0\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
    assert.equal((await failure(apply('valid-a', config('valid-a', [debugContainer('app')])), 422)).message, 'Pod "valid-a" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "app"');
    assert.equal(
      (await failure(apply('valid-a', config('valid-a', [debugContainer('t', { targetContainerName: 'nope' })])), 422)).message,
      'Pod "valid-a" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
    );
  });

  test('another manager applying a different value conflicts (409) unless forced; then the add-only rule refuses it', async () => {
    await newPod('owners');
    await apply('owners', config('owners', [debugContainer('dbg')]));
    const conflict = await failure(apply('owners', config('owners', [debugContainer('dbg', { image: 'busybox' })]), 'other'), 409);
    assert.equal(conflict.message, 'Apply failed with 1 conflict: conflict with "debugger" with subresource "ephemeralcontainers": .spec.ephemeralContainers[name="dbg"].image');
    const forced = await failure(apply('owners', config('owners', [debugContainer('dbg', { image: 'busybox' })]), 'other', true), 422);
    assert.match(forced.message, /existing ephemeral containers "dbg" may not be changed/);
    // The same values are shared ownership: no conflict, nothing changes but managedFields.
    const shared = await apply('owners', config('owners', [debugContainer('dbg')]), 'other');
    appliedEntry(shared, 'debugger', { dbg: ['command', 'image', 'name'] });
    appliedEntry(shared, 'other', { dbg: ['command', 'image', 'name'] });
    // Labels another manager owns are no conflict here: the applier never takes them.
    const labelled = await apply('owners', config('owners', [debugContainer('dbg')], { metadata: { labels: { app: 'mine' } } }), 'third');
    assert.deepEqual(labelled.metadata?.labels, { app: 'owners' });
    appliedEntry(labelled, 'third', { dbg: ['command', 'image', 'name'] });
  });

  test('apply does not create a missing pod; it needs a field manager and a Pod configuration naming the pod', async () => {
    const missing = await failure(apply('nope', config('nope', [debugContainer('d')])), 404);
    assert.equal(missing.message, 'pods "nope" not found');
    await newPod('checks');
    const noManager = await cluster.request('PATCH', '/api/v1/namespaces/default/pods/checks/ephemeralcontainers', { body: JSON.stringify(config('checks', [debugContainer('d')])), headers: { 'content-type': 'application/apply-patch+yaml' } });
    assert.equal(noManager.status, 400);
    assert.equal(noManager.json<{ message: string }>().message, 'PATCH, fieldManager: Required value: is required for apply patch');
    const kind = await failure(apply('checks', { ...config('checks', [debugContainer('d')]), kind: 'Service' }), 400);
    assert.equal(kind.message, 'the API version and kind in the apply configuration (v1, Service) must be v1, Pod');
    const name = await failure(apply('checks', config('other', [debugContainer('d')])), 400);
    assert.equal(name.message, 'the name of the object (other) does not match the name on the URL (checks)');
    // YAML is accepted, as for any apply.
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: checks\nspec:\n  ephemeralContainers:\n  - name: y\n    image: sh\n`;
    const fromYaml = await cluster.request('PATCH', '/api/v1/namespaces/default/pods/checks/ephemeralcontainers?fieldManager=yaml', { body: yaml, headers: { 'content-type': 'application/apply-patch+yaml' } });
    assert.equal(fromYaml.status, 200, fromYaml.body);
    appliedEntry(fromYaml.json<Pod>(), 'yaml', { y: ['image', 'name'] });
  });

  test('a dry-run apply answers the result and stores nothing', async () => {
    await newPod('dry');
    const dry = (await pods().patch('dry', config('dry', [debugContainer('d')]), { type: 'apply', subresource: 'ephemeralcontainers', namespace: ns, fieldManager: 'debugger', dryRun: true })) as Pod;
    assert.deepEqual(dry.spec?.ephemeralContainers?.map((c) => c.name), ['d']);
    appliedEntry(dry, 'debugger', { d: ['command', 'image', 'name'] });
    const stored = await pods().get('dry', { namespace: ns });
    assert.equal(stored.spec?.ephemeralContainers, undefined);
    assert.equal(entryOf(stored, 'debugger'), undefined);
  });
});
