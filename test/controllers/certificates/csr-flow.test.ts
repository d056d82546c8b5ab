// TLS bootstrap's server half against the real API server in-process: a node agent's CSR (made by
// the agent's own code, as a bootstrap-token user) is auto-approved by csrapproving and signed by
// csrsigning with the cluster CA; requests that are not kubelet client certificates are left alone
// or refused as upstream does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startControllers, waitForObject, type ControllerRig } from '../../helpers/controllers.js';
import { csrApprovingController, csrSigningController, certificateSigningRequests, updateApproval, NODE_CLIENT_MESSAGE, type CSR } from '../../../src/controllers/certificates/index.js';
import { requestClientCertificate, nodeClientRequest } from '../../../src/kubelet/bootstrap/tls-bootstrap.js';
import { generateKeyPair } from '../../../src/auth/pki/keys.js';
import { createCa } from '../../../src/auth/pki/issue.js';
import { x509 } from '../../../src/auth/pki/x509.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';

let rig: ControllerRig;
let caPem: string;

before(async () => {
  const keys = await generateKeyPair();
  caPem = await createCa(keys, { commonName: 'test-ca' }, 30);
  rig = await startControllers([csrApprovingController, csrSigningController({ caCertPem: caPem, caKeyPem: keys.privateKeyPem })]);
});

after(async () => {
  await rig.close();
});

const bootstrapUser = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] };

async function requestPem(cn: string, o: string[], sans: { type: 'dns' | 'ip'; value: string }[] = []): Promise<string> {
  const keys = await generateKeyPair();
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [cn] }, ...o.map((org) => ({ O: [org] }))],
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
    signingAlgorithm: keys.signingAlgorithm,
    extensions: sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  return req.toString('pem');
}

function csr(name: string, pem: string, spec: Partial<CSR['spec']>): CSR {
  return { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...spec } };
}

test('a node agent bootstrapping with a token gets a client certificate for system:node:<name>, approved and signed by the controllers', async () => {
  const client = rig.api.client(bootstrapUser);
  const issued = await requestClientCertificate({ client, nodeName: 'worker-1', timeoutMs: 10_000 });
  const cert = new X509Certificate(issued.certPem);
  assert.equal(cert.subject, 'CN=system:node:worker-1\nO=system:nodes');
  assert.ok(cert.checkIssued(new X509Certificate(caPem)) && cert.verify(new X509Certificate(caPem).publicKey), 'signed by the cluster CA');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'client auth only');
  const stored = await rig.client.resource(certificateSigningRequests).get(issued.csrName);
  const approved = stored.status?.conditions?.find((c) => c.type === 'Approved');
  assert.equal(approved?.reason, 'AutoApproved');
  assert.equal(approved?.message, NODE_CLIENT_MESSAGE);
  assert.match(issued.csrName, /^node-csr-/);
});

test('a CSR from a user who is neither a bootstrapper nor the node itself is not auto-approved', async () => {
  const name = 'alice-wants-node';
  // alice may create CSRs (as system:node-bootstrapper grants) but not have them auto-approved
  // (the SubjectAccessReview for certificatesigningrequests/nodeclient says no).
  await rig.client.resource(resources.clusterRoleBindings).create({ metadata: { name: 'alice-requests-certificates' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-bootstrapper' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] });
  // The API server records the requester (alice) in spec.username, whatever the body says.
  await rig.api.client({ username: 'alice', groups: ['devs'] }).resource(certificateSigningRequests).create(csr(name, await requestPem('system:node:worker-2', ['system:nodes']), { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] }));
  // The approver's queue is first in, first out: once a CSR created later has been approved,
  // this one has been handled (and left alone).
  await requestClientCertificate({ client: rig.api.client(bootstrapUser), nodeName: 'worker-3', timeoutMs: 10_000 });
  const stored = await rig.client.resource(certificateSigningRequests).get(name);
  assert.equal(stored.spec.username, 'alice');
  assert.deepEqual(stored.status?.conditions ?? [], []);
});

test('an approved kubelet-client CSR with the wrong organization fails with SignerValidationFailure', async () => {
  const name = 'wrong-org';
  const created = await rig.client.resource(certificateSigningRequests).create(csr(name, await requestPem('system:node:worker-4', ['admins']), { username: bootstrapUser.username, groups: bootstrapUser.groups }));
  const now = new Date().toISOString();
  await updateApproval(rig.client, { ...created, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Manual', message: 'test', lastUpdateTime: now }] } });
  const failed = await waitForObject(rig.client.resource(certificateSigningRequests), undefined, name, (c) => !!c?.status?.conditions?.some((x) => x.type === 'Failed'), 'the Failed condition');
  const cond = failed!.status!.conditions!.find((x) => x.type === 'Failed')!;
  assert.equal(cond.reason, 'SignerValidationFailure');
  assert.equal(cond.message, 'subject organization is not system:nodes');
  assert.equal(failed!.status?.certificate, undefined);
});

test('kube-apiserver-client requests are signed once approved, for expirationSeconds when shorter than a year', async () => {
  const name = 'short-lived';
  const created = await rig.client.resource(certificateSigningRequests).create(
    csr(name, await requestPem('jane', ['devs']), { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth', 'digital signature'], expirationSeconds: 3600, username: 'jane' }),
  );
  const now = new Date().toISOString();
  await updateApproval(rig.client, { ...created, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Manual', message: 'ok', lastUpdateTime: now }] } });
  const issued = await waitForObject(rig.client.resource(certificateSigningRequests), undefined, name, (c) => !!c?.status?.certificate, 'the certificate');
  const cert = new X509Certificate(Buffer.from(issued!.status!.certificate!, 'base64'));
  assert.equal(cert.subject, 'CN=jane\nO=devs');
  const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
  // One hour plus the five minutes of backdating (second precision).
  assert.ok(Math.abs(lifetime - 65 * 60_000) <= 2000, `lifetime ${lifetime} ms`);
});

test('a nodeClientRequest carries exactly the subject the approver requires', async () => {
  const pem = await nodeClientRequest(await generateKeyPair(), 'n1');
  const req = new x509.Pkcs10CertificateRequest(pem);
  assert.equal(req.subject, 'CN=system:node:n1, O=system:nodes');
  assert.ok(await req.verify());
});
