// pods/ephemeralcontainers as upstream serves it: discovered, read, patched (the way `kubectl
// debug` does) and replaced; only spec.ephemeralContainers changes, existing ones stay as they
// are, and a debugging container may not have ports, probes, resources or lifecycle hooks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { ApiError } from '../../src/client/rest/errors.js';

let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await startTestCluster();
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
});
after(async () => {
  await client?.close();
  await cluster?.close();
});

const ns = 'default';
const pods = () => client.resource(resources.pods);
const newPod = (name: string, extra: Record<string, unknown> = {}) =>
  pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra }, spec: { containers: [{ name: 'app', image: 'sh' }] } } as never, { namespace: ns }) as Promise<Pod>;
const debugContainer = (name: string, more: Record<string, unknown> = {}) => ({ name, image: 'sh', command: ['sh', '-c', 'echo hi'], ...more });
const addEphemeral = (pod: string, c: Record<string, unknown>) =>
  pods().patch(pod, { spec: { ephemeralContainers: [c] } }, { type: 'strategic', subresource: 'ephemeralcontainers', namespace: ns }) as Promise<Pod>;

/** The message of the 422 (or other) error a call fails with. */
async function failure(p: Promise<unknown>, code = 422): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code, err.message);
    return err.message;
  }
  assert.fail('the call succeeded');
}

