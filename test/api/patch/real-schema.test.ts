// The kubectl apply patches again, this time walking the real schemas built from the OpenAPI
// definitions (src/api/openapi), to catch any drift between the fixtures and the real tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from '../../../src/api/patch/index.js';
import { schemaForKind } from '../../../src/api/openapi/schema-nodes.js';
import { kubectlCases } from './kubectl-cases.js';

const schemas = {
  Deployment: schemaForKind('apps', 'v1', 'Deployment'),
  Service: schemaForKind('', 'v1', 'Service'),
};

test('the real Deployment and Service schemas are available', () => {
  assert.ok(schemas.Deployment, 'apps/v1 Deployment schema');
  assert.ok(schemas.Service, 'v1 Service schema');
});

for (const c of kubectlCases) {
  test(`kubectl apply patch on the real ${c.kind} schema: ${c.name}`, () => {
    const live = structuredClone(c.live);
    assert.deepEqual(applyPatch('strategic', live, c.patch, schemas[c.kind]), c.result);
    assert.deepEqual(live, c.live);
  });
}

test('a pod template patch on the real schema merges volumeMounts by mountPath', () => {
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      template: {
        spec: {
          containers: [{ name: 'app', volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'b', mountPath: '/b' }] }],
        },
      },
    },
  };
  const patch = { spec: { template: { spec: { containers: [{ name: 'app', volumeMounts: [{ name: 'b2', mountPath: '/b' }] }] } } } };
  const result = applyPatch('strategic', live, patch, schemas.Deployment) as typeof live;
  assert.deepEqual(result.spec.template.spec.containers[0].volumeMounts, [
    { name: 'a', mountPath: '/a' },
    { name: 'b2', mountPath: '/b' },
  ]);
});
