// The CA pin (kubeadm's --discovery-token-ca-cert-hash) and CA discovery from the chain a TLS
// server presents: the pin matches what openssl computes as kubeadm documents, and a CA is taken
// only when it signed the serving certificate and matches a pin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '../../../src/auth/pki/keys.js';
import { createCa, issueLeaf } from '../../../src/auth/pki/issue.js';
import { caCertHash, parseCaCertHash } from '../../../src/auth/bootstrap/ca-hash.js';
import { discoverCa, pickCa } from '../../../src/kubelet/bootstrap/discover-ca.js';

async function pki() {
  const caKeys = await generateKeyPair();
  const caPem = await createCa(caKeys, { commonName: 'ca' }, 30);
  const leafKeys = await generateKeyPair();
  const leafPem = await issueLeaf({ certPem: caPem, keys: caKeys }, leafKeys, { subject: { commonName: 'server' }, usage: 'server', validityDays: 10, ips: ['127.0.0.1'] });
  return { caPem, leafPem, leafKeyPem: leafKeys.privateKeyPem };
}

test('the pin is sha256 of the DER SubjectPublicKeyInfo, as `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum`', async () => {
  const { caPem } = await pki();
  const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: caPem });
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
  const hex = execFileSync('sha256sum', { input: der }).toString().split(' ')[0];
  assert.equal(caCertHash(caPem), `sha256:${hex}`);
});

test('pins are parsed case-insensitively; other formats are refused with the expected form', () => {
  assert.equal(parseCaCertHash(`sha256:${'AB'.repeat(32)}`), `sha256:${'ab'.repeat(32)}`);
  assert.throws(() => parseCaCertHash('md5:abc'), /expected "sha256:" and 64 hex digits/);
});

test('pickCa takes the CA that signed the leaf when it matches a pin, and refuses otherwise', async () => {
  const { caPem, leafPem } = await pki();
  const other = await pki();
  const chain = [new X509Certificate(leafPem), new X509Certificate(caPem)];
  assert.equal(pickCa(chain, [caCertHash(caPem)]).hash, caCertHash(caPem));
  assert.throws(() => pickCa(chain, [caCertHash(other.caPem)]), /does not match --ca-cert-hash/);
  // A matching CA that did not sign the leaf proves nothing.
  assert.throws(() => pickCa([new X509Certificate(leafPem), new X509Certificate(other.caPem)], [caCertHash(other.caPem)]), /did not send the CA that signed/);
  assert.throws(() => pickCa([new X509Certificate(leafPem)], [caCertHash(caPem)]), /did not send the CA/);
  // Insecure discovery: no pins, the CA that signed the leaf.
  assert.equal(pickCa(chain, undefined).caPem.trim(), new X509Certificate(caPem).toString().trim());
});

test('discoverCa reads the chain of a live TLS server without verifying it first', async () => {
  const { caPem, leafPem, leafKeyPem } = await pki();
  const server = createServer({ cert: leafPem + caPem, key: leafKeyPem }, (_q, s) => s.end('x'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const found = await discoverCa(url, [caCertHash(caPem)]);
    assert.equal(found.hash, caCertHash(caPem));
  } finally {
    server.close();
  }
});
