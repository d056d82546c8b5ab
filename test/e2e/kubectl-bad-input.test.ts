// Bad input through the real kubectl: unknown and duplicate fields under each --validate mode,
// invalid names and specs (422 with field causes), YAML syntax errors, stale updates (409),
// oversized objects (413). Each must give kubectl's usual message and leave nothing half written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'bad']);
});
after(async () => {
  await c?.close();
});

const deployment = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'bad' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    ...spec,
  },
});

async function absent(kind: string, name: string): Promise<void> {
  const r = await c.kubectl(['get', kind, name, '-n', 'bad']);
  assert.equal(r.code, 1, `${kind}/${name} should not exist:\n${r.stdout}`);
  assert.match(r.stderr, /not found/);
}

describe('unknown and duplicate fields', () => {
  test('apply with an unknown field fails under the default --validate=strict and stores nothing', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(deployment('strict', { bogus: 1 })) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(BadRequest\).*strict decoding error: unknown field "spec\.bogus"/);
    await absent('deployment', 'strict');
  });

  test('an unknown field in a nested list item is named by its path', async () => {
    const d = deployment('nested');
    (d.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolice = 'Always';
    const r = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(d) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolice"/);
    await absent('deployment', 'nested');
  });

  // YAML 1.1, which kubectl reads manifests with, makes `on` a bool: upstream's decoder refuses
  // it where a string goes, whatever --validate says.
  test('a value of the wrong JSON type is refused with Go\'s decode error naming the field, and nothing is stored', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typed, namespace: bad}\ndata: {feature: on}\n';
    for (const validate of ['--validate=strict', '--validate=false']) {
      const r = await c.kubectl(['apply', validate, '-f', '-'], { stdin: yaml });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ConfigMap\.data of type string/);
    }
    await absent('configmap', 'typed');
    const port = deployment('typed-port');
    (port.spec.template.spec.containers[0] as Record<string, unknown>).ports = [{ containerPort: '80' }];
    const r = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(port) });
    assert.match(r.stderr, /json: cannot unmarshal string into Go struct field ContainerPort\.spec\.template\.spec\.containers\.ports\.containerPort of type int32/);
    await absent('deployment', 'typed-port');
  });

  // kubectl decodes manifests into maps before sending them, so a duplicate key never reaches the
  // server from `kubectl apply`; a raw body does, and the server must catch it as upstream does.
  test('a raw body with a duplicate field is refused under fieldValidation=Strict and warned under Warn', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","namespace":"bad"},"data":{"a":"1"},"data":{"b":"2"}}';
    const strict = await c.request('POST', '/api/v1/namespaces/bad/configmaps?fieldValidation=Strict', { body });
    assert.equal(strict.status, 400, strict.body);
    assert.match(strict.json().message, /strict decoding error: .*duplicate field "data"/);
    await absent('configmap', 'dup');
    const warn = await c.request('POST', '/api/v1/namespaces/bad/configmaps?fieldValidation=Warn', { body });
    assert.equal(warn.status, 201, warn.body);
    assert.equal(warn.headers.warning, '299 - "duplicate field \\"data\\""');
    assert.deepEqual(warn.json().data, { b: '2' }, 'the last duplicate wins');
  });

  test('--validate=warn stores the object and prints the server warning', async () => {
    const r = await c.kubectl(['apply', '--validate=warn', '-f', '-'], { stdin: JSON.stringify(deployment('warned', { bogus: 1 })) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/warned created/);
    assert.match(r.stderr, /Warning: unknown field "spec\.bogus"/);
    const stored = JSON.parse(await c.kubectlOk(['get', 'deployment', 'warned', '-n', 'bad', '-o', 'json']));
    assert.equal(stored.spec.bogus, undefined, 'the unknown field is dropped');
  });

  test('--validate=false stores the object silently without the unknown field', async () => {
    const r = await c.kubectl(['apply', '--validate=false', '-f', '-'], { stdin: JSON.stringify(deployment('ignored', { bogus: 1 })) });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /unknown field/);
    const stored = JSON.parse(await c.kubectlOk(['get', 'deployment', 'ignored', '-n', 'bad', '-o', 'json']));
    assert.equal(stored.spec.bogus, undefined);
  });
});

