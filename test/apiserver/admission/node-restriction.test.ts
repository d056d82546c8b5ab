// The NodeRestriction admission plugin as upstream's (plugin/pkg/admission/noderestriction): a
// node's user (system:node:<name> in system:nodes) may write only what belongs to its node,
// with upstream's messages. Driven through a real API server with authorization set to
// AlwaysAllow, so that what refuses a request is this plugin and not the Node authorizer.
// Eviction and TokenRequest are served by handlers that do not run admission, and a status
// write here cannot change labels: those rules are checked on the plugin itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { StatusError } from '../../../src/api/status.js';
import { generateKeyPair } from '../../../src/auth/pki/keys.js';
import type { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { resourceRef } from '../../../src/client/rest/resource-ref.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from '../../../src/apiserver/admission/admission.js';
import { forbiddenLabels, nodeRestriction } from '../../../src/apiserver/admission/node-restriction.js';
import { nodeIdentity } from '../../../src/auth/node-identity.js';
import { defaultAdmissionPlugins, unknownAdmissionPlugins } from '../../../src/apiserver/admission/plugins.js';
import type { UserInfo } from '../../../src/apiserver/registry/context.js';
import type { ResourceEntry } from '../../../src/apiserver/registry/resource-entry.js';
import { nodeClientRequest } from '../../../src/kubelet/bootstrap/tls-bootstrap.js';
import { startInProcessApi, type InProcessApi, type InProcessApiOptions } from '../../client/transport/in-process-api.js';

type K<T> = T & KubeObject;
const csrs = resourceRef<KubeObject>({ group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests', kind: 'CertificateSigningRequest', namespaced: false });
const csinodes = resourceRef<KubeObject>({ group: 'storage.k8s.io', version: 'v1', plural: 'csinodes', kind: 'CSINode', namespaced: false });

const n1User: UserInfo = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const mirrorAnnotation = { 'kubernetes.io/config.mirror': 'hash' };

/** Asserts that `p` is refused with 403 and exactly `message`. */
async function forbids(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (err: { code?: number; message?: string }) => {
    assert.equal(err.message, message);
    assert.equal(err.code, 403);
    return true;
  });
}

/** What the plugin throws (or rejects with) for `a`, in the phase the server would run. */
async function refusal(plugin: AdmissionPlugin, a: AdmissionAttributes): Promise<StatusError | undefined> {
  try {
    await plugin.admit!(a);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return err;
  }
}

describe('NodeRestriction admission', () => {
  let api: InProcessApi;
  let admin: Client;
  let n1: Client;
  let plugin: AdmissionPlugin;
  let n1Uid: string;
  let n2PodUid: string;

  const entry = (group: string, version: string, plural: string): ResourceEntry => api.api.registry.find(group, version, plural)!;

  /** Admission attributes of a request by `user` (default node n1). */
  function attrs(over: Partial<AdmissionAttributes> & { entry: ResourceEntry; operation: Operation }, user: UserInfo = n1User): AdmissionAttributes {
    return { subresource: '', namespace: 'default', name: '', object: {}, ctx: { user, dryRun: false, fieldManager: 'test', warnings: [], now: new Date() }, ...over };
  }

  function mirrorPod(name: string, over: { spec?: Partial<Pod['spec']>; ownerReferences?: unknown[]; annotations?: Record<string, string> } = {}): K<Pod> {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'default',
        annotations: over.annotations ?? mirrorAnnotation,
        ownerReferences: (over.ownerReferences ?? [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: n1Uid, controller: true }]) as never,
      },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }], ...over.spec },
    };
  }

  before(async () => {
    // AlwaysAllow: the Node authorizer would refuse some of these requests before admission.
    const server: InProcessApiOptions['server'] = { authorizationModes: ['AlwaysAllow'] };
    api = await startInProcessApi({ server });
    admin = api.client();
    n1 = api.client(n1User);
    plugin = nodeRestriction(api.api);
    const n1Node: K<Node> = await n1.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'small', team: 'a' } } });
    await admin.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } });
    const n2Pod = await admin.resource(resources.pods).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-n2', namespace: 'default' }, spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'busybox' }] } }, { namespace: 'default' });
    n1Uid = n1Node.metadata!.uid!;
    n2PodUid = n2Pod.metadata!.uid!;
  });

  after(async () => {
    await api?.close();
  });

  test('runs after ServiceAccount, before the webhooks, and may be disabled', () => {
    const names = defaultAdmissionPlugins({ ...api.api, store: api.store }).map((p) => p.name);
    assert.equal(names.indexOf('NodeRestriction'), names.indexOf('ServiceAccount') + 1);
    assert.ok(names.indexOf('NodeRestriction') < names.indexOf('MutatingAdmissionWebhook'));
    assert.equal(unknownAdmissionPlugins(['NodeRestriction']), undefined);
  });

  test('a node is system:node:<name> in the system:nodes group (upstream nodeidentifier)', () => {
    assert.equal(nodeIdentity(n1User), 'n1');
    assert.equal(nodeIdentity({ username: 'system:node:', groups: ['system:nodes'] }), '');
    assert.equal(nodeIdentity({ username: 'system:node:n1', groups: ['system:authenticated'] }), undefined);
    assert.equal(nodeIdentity({ username: 'n1', groups: ['system:nodes'] }), undefined);
  });

  test('other users pass, and a node user without a node name may write nothing', async () => {
    // Not in system:nodes: not a node, so not restricted.
    const notNode = api.client({ username: 'system:node:n1', groups: ['system:authenticated'] });
    await notNode.resource(resources.configMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-non-node', namespace: 'default' } }, { namespace: 'default' });
    const nameless = api.client({ username: 'system:node:', groups: ['system:nodes'] });
    await forbids(
      nameless.resource(resources.configMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } }, { namespace: 'default' }),
      'configmaps "cm" is forbidden: could not determine node from user "system:node:"',
    );
    // Resources outside the plugin's list pass for a node.
    await n1.resource(resources.configMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-node', namespace: 'default' } }, { namespace: 'default' });
  });

  describe('nodes', () => {
    test('only its own Node, created without configSource or restricted labels', async () => {
      const nodes = n1.resource(resources.nodes);
      await forbids(nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' } }), 'nodes "n3" is forbidden: node "n1" is not allowed to modify node "n3"');
      await forbids(nodes.patch('n2', { metadata: { labels: { a: 'b' } } }, { type: 'merge' }), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
      await forbids(nodes.patch('n2', { status: { phase: 'Running' } }, { type: 'merge', subresource: 'status' }), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
      await forbids(nodes.delete('n2'), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');

      // Creating its own Node again (after deleting it), as a kubelet re-registers.
      const n3 = api.client({ username: 'system:node:n3', groups: ['system:nodes'] }).resource(resources.nodes);
      await forbids(
        n3.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3', labels: { 'node-restriction.kubernetes.io/pool': 'a', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'n3', 'example.com/x': 'y' } } }),
        'nodes "n3" is forbidden: node "n3" is not allowed to set the following labels: node-restriction.kubernetes.io/pool, node-role.kubernetes.io/control-plane',
      );
      await forbids(
        n3.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' }, spec: { configSource: { configMap: { name: 'c', namespace: 'kube-system', kubeletConfigKey: 'kubelet' } } } }),
        'nodes "n3" is forbidden: node "n3" is not allowed to create pods with a non-nil configSource',
      );
      await n3.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3', labels: { 'kubelet.kubernetes.io/x': 'y', 'a.node.kubernetes.io/b': 'c', 'topology.kubernetes.io/zone': 'z' } } });
      await n3.delete('n3');
    });

    test('may not change taints nor restricted labels on update', async () => {
      const nodes = n1.resource(resources.nodes);
      await forbids(nodes.patch('n1', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }, { type: 'merge' }), 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
      await forbids(
        nodes.patch('n1', { metadata: { labels: { 'node-restriction.kubernetes.io/a': 'x', 'k8s.io/b': 'y', 'kubernetes.io/hostname': 'other' } } }, { type: 'merge' }),
        'nodes "n1" is forbidden: is not allowed to modify labels: k8s.io/b, node-restriction.kubernetes.io/a',
      );
      // Removing a restricted label counts as modifying it.
      await admin.resource(resources.nodes).patch('n1', { metadata: { labels: { 'node-role.kubernetes.io/worker': '' } }, spec: { taints: [{ key: 'admin', effect: 'NoSchedule' }] } }, { type: 'merge' });
      await forbids(nodes.patch('n1', { metadata: { labels: { 'node-role.kubernetes.io/worker': null } } }, { type: 'merge' }), 'nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker');
      await forbids(nodes.patch('n1', { spec: { taints: null } }, { type: 'merge' }), 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
      // Allowed labels and everything else.
      const updated = await nodes.patch('n1', { metadata: { labels: { 'kubernetes.io/hostname': 'n1-renamed', team: null, 'example.com/x': 'y' }, annotations: { a: 'b' } }, spec: { podCIDR: '10.244.1.0/24' } }, { type: 'merge' });
      assert.equal(updated.metadata?.labels?.['kubernetes.io/hostname'], 'n1-renamed');
      await nodes.patch('n1', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { type: 'merge', subresource: 'status' });
      await admin.resource(resources.nodes).patch('n1', { metadata: { labels: { 'node-role.kubernetes.io/worker': null } }, spec: { taints: null } }, { type: 'merge' });
    });

    test('the label rules: node-restriction.kubernetes.io and kubernetes.io / k8s.io labels outside the kubelet set', () => {
      const labels = ['a', 'example.com/a', 'kubernetes.io/hostname', 'kubernetes.io/os', 'beta.kubernetes.io/arch', 'node.kubernetes.io/instance-type', 'x.kubelet.kubernetes.io/y', 'node-role.kubernetes.io/master', 'foo.k8s.io/bar', 'kubernetes.io/foo', 'x.node-restriction.kubernetes.io/y', 'node-restriction.kubernetes.io/z'];
      assert.deepEqual(forbiddenLabels(new Set(labels)), ['foo.k8s.io/bar', 'kubernetes.io/foo', 'node-restriction.kubernetes.io/z', 'node-role.kubernetes.io/master', 'x.node-restriction.kubernetes.io/y']);
    });
  });

  describe('pods', () => {
    test('creates only mirror pods bound to itself and owned by its own Node', async () => {
      const pods = n1.resource(resources.pods);
      const create = (pod: K<Pod>) => pods.create(pod, { namespace: 'default' });
      const uid = n1Uid;
      const ref = { apiVersion: 'v1', kind: 'Node', name: 'n1', uid, controller: true };
      await forbids(create(mirrorPod('m', { annotations: {} })), 'pods "m" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
      await forbids(create(mirrorPod('m', { spec: { nodeName: 'n2' } })), 'pods "m" is forbidden: node "n1" can only create pods with spec.nodeName set to itself');
      await forbids(create(mirrorPod('m', { spec: { nodeName: undefined } })), 'pods "m" is forbidden: node "n1" can only create pods with spec.nodeName set to itself');
      await forbids(create(mirrorPod('m', { ownerReferences: [] })), 'pods "m" is forbidden: node "n1" can only create pods with an owner reference set to itself');
      await forbids(create(mirrorPod('m', { ownerReferences: [ref, { ...ref, name: 'n2', controller: false }] })), 'pods "m" is forbidden: node "n1" can only create pods with a single owner reference set to itself');
      await forbids(create(mirrorPod('m', { ownerReferences: [{ ...ref, name: 'n2' }] })), 'pods "m" is forbidden: node "n1" can only create pods with an owner reference set to itself');
      await forbids(create(mirrorPod('m', { ownerReferences: [{ ...ref, kind: 'Pod' }] })), 'pods "m" is forbidden: node "n1" can only create pods with an owner reference set to itself');
      await forbids(create(mirrorPod('m', { ownerReferences: [{ ...ref, controller: false }] })), 'pods "m" is forbidden: node "n1" can only create pods with a controller owner reference set to itself');
      await forbids(create(mirrorPod('m', { ownerReferences: [{ ...ref, blockOwnerDeletion: true }] })), 'pods "m" is forbidden: node "n1" must not set blockOwnerDeletion on an owner reference');
      await forbids(create(mirrorPod('m', { ownerReferences: [{ ...ref, uid: 'stale' }] })), `pods "m" is forbidden: node n1 UID mismatch: expected stale got ${uid}`);
      await forbids(
        create(mirrorPod('m', { spec: { volumes: [{ name: 'v', configMap: { name: 'cm' } }] } })),
        'pods "m" is forbidden: node "n1" can not create pods that reference configmaps',
      );
      await forbids(
        create(mirrorPod('m', { spec: { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }] } })),
        'pods "m" is forbidden: node "n1" can not create pods that reference configmaps',
      );
      await forbids(
        create(mirrorPod('m', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } })),
        'pods "m" is forbidden: node "n1" can not create pods that reference persistentvolumeclaims',
      );
      // Service accounts and secrets: the ServiceAccount plugin, before this one, refuses them first (as upstream).
      await forbids(create(mirrorPod('m', { spec: { serviceAccountName: 'default' } })), 'pods "m" is forbidden: a mirror pod may not reference service accounts');
      const created = await create(mirrorPod('m'));
      assert.equal(created.spec?.nodeName, 'n1');
    });

    test('a mirror pod of a node whose Node does not exist is refused as NotFound', async () => {
      const n9 = api.client({ username: 'system:node:n9', groups: ['system:nodes'] });
      const pod = mirrorPod('m9', { spec: { nodeName: 'n9' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n9', uid: 'u', controller: true }] });
      await assert.rejects(n9.resource(resources.pods).create(pod, { namespace: 'default' }), (err: { code?: number; message?: string }) => {
        assert.equal(err.code, 404);
        assert.equal(err.message, 'node "n9" not found');
        return true;
      });
    });

    test('refuses service account, secret and cluster trust bundle references itself', async () => {
      const pods = entry('', 'v1', 'pods');
      const check = async (pod: K<Pod>, message: string) => assert.equal((await refusal(plugin, attrs({ entry: pods, operation: 'CREATE', name: 'm', object: pod })))?.message, `pods "m" is forbidden: ${message}`);
      await check(mirrorPod('m', { spec: { serviceAccountName: 'default' } }), 'node "n1" can not create pods that reference a service account');
      await check(mirrorPod('m', { spec: { serviceAccount: 'default' } }), 'node "n1" can not create pods that reference a service account');
      await check(mirrorPod('m', { spec: { imagePullSecrets: [{ name: 'pull' }] } }), 'node "n1" can not create pods that reference secrets');
      await check(mirrorPod('m', { spec: { volumes: [{ name: 'v', secret: { secretName: 's' } }] } }), 'node "n1" can not create pods that reference secrets');
      await check(mirrorPod('m', { spec: { volumes: [{ name: 'v', csi: { driver: 'd', nodePublishSecretRef: { name: 's' } } }] } }), 'node "n1" can not create pods that reference secrets');
      await check(mirrorPod('m', { spec: { ephemeralContainers: [{ name: 'e', image: 'busybox', envFrom: [{ secretRef: { name: 's' } }] }] } }), 'node "n1" can not create pods that reference secrets');
      await check(mirrorPod('m', { spec: { initContainers: [{ name: 'i', image: 'busybox', envFrom: [{ configMapRef: { name: 'c' } }] }] } }), 'node "n1" can not create pods that reference configmaps');
      await check(mirrorPod('m', { spec: { volumes: [{ name: 'v', projected: { sources: [{ configMap: { name: 'c' } }] } }] } }), 'node "n1" can not create pods that reference configmaps');
      await check(mirrorPod('m', { spec: { volumes: [{ name: 'v', projected: { sources: [{ clusterTrustBundle: { name: 'b', path: 'ca.crt' } } as never] } }] } }), 'node "n1" can not create pods that reference clustertrustbundles');
      // Unnamed references are none (upstream skips empty names).
      assert.equal(await refusal(plugin, attrs({ entry: pods, operation: 'CREATE', name: 'm', object: mirrorPod('m', { spec: { imagePullSecrets: [{ name: '' }] } }) })), undefined);
    });

    test('deletes and updates the status of pods bound to itself only; no other write', async () => {
      const pods = n1.resource(resources.pods);
      await forbids(pods.delete('on-n2', { namespace: 'default' }), 'pods "on-n2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
      await forbids(pods.patch('on-n2', { status: { message: 'x' } }, { type: 'merge', subresource: 'status', namespace: 'default' }), 'pods "on-n2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
      await forbids(pods.patch('m', { metadata: { labels: { a: 'b' } } }, { type: 'merge', namespace: 'default' }), 'pods "m" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods');
      await admin.resource(resources.pods).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, { namespace: 'default' });
      await forbids(
        pods.createSubresource('unbound', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'unbound' }, target: { kind: 'Node', name: 'n1' } }, { namespace: 'default' }),
        `pods "unbound" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`,
      );
      await admin.resource(resources.pods).delete('unbound', { namespace: 'default', gracePeriodSeconds: 0 });
      const status = await pods.patch('m', { status: { message: 'running' } }, { type: 'merge', subresource: 'status', namespace: 'default' });
      assert.equal((status.status as { message?: string }).message, 'running');
      await pods.delete('m', { namespace: 'default', gracePeriodSeconds: 0 });
    });

    test('pods/status may not change labels nor resource claim statuses', async () => {
      const pods = entry('', 'v1', 'pods');
      const pod = mirrorPod('m');
      const old: K<Pod> = { ...pod, metadata: { ...pod.metadata, labels: { a: 'b' } }, status: { resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'm-gpu' }] } };
      const update = (object: K<Pod>) => refusal(plugin, attrs({ entry: pods, operation: 'UPDATE', subresource: 'status', name: 'm', object, oldObject: old }));
      assert.equal((await update({ ...old, metadata: { ...old.metadata, labels: { a: 'c' } } }))?.message, 'pods "m" is forbidden: node "n1" cannot update labels through pod status');
      assert.equal((await update({ ...old, status: { resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'other' }] } }))?.message, 'pods "m" is forbidden: node "n1" cannot update resource claim statues');
      assert.equal((await update({ ...old, status: { phase: 'Running', resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'm-gpu' }] } })), undefined);
    });

    test('pods/eviction only of pods bound to itself', async () => {
      const pods = entry('', 'v1', 'pods');
      const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
      const evict = (over: Partial<AdmissionAttributes>) => refusal(plugin, attrs({ entry: pods, operation: 'CREATE', subresource: 'eviction', ...over }));
      assert.equal((await evict({ name: 'on-n2', object: eviction('on-n2') }))?.message, 'pods "on-n2" is forbidden: node n1 can only evict pods with spec.nodeName set to itself');
      // The Eviction's name when the request names no pod.
      assert.equal((await evict({ object: eviction('on-n2') }))?.message, 'pods "on-n2" is forbidden: node n1 can only evict pods with spec.nodeName set to itself');
      assert.equal((await evict({ object: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: {} } }))?.message, 'pods "Unknown" is forbidden: could not determine pod from request data');
      const missing = await evict({ name: 'gone', object: eviction('gone') });
      assert.equal(missing?.code, 404);
      assert.equal(missing?.message, 'pod "gone" not found');
      assert.equal((await evict({ operation: 'UPDATE', name: 'on-n2', object: eviction('on-n2') }))?.message, 'pods "on-n2" is forbidden: unexpected operation UPDATE');
      const own = await admin.resource(resources.pods).create(mirrorPod('own'), { namespace: 'default' });
      assert.equal(await evict({ name: 'own', object: eviction('own') }), undefined);
      await admin.resource(resources.pods).delete(own.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 });
    });
  });

  test('serviceaccounts/token only for a pod scheduled on itself, named by uid', async () => {
    const accounts = entry('', 'v1', 'serviceaccounts');
    const own = await admin.resource(resources.pods).create(mirrorPod('token-owner'), { namespace: 'default' });
    const token = (ref: Record<string, string> | null) => refusal(plugin, attrs({ entry: accounts, operation: 'CREATE', subresource: 'token', name: 'default', object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['a'], boundObjectRef: ref } } }));
    const pod = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'Pod', name, uid });
    const prefix = 'serviceaccounts "default" is forbidden: ';
    assert.equal((await token(null))?.message, `${prefix}node requested token not bound to a pod`);
    assert.equal((await token({ apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u' }))?.message, `${prefix}node requested token not bound to a pod`);
    assert.equal((await token({ kind: 'Pod', name: 'token-owner', uid: 'u' }))?.message, `${prefix}node requested token not bound to a pod`);
    assert.equal((await token({ apiVersion: 'v1', kind: 'Pod', name: 'token-owner' }))?.message, `${prefix}node requested token with a pod binding without a uid`);
    assert.equal((await token(pod('token-owner', 'stale')))?.message, `${prefix}the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated`);
    assert.equal((await token(pod('on-n2', n2PodUid)))?.message, `${prefix}node requested token bound to a pod scheduled on a different node`);
    assert.equal((await token(pod('gone', 'u')))?.message, 'pod "gone" not found');
    assert.equal(await token(pod('token-owner', own.metadata!.uid!)), undefined);
    // Other writes to service accounts are not this plugin's.
    assert.equal(await refusal(plugin, attrs({ entry: accounts, operation: 'CREATE', name: 'sa', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } } })), undefined);
    await admin.resource(resources.pods).delete('token-owner', { namespace: 'default', gracePeriodSeconds: 0 });
  });

  test('leases: only its own, in kube-node-lease', async () => {
    const leases = n1.resource(resources.leases);
    const lease = (name: string, namespace: string) => ({ apiVersion: 'coordination.k8s.io/v1' as const, kind: 'Lease' as const, metadata: { name, namespace }, spec: { holderIdentity: name } });
    await forbids(leases.create(lease('n1', 'default'), { namespace: 'default' }), 'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace');
    await forbids(leases.create(lease('n2', 'kube-node-lease'), { namespace: 'kube-node-lease' }), 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    await admin.resource(resources.leases).create(lease('n2', 'kube-node-lease'), { namespace: 'kube-node-lease' });
    await forbids(leases.patch('n2', { spec: { holderIdentity: 'n1' } }, { type: 'merge', namespace: 'kube-node-lease' }), 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    await forbids(leases.delete('n2', { namespace: 'kube-node-lease' }), 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    await leases.create(lease('n1', 'kube-node-lease'), { namespace: 'kube-node-lease' });
    await leases.patch('n1', { spec: { renewTime: '2026-01-01T00:00:00.000000Z' } }, { type: 'merge', namespace: 'kube-node-lease' });
    await leases.delete('n1', { namespace: 'kube-node-lease' });
  });

  test('persistentvolumeclaims: only status.capacity, conditions and the expansion fields', async () => {
    const claims = n1.resource(resources.persistentVolumeClaims);
    const claim: K<PersistentVolumeClaim> = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    await forbids(claims.create(claim, { namespace: 'default' }), 'persistentvolumeclaims "data" is forbidden: may only update PVC status');
    await admin.resource(resources.persistentVolumeClaims).create(claim, { namespace: 'default' });
    await forbids(claims.patch('data', { metadata: { labels: { a: 'b' } } }, { type: 'merge', namespace: 'default' }), 'persistentvolumeclaims "data" is forbidden: may only update PVC status');
    await forbids(claims.delete('data', { namespace: 'default' }), 'persistentvolumeclaims "data" is forbidden: may only update PVC status');
    const updated = await claims.patch('data', { status: { capacity: { storage: '2Gi' }, conditions: [{ type: 'Resizing', status: 'True' }] } }, { type: 'merge', subresource: 'status', namespace: 'default' });
    assert.equal(updated.status?.capacity?.storage, '2Gi');
    // A status write that changes anything else.
    const pvcs = entry('', 'v1', 'persistentvolumeclaims');
    const old = { ...claim, metadata: { ...claim.metadata, resourceVersion: '5' }, status: { phase: 'Bound' } } as KubeObject;
    const next = { ...claim, metadata: { ...claim.metadata, resourceVersion: '6', labels: { a: 'b' } }, status: { phase: 'Lost', capacity: { storage: '2Gi' }, allocatedResources: { storage: '2Gi' } } } as KubeObject;
    const err = await refusal(plugin, attrs({ entry: pvcs, operation: 'UPDATE', subresource: 'status', name: 'data', object: next, oldObject: old }));
    assert.equal(err?.message, 'persistentvolumeclaims "data" is forbidden: node "n1" is not allowed to update fields other than status.quantity and status.conditions: +metadata.labels: {"a":"b"}\n-status.phase: "Bound"\n+status.phase: "Lost"');
    const onlyReported = { ...old, metadata: { ...old.metadata, resourceVersion: '6' }, status: { phase: 'Bound', capacity: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } } } as KubeObject;
    assert.equal(await refusal(plugin, attrs({ entry: pvcs, operation: 'UPDATE', subresource: 'status', name: 'data', object: onlyReported, oldObject: old })), undefined);
  });

  test('csinodes: only its own', async () => {
    const nodes = n1.resource(csinodes);
    await forbids(nodes.create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'n2' }, spec: { drivers: [] } }), 'csinodes.storage.k8s.io "n2" is forbidden: can only access CSINode with the same name as the requesting node');
    await nodes.create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'n1' }, spec: { drivers: [] } });
    await admin.resource(csinodes).create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'n2' }, spec: { drivers: [] } });
    await forbids(nodes.delete('n2'), 'csinodes.storage.k8s.io "n2" is forbidden: can only access CSINode with the same name as the requesting node');
    await nodes.delete('n1');
  });

  test('resourceslices: create and delete only its own', async () => {
    // resource.k8s.io is not served yet: the plugin on its own, with the resource's coordinates.
    const slices = { type: { group: 'resource.k8s.io', version: 'v1beta1', plural: 'resourceslices', kind: 'ResourceSlice', namespaced: false }, gr: { group: 'resource.k8s.io', resource: 'resourceslices' } } as unknown as ResourceEntry;
    const slice = (nodeName: string) => ({ apiVersion: 'resource.k8s.io/v1beta1', kind: 'ResourceSlice', metadata: { name: 's' }, spec: { nodeName, driver: 'd', pool: { name: 'p', resourceSliceCount: 1, generation: 0 } } });
    const check = (over: Partial<AdmissionAttributes> & { operation: Operation }) => refusal(plugin, attrs({ entry: slices, namespace: '', name: 's', object: slice('n2'), ...over }));
    assert.equal((await check({ operation: 'CREATE' }))?.message, 'resourceslices.resource.k8s.io "s" is forbidden: can only create ResourceSlice with the same NodeName as the requesting node');
    assert.equal((await check({ operation: 'DELETE', oldObject: slice('n2') }))?.message, 'resourceslices.resource.k8s.io "s" is forbidden: can only delete ResourceSlice with the same NodeName as the requesting node');
    assert.equal(await check({ operation: 'CREATE', object: slice('n1') }), undefined);
    assert.equal(await check({ operation: 'DELETE', object: slice('n1'), oldObject: slice('n1') }), undefined);
    // Updates are the Node authorizer's to judge.
    assert.equal(await check({ operation: 'UPDATE', oldObject: slice('n2') }), undefined);
  });

  test('certificatesigningrequests for the kubelet signers only with CN=system:node:<itself>', async () => {
    const requests = n1.resource(csrs);
    const keys = await generateKeyPair();
    const csr = async (name: string, signerName: string, cn: string) => ({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(await nodeClientRequest(keys, cn)).toString('base64'), signerName, usages: ['digital signature', 'client auth'] },
    });
    await forbids(requests.create(await csr('other', 'kubernetes.io/kube-apiserver-client-kubelet', 'n2')), 'certificatesigningrequests.certificates.k8s.io "other" is forbidden: can only create a node CSR with CN=system:node:n1');
    await forbids(requests.create(await csr('serving', 'kubernetes.io/kubelet-serving', 'n2')), 'certificatesigningrequests.certificates.k8s.io "serving" is forbidden: can only create a node CSR with CN=system:node:n1');
    await requests.create(await csr('own', 'kubernetes.io/kube-apiserver-client-kubelet', 'n1'));
    // Other signers are the signer's business.
    await requests.create(await csr('custom', 'example.com/signer', 'n2'));
    const garbage = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'garbage' }, spec: { request: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64'), signerName: 'kubernetes.io/kubelet-serving', usages: ['server auth'] } };
    await forbids(requests.create(garbage), 'certificatesigningrequests.certificates.k8s.io "garbage" is forbidden: unable to parse csr: PEM block type must be CERTIFICATE REQUEST');
  });
});
