// A smoke test with every kubectl release installed (1.27 … 1.33 and the system kubectl): older
// clients ask for older discovery formats (v2beta1 aggregated discovery, or the legacy documents)
// and OpenAPI for validation; each must get, create, apply, read back and delete.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
});
after(async () => {
  await c?.close();
});

const sdk = '/usr/lib/google-cloud-sdk/bin';
const binaries = [
  ...['27', '28', '29', '30', '31', '32', '33'].map((minor) => ({ label: `1.${minor}`, path: `${sdk}/kubectl.1.${minor}` })),
  { label: 'system', path: '/usr/bin/kubectl' },
];

describe('every installed kubectl version', () => {
  for (const { label, path } of binaries) {
    test(`kubectl ${label}: get ns, create cm, apply -f, get -o json, delete`, { skip: existsSync(path) ? false : `${path} not installed` }, async () => {
      const opts = { binary: path };
      const ns = `v${label.replace('.', '-')}`;
      const version = JSON.parse(await c.kubectlOk(['version', '-o', 'json'], opts));
      assert.equal(version.serverVersion.minor, '32');

      const nsTable = await c.kubectlOk(['get', 'ns'], opts);
      assert.match(nsTable, /^NAME\s+STATUS\s+AGE$/m);
      assert.match(nsTable, /^kube-system\s+Active\s+\S+$/m);
      assert.match(await c.kubectlOk(['create', 'namespace', ns], opts), new RegExp(`^namespace/${ns} created$`, 'm'));

      assert.match(await c.kubectlOk(['create', 'configmap', 'imperative', '-n', ns, '--from-literal=k=v'], opts), /configmap\/imperative created/);
      const manifest = (replicas: number) =>
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: ns },
          spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
        });
      assert.match(await c.kubectlOk(['apply', '-f', '-'], { ...opts, stdin: manifest(1) }), /deployment.apps\/web created/);
      assert.match(await c.kubectlOk(['apply', '-f', '-'], { ...opts, stdin: manifest(2) }), /deployment.apps\/web configured/);

      // Strict validation is the default; kubectl ≤ 1.28 learns that the server does it from
      // /openapi/v2 (protobuf), later ones from /openapi/v3. Either way the server must refuse.
      const bogus = JSON.parse(manifest(2));
      bogus.spec.bogus = true;
      const strict = await c.kubectl(['apply', '-f', '-'], { ...opts, stdin: JSON.stringify(bogus) });
      assert.equal(strict.code, 1, strict.stdout);
      assert.match(strict.stderr, /unknown field "spec\.bogus"/);

      const cm = JSON.parse(await c.kubectlOk(['get', 'configmap', 'imperative', '-n', ns, '-o', 'json'], opts));
      assert.deepEqual(cm.data, { k: 'v' });
      const d = JSON.parse(await c.kubectlOk(['get', 'deployment', 'web', '-n', ns, '-o', 'json'], opts));
      assert.equal(d.spec.replicas, 2);
      assert.equal(d.metadata.generation, 2);
      const table = await c.kubectlOk(['get', 'deploy', '-n', ns], opts);
      assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);

      assert.match(await c.kubectlOk(['delete', 'configmap', 'imperative', '-n', ns], opts), /configmap "imperative" deleted/);
      assert.match(await c.kubectlOk(['delete', '-f', '-'], { ...opts, stdin: manifest(2) }), /deployment.apps "web" deleted/);
      const left = await c.kubectlOk(['get', 'configmaps,deployments', '-n', ns, '-o', 'name'], opts);
      assert.doesNotMatch(left, /imperative|web/);
    });
  }
});

describe('custom resources with every installed kubectl version', () => {
  before(async () => {
    await c.kubectlOk(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gizmos.versions.example.com' },
        spec: {
          group: 'versions.example.com',
          scope: 'Namespaced',
          names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { level: { type: 'integer' } } } } } },
              additionalPrinterColumns: [{ name: 'Level', type: 'integer', jsonPath: '.spec.level' }],
            },
          ],
        },
      }),
    });
    await c.kubectlOk(['wait', '--for', 'condition=Established', 'crd/gizmos.versions.example.com', '--timeout=10s']);
  });

  for (const { label, path } of binaries) {
    test(`kubectl ${label}: apply a custom resource twice, list it with its columns, refuse an unknown field`, { skip: existsSync(path) ? false : `${path} not installed` }, async () => {
      const opts = { binary: path };
      const name = `g-${label.replace('.', '-')}`;
      const gizmo = (spec: object) => JSON.stringify({ apiVersion: 'versions.example.com/v1', kind: 'Gizmo', metadata: { name, namespace: 'default' }, spec });
      assert.match(await c.kubectlOk(['apply', '-f', '-'], { ...opts, stdin: gizmo({ level: 1 }) }), new RegExp(`gizmo.versions.example.com/${name} created`));
      assert.match(await c.kubectlOk(['apply', '-f', '-'], { ...opts, stdin: gizmo({ level: 2 }) }), new RegExp(`gizmo.versions.example.com/${name} configured`));
      // Declared columns replace the default AGE, as upstream.
      assert.match(await c.kubectlOk(['get', 'gizmos', name], opts), new RegExp(`^NAME\\s+LEVEL\\n${name}\\s+2\\n$`));
      const strict = await c.kubectl(['apply', '-f', '-'], { ...opts, stdin: gizmo({ level: 3, bogus: true }) });
      assert.equal(strict.code, 1, strict.stdout);
      assert.match(strict.stderr, /unknown field "spec\.bogus"/);
      assert.match(await c.kubectlOk(['delete', 'gizmo', name], opts), new RegExp(`gizmo.versions.example.com "${name}" deleted`));
    });
  }
});
