// The agent's credential life cycle against a real HTTPS API server with csrapproving and
// csrsigning: TLS bootstrap with a token and a CA pin writes a kubeconfig with a node client
// certificate; that kubeconfig is reused; past 80 % of its lifetime the certificate is renewed
// with itself (selfnodeclient approval).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { bootstrapCredentials, renewCredentials, savedCredentials } from '../../../src/kubelet/bootstrap/credentials.js';
import { caCertHash } from '../../../src/auth/bootstrap/ca-hash.js';
import { newTokenSecret } from '../../../src/auth/bootstrap/token.js';
import { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { SELF_NODE_CLIENT_MESSAGE, NODE_CLIENT_MESSAGE } from '../../../src/controllers/certificates/index.js';

let cluster: TestCluster;
let dataDir: string;

before(async () => {
  cluster = await startTestCluster({ controllers: ['csrapproving', 'csrsigning'] });
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-agent-creds-'));
  const created = await cluster.request('POST', '/api/v1/namespaces/kube-system/secrets', {
    body: JSON.stringify(newTokenSecret({ token: { id: 'credsx', secret: '0123456789abcdef' }, ttlMs: 3_600_000 })),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(created.status, 201, created.body);
});

after(async () => {
  await cluster.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function approvalMessage(name: string): Promise<string | undefined> {
  const r = await cluster.request('GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`);
  return (r.json() as { status?: { conditions?: { type: string; message?: string }[] } }).status?.conditions?.find((c) => c.type === 'Approved')?.message;
}

test('bootstrap, reuse, and renewal of the node client certificate', async () => {
  assert.deepEqual(savedCredentials(dataDir, cluster.url), { reason: 'no saved credentials' });
  const config = await bootstrapCredentials({
    server: cluster.url,
    token: 'credsx.0123456789abcdef',
    nodeName: 'creds-node',
    dataDir,
    ca: { pins: [caCertHash(cluster.server.pki.caCertPem)] },
    timeoutMs: 10_000,
  });
  const first = new X509Certificate(config.cert!);
  assert.equal(first.subject, 'CN=system:node:creds-node\nO=system:nodes');

  const saved = savedCredentials(dataDir, cluster.url);
  assert.ok('config' in saved && !saved.renewDue);
  assert.match((savedCredentials(dataDir, 'https://elsewhere:6443') as { reason: string }).reason, /saved credentials are for/);
  assert.ok('config' in savedCredentials(dataDir, cluster.url, Date.now(), 'creds-node'));
  assert.match((savedCredentials(dataDir, cluster.url, Date.now(), 'other-node') as { reason: string }).reason, /is for CN=system:node:creds-node/);
  const lifetime = Date.parse(first.validTo) - Date.parse(first.validFrom);
  const late = savedCredentials(dataDir, cluster.url, Date.parse(first.validFrom) + 0.85 * lifetime);
  assert.ok('config' in late && late.renewDue, 'due for renewal past 80 % of its lifetime');
  assert.match((savedCredentials(dataDir, cluster.url, Date.parse(first.validTo) - 60_000) as { reason: string }).reason, /expires/);

  // The certificate authenticates the node (which may read its own Node only).
  const client = Client.fromConfig(saved.config);
  try {
    await client.resource(resources.nodes).list({ fieldSelector: 'metadata.name=creds-node' });
  } finally {
    await client.close();
  }

  const renewed = await renewCredentials(saved.config, { nodeName: 'creds-node', dataDir, timeoutMs: 10_000 });
  const second = new X509Certificate(renewed.cert!);
  assert.notEqual(second.serialNumber, first.serialNumber);
  assert.equal(second.subject, first.subject);
  const again = savedCredentials(dataDir, cluster.url);
  assert.ok('config' in again && again.config.cert === renewed.cert, 'the renewed certificate is what the data dir holds');

  const csrs = (await cluster.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests')).json() as { items: { metadata: { name: string } }[] };
  const messages = await Promise.all(csrs.items.map((c) => approvalMessage(c.metadata.name)));
  assert.deepEqual(messages.sort(), [NODE_CLIENT_MESSAGE, SELF_NODE_CLIENT_MESSAGE].sort());
});
