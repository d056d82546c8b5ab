// CustomResourceDefinitions end to end, as an operator author uses them: the real kubectl
// applies a CRD, waits for it to be established, and then creates, lists, patches, validates and
// deletes custom resources; @kubernetes/client-node's CustomObjectsApi does the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'shop']);
});
after(async () => {
  await c?.close();
});

const widgetSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      description: 'What the widget should be.',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10, description: 'How big the widget is.' },
        color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' }, observedSize: { type: 'integer' } } },
  },
};

function widgetCRD(opts: { versions?: object[]; name?: string; kind?: string } = {}): string {
  return stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: opts.name ?? 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: opts.name ? opts.name.split('.')[0] : 'widgets', singular: opts.name ? opts.name.split('.')[0].replace(/s$/, '') : 'widget', kind: opts.kind ?? 'Widget', shortNames: opts.name ? [] : ['wd'], categories: ['all'] },
      versions: opts.versions ?? [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: widgetSchema },
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color' },
            { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  });
}

const widget = (name: string, spec: object) => stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'shop' }, spec });
const getJSON = async (args: string[]) => JSON.parse(await c.kubectlOk(['get', ...args, '-o', 'json']));

describe('custom resources through kubectl', () => {
  test('a CRD is created, its names accepted and it becomes Established, with its storage version recorded', async () => {
    assert.match(await c.kubectlOk(['apply', '-f', '-'], { stdin: widgetCRD() }), /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com created/);
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/widgets.example.com', '--timeout=10s']);
    const crd = await getJSON(['crd', 'widgets.example.com']);
    assert.deepEqual(crd.status.acceptedNames, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'], categories: ['all'] });
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    const conditions = Object.fromEntries(crd.status.conditions.map((x: { type: string; status: string; reason: string }) => [x.type, `${x.status}/${x.reason}`]));
    assert.deepEqual(conditions, { NamesAccepted: 'True/NoConflicts', Established: 'True/InitialNamesAccepted' });
    const resources = await c.kubectlOk(['api-resources', '--api-group=example.com']);
    assert.match(resources, /widgets\s+wd\s+example.com\/v1\s+true\s+Widget/);
  });

  test('a custom resource is created with its schema defaults, listed with its printer columns, and found by short name and category', async () => {
    assert.match(await c.kubectlOk(['apply', '-f', '-'], { stdin: widget('w1', { size: 3 }) }), /widget.example.com\/w1 created/);
    const w = await getJSON(['widget', 'w1', '-n', 'shop']);
    assert.equal(w.spec.color, 'red', 'the schema default is applied');
    assert.equal(w.metadata.generation, 1);
    assert.ok(w.metadata.uid);
    const table = await c.kubectlOk(['get', 'wd', '-n', 'shop']);
    assert.match(table, /^NAME\s+SIZE\s+COLOR\s+READY\s+AGE\n/);
    assert.match(table, /\nw1\s+3\s+red\s+\d+s\n/, 'READY is empty until status is written');
    assert.match(await c.kubectlOk(['get', 'all', '-n', 'shop']), /widget.example.com\/w1/);
  });

  test('invalid custom resources are refused with the field named, and unknown fields with strict validation', async () => {
    const big = await c.kubectl(['apply', '-f', '-'], { stdin: widget('w2', { size: 20 }) });
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /The Widget "w2" is invalid: spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10/);
    const missing = await c.kubectl(['apply', '-f', '-'], { stdin: widget('w2', { color: 'blue' }) });
    assert.match(missing.stderr, /spec.size: Required value/);
    const color = await c.kubectl(['apply', '-f', '-'], { stdin: widget('w2', { size: 2, color: 'pink' }) });
    assert.match(color.stderr, /spec.color: Unsupported value: "pink": supported values: "red", "blue"/);
    const unknown = await c.kubectl(['apply', '-f', '-'], { stdin: widget('w2', { size: 2, shape: 'round' }) });
    assert.match(unknown.stderr, /unknown field "spec.shape"/);
    const loose = await c.kubectl(['apply', '--validate=false', '-f', '-'], { stdin: widget('w2', { size: 2, shape: 'round' }) });
    assert.equal(loose.code, 0, loose.stderr);
    assert.equal((await getJSON(['widget', 'w2', '-n', 'shop'])).spec.shape, undefined, 'unknown fields are pruned');
  });

  test('apply, merge and JSON patches change a custom resource; strategic merge is refused as upstream does', async () => {
    assert.match(await c.kubectlOk(['apply', '-f', '-'], { stdin: widget('w1', { size: 4, tags: ['a'] }) }), /widget.example.com\/w1 configured/);
    let w = await getJSON(['widget', 'w1', '-n', 'shop']);
    assert.equal(w.spec.size, 4);
    assert.equal(w.metadata.generation, 2);
    await c.kubectlOk(['patch', 'widget', 'w1', '-n', 'shop', '--type=merge', '-p', '{"spec":{"color":"blue"}}']);
    await c.kubectlOk(['patch', 'widget', 'w1', '-n', 'shop', '--type=json', '-p', '[{"op":"add","path":"/spec/tags/-","value":"b"}]']);
    w = await getJSON(['widget', 'w1', '-n', 'shop']);
    assert.equal(w.spec.color, 'blue');
    assert.deepEqual(w.spec.tags, ['a', 'b']);
    // kubectl reads from OpenAPI that the kind takes no strategic merge patch and says so itself.
    const smp = await c.kubectl(['patch', 'widget', 'w1', '-n', 'shop', '-p', '{"spec":{"size":5}}']);
    assert.notEqual(smp.code, 0);
    assert.match(smp.stderr, /application\/strategic-merge-patch\+json is not supported by example.com\/v1, Kind=Widget/);
    const direct = await c.request('PATCH', '/apis/example.com/v1/namespaces/shop/widgets/w1', { body: '{"spec":{"size":5}}', headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    assert.equal(direct.status, 415);
    assert.equal(direct.json().message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    // Server-side apply tracks the fields per manager through the CRD's schema: the size that
    // client-side apply set is another manager's, as upstream reports it.
    const ssa = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: widget('w1', { size: 6, color: 'blue', tags: ['a', 'b'] }) });
    assert.match(ssa.stderr, /Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using example.com\/v1: .spec.size/);
    await c.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', '-'], { stdin: widget('w1', { size: 6, color: 'blue', tags: ['a', 'b'] }) });
    assert.equal((await getJSON(['widget', 'w1', '-n', 'shop'])).spec.size, 6);
  });

  test('status is written through the status subresource only, and validated against the schema', async () => {
    await c.kubectlOk(['patch', 'widget', 'w1', '-n', 'shop', '--subresource=status', '--type=merge', '-p', '{"status":{"ready":true,"observedSize":6}}']);
    let w = await getJSON(['widget', 'w1', '-n', 'shop']);
    assert.deepEqual(w.status, { ready: true, observedSize: 6 });
    const generation = w.metadata.generation;
    await c.kubectlOk(['patch', 'widget', 'w1', '-n', 'shop', '--type=merge', '-p', '{"status":{"ready":false}}']);
    w = await getJSON(['widget', 'w1', '-n', 'shop']);
    assert.equal(w.status.ready, true, 'the main resource ignores status');
    assert.equal(w.metadata.generation, generation, 'a status-only write does not bump generation');
    const bad = await c.kubectl(['patch', 'widget', 'w1', '-n', 'shop', '--subresource=status', '--type=merge', '-p', '{"status":{"observedSize":"six"}}']);
    assert.match(bad.stderr, /status.observedSize: Invalid value: "string": status.observedSize in body must be of type integer: "string"/);
    assert.match(await c.kubectlOk(['get', 'widget', 'w1', '-n', 'shop']), /w1\s+6\s+blue\s+true\s+/);
  });

  test('x-kubernetes-validations (CEL) rules refuse what they forbid, transition rules compare with the stored object, and a rule that does not parse refuses the CRD', async () => {
    const rangeSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }],
          properties: {
            min: { type: 'integer' },
            max: { type: 'integer' },
            zone: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'zone is immutable' }] },
          },
        },
      },
    };
    const rangeCRD = (schema: object) =>
      stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'ranges.example.com' },
        spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'ranges', singular: 'range', kind: 'Range' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
      });
    const broken = structuredClone(rangeSchema);
    broken.properties.spec['x-kubernetes-validations'][0].rule = 'self.min <=';
    const refused = await c.kubectl(['apply', '-f', '-'], { stdin: rangeCRD(broken) });
    assert.match(refused.stderr, /x-kubernetes-validations\[0\]\.rule: Invalid value: "self.min <=": compilation failed/);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: rangeCRD(rangeSchema) });
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/ranges.example.com', '--timeout=10s']);
    const range = (spec: object) => stringify({ apiVersion: 'example.com/v1', kind: 'Range', metadata: { name: 'r', namespace: 'shop' }, spec });
    const bad = await c.kubectl(['apply', '-f', '-'], { stdin: range({ min: 5, max: 1, zone: 'a' }) });
    assert.match(bad.stderr, /The Range "r" is invalid: spec: Invalid value: "object": min must not exceed max/);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: range({ min: 1, max: 5, zone: 'a' }) });
    const moved = await c.kubectl(['apply', '-f', '-'], { stdin: range({ min: 1, max: 6, zone: 'b' }) });
    assert.match(moved.stderr, /spec.zone: Invalid value: "string": zone is immutable/);
    assert.match(await c.kubectlOk(['apply', '-f', '-'], { stdin: range({ min: 1, max: 6, zone: 'a' }) }), /range.example.com\/r configured/);
    await c.kubectlOk(['delete', 'crd', 'ranges.example.com']);
  });

  test('kubectl explain reads the custom resource schema from OpenAPI v3', async () => {
    const out = await c.kubectlOk(['explain', 'widgets.spec.size']);
    assert.match(out, /KIND:\s+Widget/);
    assert.match(out, /How big the widget is\./);
  });

  test('a second CRD that claims an accepted kind is not established, and says which name conflicts', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: widgetCRD({ name: 'gadgets.example.com', kind: 'Widget' }) });
    await c.kubectlOk(['wait', '--for', 'condition=NamesAccepted=False', 'crd/gadgets.example.com', '--timeout=10s']);
    const crd = await getJSON(['crd', 'gadgets.example.com']);
    const names = crd.status.conditions.find((x: { type: string }) => x.type === 'NamesAccepted');
    // Kind and list kind both conflict; as upstream, the last conflict found is the one reported.
    assert.equal(names.reason, 'ListKindConflict');
    assert.equal(names.message, '"WidgetList" is already in use');
    const established = crd.status.conditions.find((x: { type: string }) => x.type === 'Established');
    assert.deepEqual([established.status, established.reason], ['False', 'NotAccepted']);
    const missing = await c.kubectl(['get', 'gadgets']);
    assert.match(missing.stderr, /the server doesn't have a resource type "gadgets"/);
    await c.kubectlOk(['delete', 'crd', 'gadgets.example.com']);
  });

  test('a version that is served but not stored reads and writes the same objects under its own apiVersion', async () => {
    const v1 = { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: widgetSchema }, subresources: { status: {} } };
    const v1beta1 = { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: widgetSchema } };
    await c.kubectlOk(['apply', '-f', '-'], { stdin: widgetCRD({ versions: [v1, v1beta1] }) });
    const beta = await c.request('GET', '/apis/example.com/v1beta1/namespaces/shop/widgets/w1');
    assert.equal(beta.status, 200, beta.body);
    assert.equal(beta.json().apiVersion, 'example.com/v1beta1');
    assert.equal(beta.json().spec.size, 6);
    const created = await c.request('POST', '/apis/example.com/v1beta1/namespaces/shop/widgets', {
      body: JSON.stringify({ apiVersion: 'example.com/v1beta1', kind: 'Widget', metadata: { name: 'w3' }, spec: { size: 1 } }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(created.status, 201, created.body);
    assert.equal((await getJSON(['widgets.v1.example.com', 'w3', '-n', 'shop'])).apiVersion, 'example.com/v1');
  });

  test('deleting the CRD deletes its custom resources first, then the CRD, and the resource is no longer served', async () => {
    await c.kubectlOk(['delete', 'crd', 'widgets.example.com', '--timeout=20s']);
    const gone = await c.request('GET', '/apis/example.com/v1/namespaces/shop/widgets');
    assert.equal(gone.status, 404);
    const crds = await getJSON(['crd']);
    assert.deepEqual(crds.items.map((x: { metadata: { name: string } }) => x.metadata.name), []);
    // A CRD of the same name later starts empty.
    await c.kubectlOk(['apply', '-f', '-'], { stdin: widgetCRD() });
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/widgets.example.com', '--timeout=10s']);
    assert.deepEqual((await getJSON(['widgets', '-n', 'shop'])).items, []);
  });
});

