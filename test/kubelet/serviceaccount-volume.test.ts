// The service account volume the whole way: the ServiceAccount admission plugin adds
// kube-api-access-xxxxx, the serviceaccounts controller and the root CA publisher provide the
// account and kube-root-ca.crt, the node agent projects token/ca.crt/namespace into the pod, and
// the container's process reads them at /var/run/secrets/kubernetes.io/serviceaccount and calls
// the API server over HTTPS with that CA and token, as an in-cluster client would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';
import { waitForPod } from './agent-helpers.js';

// Runs inside the container: prints what it read and what the API server said about it.
const inClusterClient = `
const fs = require('fs');
const https = require('https');
const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
const token = fs.readFileSync(dir + '/token', 'utf8');
const ca = fs.readFileSync(dir + '/ca.crt', 'utf8');
const ns = fs.readFileSync(dir + '/namespace', 'utf8');
const url = new URL('/api/v1/namespaces/' + ns + '/pods/' + process.env.POD_NAME, process.env.API_URL);
https.get(url, { ca, headers: { Authorization: 'Bearer ' + token } }, (res) => {
  let body = '';
  res.on('data', (d) => (body += d));
  res.on('end', () => {
    console.log(JSON.stringify({ ns, status: res.statusCode, name: JSON.parse(body).metadata?.name }));
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
}).on('error', (err) => { console.log(JSON.stringify({ ns, error: err.message })); process.exit(1); });
`;

describe('the kube-api-access volume in a running pod', () => {
  let nc: NodeCluster;

  before(async () => {
    nc = await startNodeCluster({ nodeName: 'sa-node' });
  });
  after(async () => {
    await nc?.close();
  });

  it('gives the container a token, the CA and its namespace that work against the API server', async () => {
    const ns = 'sa-volume';
    await nc.client.resource(resources.namespaces).create({ metadata: { name: ns } });
    // As in any RBAC cluster, the pod's service account may read its pod only once granted.
    await nc.client.resource(resources.roles, ns).create({ metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    await nc.client.resource(resources.roleBindings, ns).create({ metadata: { name: 'default-reads-pods' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }] });
    const pod: Pod & KubeObject = {
      metadata: { name: 'reader', namespace: ns },
      spec: {
        nodeName: 'sa-node',
        restartPolicy: 'Never',
        containers: [
          {
            name: 'reader',
            image: 'node',
            command: ['node', '-e', inClusterClient],
            env: [
              { name: 'API_URL', value: nc.cluster.url },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
          },
        ],
      },
    };
    const created = await nc.client.resource(resources.pods, ns).create(pod);
    assert.match(created.spec!.volumes![0]!.name, /^kube-api-access-/);
    const done = await waitForPod(nc.client, ns, 'reader', (p) => p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed', 30_000);
    const logs = await nc.cluster.kubectlOk(['logs', 'reader', '-n', ns]);
    assert.equal(done?.status?.phase, 'Succeeded', `container output: ${logs}`);
    assert.deepEqual(JSON.parse(logs.trim()), { ns, status: 200, name: 'reader' });
  });
});
