import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../../src/api/object.js';
import { schemaForKind } from '../../../../src/api/openapi/schema-nodes.js';
import { serverSideApply } from '../../../../src/api/patch/apply/index.js';

const nginx = (replicas: number, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }], resources: {} }] },
    },
  },
});

test('against the real Deployment schema, apply records what kubectl apply --server-side shows upstream', () => {
  const schema = schemaForKind('apps', 'v1', 'Deployment');
  assert.ok(schema);
  const created = serverSideApply({ live: undefined, applied: nginx(3, 'nginx:1.14.2'), manager: 'kubectl', force: false, schema, now: '2024-01-01T00:00:00Z' }).object;
  assert.equal(
    JSON.stringify(created.metadata?.managedFields?.[0].fieldsV1),
    '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},' +
      '"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{},' +
      '"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}},"f:resources":{}}}}}}}',
  );
  // A second applier changing the image conflicts on exactly that field.
  assert.throws(
    () => serverSideApply({ live: created, applied: nginx(3, 'nginx:1.16'), manager: 'other', force: false, schema, now: '2024-01-01T00:01:00Z' }),
    { message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers[name="nginx"].image' },
  );
});

test('against the real Service schema, ports are list-map entries keyed by port and protocol', () => {
  const schema = schemaForKind('', 'v1', 'Service');
  assert.ok(schema);
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dns' }, spec: { ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }] } };
  const created = serverSideApply({ live: undefined, applied: svc, manager: 'kubectl', force: false, schema, now: '2024-01-01T00:00:00Z' }).object;
  const fields = created.metadata?.managedFields?.[0].fieldsV1 as Record<string, Record<string, Record<string, unknown>>>;
  assert.deepEqual(Object.keys(fields['f:spec']['f:ports']), ['k:{"port":53,"protocol":"TCP"}', 'k:{"port":53,"protocol":"UDP"}']);
});