describe('a CRD as controller-gen writes it', () => {
  test('is accepted and established, and its objects get the markers\' defaults, enums, rules and columns', async () => {
    const yaml = readFileSync(new URL('./fixtures/controller-gen-crd.yaml', import.meta.url), 'utf8');
    await c.kubectlOk(['apply', '-f', '-'], { stdin: yaml });
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/cronjobs.batch.tutorial.kubebuilder.io', '--timeout=10s']);
    const cron = (spec: object) => stringify({ apiVersion: 'batch.tutorial.kubebuilder.io/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' }, spec });
    const template = { spec: { containers: [{ name: 'job', image: 'busybox' }] } };
    await c.kubectlOk(['apply', '-f', '-'], { stdin: cron({ schedule: '0 3 * * *', template, targets: [{ name: 'a', weight: 1 }] }) });
    const got = JSON.parse(await c.kubectlOk(['get', 'cronjobs.batch.tutorial.kubebuilder.io', 'nightly', '-n', 'shop', '-o', 'json']));
    assert.equal(got.spec.concurrencyPolicy, 'Allow');
    assert.equal(got.spec.failedJobsHistoryLimit, 1);
    assert.deepEqual(got.spec.template, template, 'preserve-unknown-fields keeps the template whole');
    const rule = await c.kubectl(['apply', '-f', '-'], { stdin: cron({ schedule: '0 3 * * *', suspend: true }) });
    assert.match(rule.stderr, /spec: Invalid value: "object": startingDeadlineSeconds must be set when suspend is true/);
    const dup = await c.kubectl(['apply', '-f', '-'], { stdin: cron({ schedule: '0 3 * * *', targets: [{ name: 'a' }, { name: 'a' }] }) });
    assert.match(dup.stderr, /spec.targets\[1\]: Duplicate value: \{"name":"a"\}/);
    const table = await c.kubectlOk(['get', 'cronjobs.batch.tutorial.kubebuilder.io', '-n', 'shop']);
    assert.match(table, /^NAME\s+SCHEDULE\s+SUSPEND\s+LAST SCHEDULE\nnightly\s+0 3 \* \* \*\s*\n$/);
  });
});