describe('invalid objects are refused with 422 and field causes', () => {
  test('an invalid name names metadata.name and the DNS-1123 rule', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'bad' } }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.'/);
  });

  test('an imperative create with an invalid name is refused the same way', async () => {
    const r = await c.kubectl(['create', 'namespace', 'UPPER']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The Namespace "UPPER" is invalid: metadata\.name: Invalid value: "UPPER": a lowercase RFC 1123 label must consist of/);
  });

  test('a deployment without a selector names spec.selector as required', async () => {
    const d = deployment('noselector') as { spec: Record<string, unknown> };
    delete d.spec.selector;
    const r = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(d) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.selector: Required value/);
    await absent('deployment', 'noselector');
  });

  test('a selector that does not match the template labels is refused', async () => {
    const r = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(deployment('mismatch', { selector: { matchLabels: { app: 'other' } } })) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
  });

  test('changing an immutable deployment selector through apply is refused', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(deployment('immut')) });
    const changed = deployment('immut', {
      selector: { matchLabels: { app: 'immut', tier: 'x' } },
      template: { metadata: { labels: { app: 'immut', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    });
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(changed) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.selector: Invalid value: .*field is immutable/);
    const stored = JSON.parse(await c.kubectlOk(['get', 'deployment', 'immut', '-n', 'bad', '-o', 'json']));
    assert.deepEqual(stored.spec.selector, { matchLabels: { app: 'immut' } });
  });

  test('an invalid label value through kubectl label is refused', async () => {
    await c.kubectlOk(['create', 'configmap', 'labelled', '-n', 'bad']);
    const r = await c.kubectl(['label', 'configmap', 'labelled', '-n', 'bad', 'tier=not valid!']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid label value|metadata\.labels: Invalid value: "not valid!"/);
  });

  test('a container without an image names the field', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimage', namespace: 'bad' }, spec: { containers: [{ name: 'c' }] } }),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.containers\[0\]\.image: Required value/);
    await absent('pod', 'noimage');
  });
});

describe('malformed input and conflicts', () => {
  test('a YAML syntax error is reported by kubectl with its line, and nothing is sent', async () => {
    const yaml = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: broken', '  namespace: bad', 'data:', '  a: "1', '  b: [2', ''].join('\n');
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: yaml });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error converting YAML to JSON: yaml: line \d+/);
    await absent('configmap', 'broken');
  });

  test('a manifest whose namespace differs from -n is refused by kubectl', async () => {
    const r = await c.kubectl(['apply', '-n', 'default', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mixed', namespace: 'bad' } }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the namespace from the provided object "bad" does not match the namespace "default"/);
  });

  test('replace with a stale resourceVersion is a 409 Conflict', async () => {
    await c.kubectlOk(['create', 'configmap', 'racy', '-n', 'bad', '--from-literal=v=1']);
    const old = JSON.parse(await c.kubectlOk(['get', 'configmap', 'racy', '-n', 'bad', '-o', 'json']));
    await c.kubectlOk(['patch', 'configmap', 'racy', '-n', 'bad', '--type=merge', '-p', '{"data":{"v":"2"}}']);
    old.data.v = '3';
    const r = await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify(old) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Operation cannot be fulfilled on configmaps "racy": the object has been modified; please apply your changes to the latest version and try again/);
    assert.equal(await c.kubectlOk(['get', 'configmap', 'racy', '-n', 'bad', '-o', 'jsonpath={.data.v}']), '2');
  });

  test('an object over 3 MiB is refused with 413 and not stored', async () => {
    const big = join(c.dataDir, 'big.txt');
    writeFileSync(big, 'x'.repeat(3.5 * 1024 * 1024));
    const r = await c.kubectl(['create', 'configmap', 'huge', '-n', 'bad', `--from-file=big.txt=${big}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /[Rr]equest entity too large|too long/);
    await absent('configmap', 'huge');
  });

  test('a kind the server does not serve is a kubectl mapping error', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'bad' } }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no matches for kind "Widget" in version "example\.com\/v1"/);
  });
});
