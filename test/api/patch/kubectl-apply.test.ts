// The patches `kubectl apply` sends (see kubectl-cases.ts for how they were written), applied
// with the hand-built Deployment and Service fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from '../../../src/api/patch/index.js';
import { deployment, service } from './fixtures.js';
import { kubectlCases } from './kubectl-cases.js';

for (const c of kubectlCases) {
  test(`kubectl apply patch on the fixture schema: ${c.name}`, () => {
    const schema = c.kind === 'Deployment' ? deployment : service;
    const live = structuredClone(c.live);
    assert.deepEqual(applyPatch('strategic', live, c.patch, schema), c.result);
    assert.deepEqual(live, c.live, 'the live object must not be modified');
  });
}

test('kubectl apply patch: the same container patch as a merge patch would replace the whole list', () => {
  // Why strategic merge matters: a JSON merge patch of the sidecar case drops the app container.
  const c = kubectlCases[0];
  const result = applyPatch('merge', structuredClone(c.live), { spec: { template: { spec: { containers: [{ image: 'busybox', name: 'sidecar' }] } } } }, undefined);
  const containers = (result.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers;
  assert.deepEqual(containers.map((x) => x.name), ['sidecar']);
});