describe('pods/ephemeralcontainers', () => {
  test('discovery lists pods/ephemeralcontainers with kind Pod and verbs get, patch, update', async () => {
    const res = await cluster.request('GET', '/api/v1');
    const entry = res.json<{ resources: { name: string; kind: string; verbs: string[] }[] }>().resources.find((r) => r.name === 'pods/ephemeralcontainers');
    assert.deepEqual(entry && { kind: entry.kind, verbs: entry.verbs }, { kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  });

  test('kubectl debug adds an ephemeral container with its command and the defaults of a container; describe shows it', async () => {
    await newPod('web');
    await cluster.kubectlOk(['debug', 'web', '--image=sh', '-c', 'dbg', '--', 'sh', '-c', 'echo hi; sleep 30']);
    const pod = await pods().get('web', { namespace: ns });
    assert.deepEqual(pod.spec?.ephemeralContainers, [
      // "sh" has no tag, so it is :latest and pulled Always.
      { name: 'dbg', image: 'sh', command: ['sh', '-c', 'echo hi; sleep 30'], imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
    ]);
    // A second debug session adds to the list; the first stays.
    await cluster.kubectlOk(['debug', 'web', '--image=sh', '-c', 'dbg2', '--target=app']);
    const again = await pods().get('web', { namespace: ns });
    assert.deepEqual(again.spec?.ephemeralContainers?.map((c) => [c.name, c.targetContainerName]), [['dbg', undefined], ['dbg2', 'app']]);
    const described = await cluster.kubectlOk(['describe', 'pod', 'web']);
    assert.match(described, /Ephemeral Containers:\n\s+dbg:\n\s+Image:\s+sh\n/);
    assert.match(described, /dbg2:\n\s+Image:\s+sh\n/);
  });

  test('GET of the subresource answers the pod', async () => {
    const res = await cluster.request('GET', '/api/v1/namespaces/default/pods/web/ephemeralcontainers');
    assert.equal(res.status, 200);
    const pod = res.json<Pod>();
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.metadata?.name, 'web');
    assert.equal(pod.spec?.ephemeralContainers?.length, 2);
  });

  test('a patch or update of the subresource changes only spec.ephemeralContainers', async () => {
    await newPod('only');
    const patched = (await pods().patch(
      'only',
      { metadata: { labels: { x: 'y' } }, spec: { activeDeadlineSeconds: 5, containers: [{ name: 'app', image: 'other' }], ephemeralContainers: [debugContainer('one')] }, status: { phase: 'Running' } },
      { type: 'strategic', subresource: 'ephemeralcontainers', namespace: ns },
    )) as Pod;
    assert.equal(patched.metadata?.labels, undefined);
    assert.equal(patched.spec?.activeDeadlineSeconds, undefined);
    assert.equal(patched.spec?.containers[0].image, 'sh');
    assert.equal(patched.status?.phase, 'Pending');
    assert.deepEqual(patched.spec?.ephemeralContainers?.map((c) => c.name), ['one']);

    const pod = await pods().get('only', { namespace: ns });
    pod.metadata!.annotations = { a: 'b' };
    pod.spec!.containers[0].image = 'changed';
    pod.spec!.ephemeralContainers = [...(pod.spec!.ephemeralContainers ?? []), debugContainer('two')];
    const updated = await pods().updateSubresource<Pod>('only', 'ephemeralcontainers', pod, { namespace: ns });
    assert.equal(updated.metadata?.annotations, undefined);
    assert.equal(updated.spec?.containers[0].image, 'sh');
    assert.deepEqual(updated.spec?.ephemeralContainers?.map((c) => c.name), ['one', 'two']);
  });

  test('JSON patch and merge patch work; a merge patch that leaves out an existing one is refused', async () => {
    await newPod('kinds');
    await pods().patch('kinds', [{ op: 'add', path: '/spec/ephemeralContainers', value: [debugContainer('j')] }], { type: 'json', subresource: 'ephemeralcontainers', namespace: ns });
    const merged = (await pods().patch('kinds', { spec: { ephemeralContainers: [debugContainer('j'), debugContainer('m')] } }, { type: 'merge', subresource: 'ephemeralcontainers', namespace: ns })) as Pod;
    assert.deepEqual(merged.spec?.ephemeralContainers?.map((c) => c.name), ['j', 'm']);
    const msg = await failure(pods().patch('kinds', { spec: { ephemeralContainers: [debugContainer('m')] } }, { type: 'merge', subresource: 'ephemeralcontainers', namespace: ns }));
    assert.equal(msg, 'Pod "kinds" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "j" may not be removed\n');
  });

  test('an existing ephemeral container may not be changed', async () => {
    await newPod('change');
    await addEphemeral('change', debugContainer('c1'));
    const msg = await failure(addEphemeral('change', debugContainer('c1', { image: 'other' })));
    assert.match(msg, /^Pod "change" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "c1" may not be changed\n/);
    assert.match(msg, /- \timage: "sh",\n\+ \timage: "other",/);
  });

  test('ports, resources, probes, lifecycle, restartPolicy and subPath are refused with upstream field errors', async () => {
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fields' }, spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'app', image: 'sh' }] } } as never, { namespace: ns });
    const msg = await failure(
      addEphemeral('fields', {
        ...debugContainer('bad'),
        volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'x' }],
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '1' } },
        livenessProbe: { exec: { command: ['true'] } },
        lifecycle: { postStart: { exec: { command: ['true'] } } },
        restartPolicy: 'Always',
      }),
    );
    assert.equal(
      msg,
      'Pod "fields" is invalid: [spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].livenessProbe: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container]',
    );
    // An empty resources struct is not set; a mount without subPath is allowed.
    await addEphemeral('fields', { ...debugContainer('ok'), resources: {}, volumeMounts: [{ name: 'v', mountPath: '/v' }] });
  });

  test('names are unique across all containers and a target must name a container of the pod', async () => {
    await newPod('names');
    assert.equal(await failure(addEphemeral('names', debugContainer('app'))), 'Pod "names" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "app"');
    assert.equal(await failure(addEphemeral('names', debugContainer('t', { targetContainerName: 'nope' }))), 'Pod "names" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"');
    assert.equal(await failure(addEphemeral('names', debugContainer('Bad_Name'))), 'Pod "names" is invalid: spec.ephemeralContainers[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')');
    const r = await cluster.kubectl(['debug', 'names', '--image=sh', '-c', 'x', '--target=nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.ephemeralContainers\[0\]\.targetContainerName: Not found: "nope"/);
  });

  test('ephemeral containers cannot be set on create nor changed through the pod itself', async () => {
    const created = pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'oncreate' }, spec: { containers: [{ name: 'app', image: 'sh' }], ephemeralContainers: [debugContainer('e')] } } as never, { namespace: ns });
    assert.equal(await failure(created), 'Pod "oncreate" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create');
    await newPod('plain');
    const msg = await failure(pods().patch('plain', { spec: { ephemeralContainers: [debugContainer('e')] } }, { type: 'strategic', namespace: ns }));
    assert.match(msg, /^Pod "plain" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
    // A pod with ephemeral containers still takes ordinary updates.
    await addEphemeral('plain', debugContainer('e'));
    const labelled = (await pods().patch('plain', { metadata: { labels: { a: 'b' } } }, { type: 'strategic', namespace: ns })) as Pod;
    assert.equal(labelled.metadata?.labels?.a, 'b');
    assert.equal(labelled.spec?.ephemeralContainers?.length, 1);
  });

  test('a stale resourceVersion is a 409; dry run changes nothing; static pods take no ephemeral containers', async () => {
    const pod = await newPod('rv');
    await addEphemeral('rv', debugContainer('first'));
    pod.spec!.ephemeralContainers = [debugContainer('stale')] as never;
    await failure(pods().updateSubresource('rv', 'ephemeralcontainers', pod, { namespace: ns }), 409);
    const dry = (await pods().patch('rv', { spec: { ephemeralContainers: [debugContainer('dry')] } }, { type: 'strategic', subresource: 'ephemeralcontainers', namespace: ns, dryRun: true })) as Pod;
    // A strategic merge patch without $setElementOrder puts its new items first, as upstream's.
    assert.deepEqual(dry.spec?.ephemeralContainers?.map((c) => c.name), ['dry', 'first']);
    assert.deepEqual((await pods().get('rv', { namespace: ns })).spec?.ephemeralContainers?.map((c) => c.name), ['first']);

    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mirror', annotations: { 'kubernetes.io/config.mirror': 'h' } }, spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'sh' }] } } as never, { namespace: ns });
    assert.equal(await failure(addEphemeral('mirror', debugContainer('e'))), 'Pod "mirror" is invalid: : Forbidden: static pods do not support ephemeral containers');
  });
});
