// The Node authorizer through a real API server: a node reads only the secrets, config maps,
// claims and volumes of pods bound to it, requests tokens only for their service accounts, keeps
// only its own lease; the rest of what it may do is the system:node rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { ApiError } from '../../src/client/rest/errors.js';

let h: InProcessApi;
let admin: Client;
let n1: Client;
let n2: Client;
const node = (name: string) => ({ username: `system:node:${name}`, groups: ['system:nodes'] });

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 403, err.message);
    return err.message;
  }
  assert.fail('the request was allowed');
}

const pod = (name: string, nodeName: string, extra: Partial<Pod['spec']> = {}): Pod & KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox', envFrom: [{ configMapRef: { name: 'env-cm' } }] }], volumes: [{ name: 's', secret: { secretName: 'mounted' } }, { name: 'data', persistentVolumeClaim: { claimName: 'claim' } }], ...extra },
});

before(async () => {
  h = await startInProcessApi();
  admin = h.client();
  n1 = h.client(node('n1'));
  n2 = h.client(node('n2'));
  await admin.resource(resources.namespaces).create({ metadata: { name: 'ns' } });
  for (const name of ['mounted', 'unrelated']) await admin.resource(resources.secrets, 'ns').create({ metadata: { name }, stringData: { k: 'v' } });
  await admin.resource(resources.configMaps, 'ns').create({ metadata: { name: 'env-cm' }, data: { k: 'v' } });
  await admin.resource(resources.persistentVolumes).create({ metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv1' } } });
  await admin.resource(resources.persistentVolumeClaims, 'ns').create({ metadata: { name: 'claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv1' } });
  // The graph is built at a node's first request: make one before the pod exists, so the pod's
  // binding reaches it as an event.
  await refusal(n1.resource(resources.secrets, 'ns').get('mounted'));
  await admin.resource(resources.pods, 'ns').create(pod('web', 'n1'));
});
after(async () => {
  await h?.close();
});

describe('Node authorizer', () => {
  test('a node reads the secrets and config maps of its own pods, by get and by a one-name list or watch', async () => {
    assert.equal((await n1.resource(resources.secrets, 'ns').get('mounted')).metadata?.name, 'mounted');
    assert.equal((await n1.resource(resources.configMaps, 'ns').get('env-cm')).metadata?.name, 'env-cm');
    const list = await n1.resource(resources.secrets, 'ns').list({ fieldSelector: 'metadata.name=mounted' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['mounted']);
  });

  test('anything else is refused with upstream reasons', async () => {
    assert.match(await refusal(n1.resource(resources.secrets, 'ns').get('unrelated')), /secrets "unrelated" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "ns": no relationship found between node 'n1' and this object/);
    assert.match(await refusal(n2.resource(resources.secrets, 'ns').get('mounted')), /no relationship found between node 'n2' and this object/);
    assert.match(await refusal(n1.resource(resources.secrets, 'ns').list()), /cannot list resource "secrets" in API group "" in the namespace "ns": No Object name found/);
    assert.match(await refusal(n1.resource(resources.secrets, 'ns').delete('mounted')), /can only read resources of this type/);
  });

  test('claims and volumes follow the pod: node ← pod ← claim ← volume', async () => {
    assert.equal((await n1.resource(resources.persistentVolumeClaims, 'ns').get('claim')).metadata?.name, 'claim');
    assert.equal((await n1.resource(resources.persistentVolumes).get('pv1')).metadata?.name, 'pv1');
    assert.match(await refusal(n2.resource(resources.persistentVolumes).get('pv1')), /no relationship found between node 'n2'/);
    assert.match(await refusal(n1.resource(resources.persistentVolumeClaims, 'ns').list()), /can only get individual resources of this type/);
  });

  test('a node requests tokens only for the service accounts of its pods, bound to such a pod (NodeRestriction)', async () => {
    const web = await admin.resource(resources.pods, 'ns').get('web');
    const request = (boundObjectRef?: object) => JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['api'], boundObjectRef } });
    const path = '/api/v1/namespaces/ns/serviceaccounts/default/token';
    const bound = { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: web.metadata?.uid };
    const ok = await n1.requestJSON<{ status: { token: string } }>({ method: 'POST', path, body: request(bound) });
    assert.ok(ok.status.token);
    assert.match(await refusal(n2.requestJSON({ method: 'POST', path, body: request(bound) })), /serviceaccounts "default" is forbidden: .*no relationship found between node 'n2' and this object/);
    assert.match(await refusal(n1.requestJSON({ method: 'POST', path, body: request() })), /serviceaccounts "default" is forbidden: node requested token not bound to a pod/);
    assert.match(await refusal(n1.requestJSON({ method: 'POST', path, body: request({ ...bound, uid: 'stale' }) })), /the UID in the bound object reference \(stale\) does not match the UID in record/);
  });

  test('a node evicts only the pods bound to it (NodeRestriction on pods/eviction)', async () => {
    await admin.resource(resources.pods, 'ns').create(pod('elsewhere', 'n2', { volumes: [] }));
    const evict = (client: Client, name: string) => client.requestJSON({ method: 'POST', path: `/api/v1/namespaces/ns/pods/${name}/eviction`, body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'ns' } }) });
    assert.match(await refusal(evict(n1, 'elsewhere')), /pods "elsewhere" is forbidden: node n1 can only evict pods with spec.nodeName set to itself/);
    await evict(n2, 'elsewhere');
  });

  test('a pod moving away, or deleted, takes the node\'s access with it', async () => {
    await admin.resource(resources.pods, 'ns').create(pod('later', 'n2', { volumes: [{ name: 's', secret: { secretName: 'unrelated' } }] }));
    assert.equal((await n2.resource(resources.secrets, 'ns').get('unrelated')).metadata?.name, 'unrelated');
    await admin.resource(resources.pods, 'ns').delete('later', { gracePeriodSeconds: 0 });
    assert.match(await refusal(n2.resource(resources.secrets, 'ns').get('unrelated')), /no relationship found/);
  });

  test('a node keeps only its own lease, in kube-node-lease', async () => {
    const leases = n1.resource(resources.leases, 'kube-node-lease');
    await leases.create({ metadata: { name: 'n1' }, spec: { holderIdentity: 'n1' } });
    assert.equal((await leases.get('n1')).spec?.holderIdentity, 'n1');
    assert.match(await refusal(n2.resource(resources.leases, 'kube-node-lease').get('n1')), /can only access node lease with the same name as the requesting node/);
    assert.match(await refusal(n1.resource(resources.leases, 'default').get('n1')), /can only access leases in the "kube-node-lease" system namespace/);
  });

  test('a node lists and watches only its own pods, and reads only its own Node (AuthorizeNodeWithSelectors)', async () => {
    const mine = await n1.resource(resources.pods).list({ fieldSelector: 'spec.nodeName=n1' });
    assert.deepEqual(mine.items.map((p) => p.metadata?.name), ['web']);
    assert.match(await refusal(n1.resource(resources.pods).list()), /pods is forbidden: User "system:node:n1" cannot list resource "pods" in API group "" at the cluster scope: can only list\/watch pods with spec.nodeName field selector/);
    assert.match(await refusal(n1.resource(resources.pods).list({ fieldSelector: 'spec.nodeName=n2' })), /can only list\/watch pods with spec.nodeName field selector/);
    assert.equal((await n1.resource(resources.pods, 'ns').get('web')).metadata?.name, 'web');
    assert.match(await refusal(n2.resource(resources.pods, 'ns').get('web')), /no relationship found between node 'n2' and this object/);
    await admin.resource(resources.nodes).create({ metadata: { name: 'n1' } });
    assert.equal((await n1.resource(resources.nodes).get('n1')).metadata?.name, 'n1');
    assert.deepEqual((await n1.resource(resources.nodes).list({ fieldSelector: 'metadata.name=n1' })).items.map((n) => n.metadata?.name), ['n1']);
    assert.match(await refusal(n2.resource(resources.nodes).get('n1')), /node 'n2' cannot read 'n1', only its own Node object/);
    assert.match(await refusal(n1.resource(resources.nodes).list()), /node 'n1' cannot read all nodes, only its own Node object/);
  });

  test('the rest is the node rules: services readable, deployments not', async () => {
    assert.ok(await n1.resource(resources.services).list());
    assert.match(await refusal(n1.resource(resources.deployments, 'ns').list()), /deployments\.apps is forbidden: User "system:node:n1" cannot list resource "deployments" in API group "apps" in the namespace "ns"/);
  });

  test('a user named like a node but not in system:nodes is not a node', async () => {
    const impostor = h.client({ username: 'system:node:n1', groups: [] });
    assert.match(await refusal(impostor.resource(resources.secrets, 'ns').get('mounted')), /User "system:node:n1" cannot get resource "secrets"/);
  });
});
