// The ServiceAccount admission plugin through the real API server: the account must exist, the
// kube-api-access-xxxxx projected volume and its mounts are added as upstream, automount is
// decided by the pod and then the account, mirror pods are refused references, and mountable
// secrets are enforced when the account asks for it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { StatusError } from '../../src/api/status.js';
import type { KubeObject } from '../../src/api/object.js';

const mountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const tokenSource = {
  defaultMode: 420,
  sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ],
};

function pod(name: string, spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod & KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

async function refusal(p: Promise<unknown>): Promise<StatusError> {
  const err = await p.then(
    () => assert.fail('expected the create to be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StatusError, String(err));
  return err;
}

describe('ServiceAccount admission', () => {
  let api: InProcessApi;
  let client: Client;
  const ns = 'sa-admission';
  const pods = () => client.resource(resources.pods, ns);
  const accounts = () => client.resource(resources.serviceAccounts, ns);

  before(async () => {
    // Without the serviceaccounts controller: the namespace starts with no default account.
    api = await startInProcessApi({ serviceAccounts: false });
    client = api.client();
    await client.resource(resources.namespaces).create({ metadata: { name: ns } });
  });
  after(async () => {
    await api.close();
  });

  test('a pod whose service account does not exist is refused as upstream says', async () => {
    const err = await refusal(pods().create(pod('nosa', { serviceAccountName: 'missing' })));
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "nosa" is forbidden: error looking up service account sa-admission/missing: serviceaccount "missing" not found');
  });

  test('the default account is waited for (the controller creates it just after the namespace)', async () => {
    const created = pods().create(pod('waits'));
    setTimeout(() => void accounts().create({ metadata: { name: 'default' } }), 50);
    const p = await created;
    assert.equal(p.spec?.serviceAccountName, 'default');
    assert.equal(p.spec?.serviceAccount, 'default');
  });

  test('the projected token volume is added and mounted read-only in init and regular containers without a mount there', async () => {
    const p = await pods().create(
      pod('inject', {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'a', image: 'busybox' },
          { name: 'b', image: 'busybox', volumeMounts: [{ name: 'own', mountPath }] },
        ],
        volumes: [{ name: 'own', emptyDir: {} }],
      }),
    );
    const vols = p.spec!.volumes!;
    assert.equal(vols.length, 2);
    const tokenVolume = vols[1]!;
    assert.match(tokenVolume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(tokenVolume.projected, tokenSource);
    const mount = { name: tokenVolume.name, readOnly: true, mountPath };
    assert.deepEqual(p.spec!.initContainers![0]!.volumeMounts, [mount]);
    assert.deepEqual(p.spec!.containers[0]!.volumeMounts, [mount]);
    assert.deepEqual(p.spec!.containers[1]!.volumeMounts, [{ name: 'own', mountPath }]);
  });

  test('no volume when every container already mounts the token path', async () => {
    const p = await pods().create(pod('nomount', { containers: [{ name: 'a', image: 'busybox', volumeMounts: [{ name: 'own', mountPath }] }], volumes: [{ name: 'own', emptyDir: {} }] }));
    assert.deepEqual(
      p.spec!.volumes!.map((v) => v.name),
      ['own'],
    );
  });

  test('an existing kube-api-access-* volume is reused, not added again', async () => {
    const p = await pods().create(pod('reuse', { volumes: [{ name: 'kube-api-access-mine', emptyDir: {} }] }));
    assert.deepEqual(p.spec!.volumes, [{ name: 'kube-api-access-mine', emptyDir: {} }]);
    assert.deepEqual(p.spec!.containers[0]!.volumeMounts, [{ name: 'kube-api-access-mine', readOnly: true, mountPath }]);
  });

  test('automountServiceAccountToken: the pod decides, else the account, else true', async () => {
    await accounts().create({ metadata: { name: 'nomount' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'pull' }] } as ServiceAccount & KubeObject);
    const podOff = await pods().create(pod('pod-off', { automountServiceAccountToken: false }));
    assert.equal(podOff.spec!.volumes, undefined);
    assert.equal(podOff.spec!.containers[0]!.volumeMounts, undefined);
    const saOff = await pods().create(pod('sa-off', { serviceAccountName: 'nomount' }));
    assert.equal(saOff.spec!.volumes, undefined);
    // The account's imagePullSecrets are copied to a pod that names none.
    assert.deepEqual(saOff.spec!.imagePullSecrets, [{ name: 'pull' }]);
    const podOn = await pods().create(pod('pod-on', { serviceAccountName: 'nomount', automountServiceAccountToken: true, imagePullSecrets: [{ name: 'other' }] }));
    assert.equal(podOn.spec!.volumes?.length, 1);
    assert.deepEqual(podOn.spec!.imagePullSecrets, [{ name: 'other' }]);
  });

  test('mirror pods are not mutated but may not reference accounts, secrets or token projections', async () => {
    const mirror = { 'kubernetes.io/config.mirror': 'abc' };
    const plain = await pods().create(pod('mirror', {}, mirror));
    assert.equal(plain.spec!.serviceAccountName, undefined);
    assert.equal(plain.spec!.volumes, undefined);
    const cases: [Partial<Pod['spec']>, string][] = [
      [{ serviceAccountName: 'default' }, 'a mirror pod may not reference service accounts'],
      [{ volumes: [{ name: 's', secret: { secretName: 'x' } }] }, 'a mirror pod may not reference secrets'],
      [{ containers: [{ name: 'c', image: 'busybox', envFrom: [{ secretRef: { name: 'x' } }] }] }, 'a mirror pod may not reference secrets'],
      [{ volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] }, 'a mirror pod may not use ServiceAccountToken volume projections'],
    ];
    for (const [i, [spec, message]] of cases.entries()) {
      const err = await refusal(pods().create(pod(`mirror-${i}`, spec, mirror)));
      assert.equal(err.message, `pods "mirror-${i}" is forbidden: ${message}`);
    }
  });

  test('an account annotated enforce-mountable-secrets limits the secrets a pod may use', async () => {
    await accounts().create({ metadata: { name: 'strict', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } }, secrets: [{ name: 'ok' }] } as ServiceAccount & KubeObject);
    await pods().create(pod('strict-ok', { serviceAccountName: 'strict', volumes: [{ name: 's', secret: { secretName: 'ok' } }] }));
    const err = await refusal(pods().create(pod('strict-vol', { serviceAccountName: 'strict', volumes: [{ name: 's', secret: { secretName: 'nope' } }] })));
    assert.equal(err.message, 'pods "strict-vol" is forbidden: volume with secret.secretName="nope" is not allowed because service account strict does not reference that secret');
    const env = await refusal(pods().create(pod('strict-env', { serviceAccountName: 'strict', containers: [{ name: 'c', image: 'busybox', envFrom: [{ secretRef: { name: 'nope' } }] }] })));
    assert.equal(env.message, 'pods "strict-env" is forbidden: container c with envFrom referencing secret.secretName="nope" is not allowed because service account strict does not reference that secret');
  });
});

test('--disable-admission-plugins ServiceAccount (as upstream scheduler_perf runs without a serviceaccounts controller): pods need no account and get no token volume; the disableable names are the real plugins', async () => {
  const { ApiServer } = await import('../../src/apiserver/server.js');
  const { defaultAdmissionPlugins, disableableAdmissionPlugins } = await import('../../src/apiserver/admission/plugins.js');
  const started = await startInProcessApi({ server: { disableAdmissionPlugins: ['ServiceAccount'] }, serviceAccounts: false, rootCA: false });
  const { api: server, store } = started;
  const c = started.client();
  try {
    const created = await c.resource(resources.pods, 'default').create(pod('no-account'));
    assert.equal(created.spec?.volumes, undefined);
    assert.equal(created.spec?.serviceAccountName, undefined);
    const names = defaultAdmissionPlugins({ cache: server.cache, registry: server.registry, services: server.services, store }).map((p) => p.name);
    assert.deepEqual([...disableableAdmissionPlugins].sort(), names.filter((n) => n !== 'ServiceIPAllocation').sort());
    assert.throws(() => new ApiServer(store, undefined, { disableAdmissionPlugins: ['Nope'] }), /unknown admission plugin "Nope"/);
  } finally {
    await started.close();
  }
});
