// The CEL library is loaded when a CRD with rules is written, not at start (its initialisation
// would cost every start ~15 ms); after a restart on the same data the rules hold from the first request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { celLoaded } from '../../../src/api/cel/library.js';
import { startTestCluster } from '../../helpers/cluster.js';

const crd = (plural: string, rules: boolean) =>
  JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.cel.example.com` },
    spec: {
      group: 'cel.example.com',
      scope: 'Namespaced',
      names: { plural, singular: plural.slice(0, -1), kind: plural[0].toUpperCase() + plural.slice(1, -1) },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' } }, ...(rules ? { 'x-kubernetes-validations': [{ rule: 'self.n > 0', message: 'n must be positive' }] } : {}) } } } },
        },
      ],
    },
  });

test('CEL is loaded by the first CRD with rules, not before, and its rules hold from the first custom resource', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-cel-'));
  let c = await startTestCluster({ dataDir });
  try {
    assert.equal(celLoaded(), false, 'not at start');
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('plains', false) });
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/plains.cel.example.com']);
    assert.equal(celLoaded(), false, 'not for a CRD without rules');
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('ruleds', true) });
    assert.equal(celLoaded(), true);
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/ruleds.cel.example.com']);
    const bad = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'cel.example.com/v1', kind: 'Ruled', metadata: { name: 'r', namespace: 'default' }, spec: { n: 0 } }) });
    assert.match(bad.stderr, /spec: Invalid value: "object": n must be positive/);
    await c.close();
    c = await startTestCluster({ dataDir });
    const again = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'cel.example.com/v1', kind: 'Ruled', metadata: { name: 'r', namespace: 'default' }, spec: { n: -1 } }) });
    assert.match(again.stderr, /n must be positive/, 'after a restart the rules hold at once');
  } finally {
    await c.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