describe('custom resources through @kubernetes/client-node', () => {
  test('CustomObjectsApi creates, lists, gets and deletes a cluster-scoped custom resource', async () => {
    await c.kubectlOk(['apply', '-f', '-'], {
      stdin: stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'clusterwidgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { plural: 'clusterwidgets', singular: 'clusterwidget', kind: 'ClusterWidget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
      }),
    });
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/clusterwidgets.example.com', '--timeout=10s']);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const base = { group: 'example.com', version: 'v1', plural: 'clusterwidgets' };
    const created = (await api.createClusterCustomObject({ ...base, body: { apiVersion: 'example.com/v1', kind: 'ClusterWidget', metadata: { name: 'cw1' }, anything: { goes: [1, 2] } } })) as { metadata: { namespace?: string }; anything: unknown };
    assert.equal(created.metadata.namespace, undefined);
    assert.deepEqual(created.anything, { goes: [1, 2] }, 'preserve-unknown-fields keeps everything');
    const list = (await api.listClusterCustomObject(base)) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'ClusterWidgetList');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['cw1']);
    await api.deleteClusterCustomObject({ ...base, name: 'cw1' });
    await assert.rejects(api.getClusterCustomObject({ ...base, name: 'cw1' }), (err: { code?: number }) => err.code === 404);
  });
});
