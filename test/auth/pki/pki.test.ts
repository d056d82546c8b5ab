import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, type Pki } from '../../../src/auth/pki/pki.js';
import { createCa, issueLeaf } from '../../../src/auth/pki/issue.js';
import { generateKeyPair, loadKeyPair } from '../../../src/auth/pki/keys.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 86_400_000;

test('the first start creates a CA, a serving certificate with every in-cluster and local name, and an admin client certificate', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { hosts: ['api.example.test', '192.0.2.7'], ips: ['198.51.100.3'] });
  const serving = new X509Certificate(pki.servingCertPem);

  const dnsNames = [
    'localhost',
    hostname().toLowerCase(),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    'api.example.test',
  ];
  for (const name of dnsNames) {
    assert.equal(serving.checkHost(name, { subject: 'never', wildcards: false }), name, `DNS SAN ${name}`);
  }
  for (const ip of ['127.0.0.1', '::1', '10.96.0.1', '192.0.2.7', '198.51.100.3']) {
    assert.equal(serving.checkIP(ip), ip, `IP SAN ${ip}`);
  }
  assert.match(serving.subjectAltName ?? '', /DNS:kubernetes\.default\.svc\.cluster\.local/);
  assert.deepEqual(serving.keyUsage, [SERVER_AUTH]);

  const ca = new X509Certificate(pki.caCertPem);
  assert.equal(ca.ca, true);
  assert.ok(ca.checkIssued(ca) && ca.verify(ca.publicKey), 'the CA is self-signed');
  const caYears = (Date.parse(ca.validTo) - Date.now()) / (365 * DAY_MS);
  assert.ok(caYears > 9.9 && caYears < 10.1, `CA valid for ~10 years, got ${caYears}`);
  assert.ok(ca.checkPrivateKey(createPrivateKey(pki.caKeyPem)));

  const admin = new X509Certificate(pki.adminCertPem);
  assert.equal(admin.subject, 'CN=kubernetes-admin\nO=system:masters');
  assert.deepEqual(admin.keyUsage, [CLIENT_AUTH]);
  assert.equal(admin.ca, false);
  for (const [name, cert] of [['serving', serving], ['admin', admin]] as const) {
    assert.ok(cert.checkIssued(ca), `${name} names the CA as issuer`);
    assert.ok(cert.verify(ca.publicKey), `${name} is signed by the CA`);
  }
  assert.ok(admin.checkPrivateKey(createPrivateKey(pki.adminKeyPem)));
  assert.ok(serving.checkPrivateKey(createPrivateKey(pki.servingKeyPem)));

  const kubeletClient = new X509Certificate(pki.kubeletClientCertPem);
  assert.ok(kubeletClient.verify(ca.publicKey), 'the kubelet client certificate is signed by the CA');
  assert.match(kubeletClient.subject, /O=system:masters/);
  // The front proxy has its own CA: a certificate of the cluster CA cannot pass for it.
  const frontProxyCa = new X509Certificate(pki.frontProxyCaCertPem);
  const frontProxyClient = new X509Certificate(pki.frontProxyClientCertPem);
  assert.ok(frontProxyCa.ca);
  assert.ok(frontProxyClient.verify(frontProxyCa.publicKey), 'the front proxy client certificate is signed by the front proxy CA');
  assert.ok(!frontProxyClient.verify(ca.publicKey));
  assert.equal(frontProxyClient.subject, 'CN=front-proxy-client');
  assert.ok(frontProxyClient.checkPrivateKey(createPrivateKey(pki.frontProxyClientKeyPem)));
  // CA, serving, admin, kubelet client, front proxy CA and client, service-account key.
  assert.equal(pki.issued.length, 7);
});

test('key files are readable by the owner only, certificates by everyone, and the PEMs returned are the files on disk', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  const mode = (p: string) => statSync(p).mode & 0o777;
  assert.equal(mode(join(dir, 'pki')), 0o700);
  const files: [keyof Pki, keyof Pki, number][] = [
    ['caKeyPath', 'caKeyPem', 0o600],
    ['servingKeyPath', 'servingKeyPem', 0o600],
    ['adminKeyPath', 'adminKeyPem', 0o600],
    ['serviceAccountKeyPath', 'serviceAccountKeyPem', 0o600],
    ['caCertPath', 'caCertPem', 0o644],
    ['servingCertPath', 'servingCertPem', 0o644],
    ['adminCertPath', 'adminCertPem', 0o644],
    ['serviceAccountPublicKeyPath', 'serviceAccountPublicKeyPem', 0o644],
  ];
  for (const [pathKey, pemKey, expected] of files) {
    const path = pki[pathKey] as string;
    assert.ok(path.startsWith(join(dir, 'pki')), `${pathKey} is inside DATA_DIR/pki`);
    assert.equal(mode(path), expected, `${pathKey} mode`);
    assert.equal(readFileSync(path, 'utf8'), pki[pemKey], `${pemKey} matches ${path}`);
  }
  assert.equal(pki.caCertPath, join(dir, 'pki', 'ca.crt'));
});

test('the service-account key pair is a usable private key whose public half is in sa.pub', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  const key = createPrivateKey(pki.serviceAccountKeyPem);
  assert.ok(key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'rsa');
  assert.equal(createPublicKey(key).export({ type: 'spki', format: 'pem' }), pki.serviceAccountPublicKeyPem);

  rmSync(pki.serviceAccountPublicKeyPath);
  const again = await ensurePki(dir, { hosts: [], ips: [] });
  assert.equal(again.serviceAccountKeyPem, pki.serviceAccountKeyPem, 'sa.key is kept');
  assert.equal(readFileSync(pki.serviceAccountPublicKeyPath, 'utf8'), pki.serviceAccountPublicKeyPem, 'a missing sa.pub is rewritten');
  assert.deepEqual(again.issued, []);
});

test('a restart with the same names reuses every credential unchanged', async (t) => {
  const dir = tempDir(t);
  const opts = { hosts: ['a.example.test'], ips: ['192.0.2.1'] };
  const first = await ensurePki(dir, opts);
  const second = await ensurePki(dir, opts);
  assert.deepEqual(second.issued, []);
  assert.deepEqual({ ...second, issued: [] }, { ...first, issued: [] });
});

test('a restart that needs a new SAN reissues only the serving certificate, keeping the CA, admin and service-account credentials', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, { hosts: [], ips: ['192.0.2.1'] });
  const second = await ensurePki(dir, { hosts: ['new.example.test'], ips: ['192.0.2.1'] });
  assert.deepEqual(second.issued.map((i) => i.file), [first.servingCertPath]);
  assert.match(second.issued[0].reason, /new\.example\.test/);
  assert.notEqual(second.servingCertPem, first.servingCertPem);
  assert.equal(new X509Certificate(second.servingCertPem).checkHost('new.example.test', { subject: 'never' }), 'new.example.test');
  assert.equal(second.caCertPem, first.caCertPem);
  assert.equal(second.caKeyPem, first.caKeyPem);
  assert.equal(second.adminCertPem, first.adminCertPem);
  assert.equal(second.serviceAccountKeyPem, first.serviceAccountKeyPem);
  // Dropping a name is not a reason to reissue: the old certificate still covers what is needed.
  const third = await ensurePki(dir, { hosts: [], ips: [] });
  assert.deepEqual(third.issued, []);
});

test('a deleted admin certificate is reissued by the same CA without touching the serving certificate', async (t) => {
  const dir = tempDir(t);
  const first = await ensurePki(dir, { hosts: [], ips: [] });
  rmSync(first.adminCertPath);
  const second = await ensurePki(dir, { hosts: [], ips: [] });
  assert.deepEqual(second.issued.map((i) => i.file), [first.adminCertPath]);
  assert.equal(second.servingCertPem, first.servingCertPem);
  const admin = new X509Certificate(second.adminCertPem);
  assert.ok(admin.verify(new X509Certificate(first.caCertPem).publicKey));
});

test('a serving certificate signed by another CA, or about to expire, is replaced by one from the cluster CA', async (t) => {
  const dir = tempDir(t);
  const other = tempDir(t);
  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  const foreign = await ensurePki(other, { hosts: [], ips: [] });
  cpSync(foreign.servingCertPath, pki.servingCertPath);
  cpSync(foreign.servingKeyPath, pki.servingKeyPath);
  const replaced = await ensurePki(dir, { hosts: [], ips: [] });
  assert.deepEqual(replaced.issued.map((i) => i.reason), ['not signed by the cluster CA']);
  assert.ok(new X509Certificate(replaced.servingCertPem).verify(new X509Certificate(pki.caCertPem).publicKey));

  // Issue a 10-day serving certificate by hand: inside the 30-day renewal window.
  const keys = await generateKeyPair();
  const issuer = { certPem: pki.caCertPem, keys: await loadKeyPair(pki.caKeyPem) };
  const short = await issueLeaf(issuer, keys, {
    subject: { commonName: 'kube-apiserver' },
    usage: 'server',
    validityDays: 10,
    dnsNames: ['localhost'],
  });
  writeFileSync(pki.servingCertPath, short);
  writeFileSync(pki.servingKeyPath, keys.privateKeyPem);
  const renewed = await ensurePki(dir, { hosts: [], ips: [] });
  assert.equal(renewed.issued.length, 1);
  assert.match(renewed.issued[0].reason, /^expires /);
  assert.ok(Date.parse(new X509Certificate(renewed.servingCertPem).validTo) - Date.now() > 300 * DAY_MS);
});

test('an operator-provided RSA CA is used to sign the leaf certificates', async (t) => {
  const dir = tempDir(t);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const caKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const caCertPem = await createCa(await loadKeyPair(caKeyPem), { commonName: 'operator-ca' }, 30);
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  writeFileSync(join(pkiDir, 'ca.crt'), caCertPem);
  writeFileSync(join(pkiDir, 'ca.key'), caKeyPem, { mode: 0o600 });

  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  assert.equal(pki.caCertPem, caCertPem);
  const ca = new X509Certificate(caCertPem);
  const admin = new X509Certificate(pki.adminCertPem);
  assert.ok(admin.verify(ca.publicKey));
  // A leaf never outlives its CA.
  assert.ok(Date.parse(admin.validTo) <= Date.parse(ca.validTo));
});

test('a CA certificate without its key, or a key that does not match, stops startup with a message naming the files', async (t) => {
  const cases: { name: string; damage: (pki: Pki, other: Pki) => void; message: RegExp }[] = [
    { name: 'missing key', damage: (p) => rmSync(p.caKeyPath), message: /ca\.crt exists but its key is missing/ },
    { name: 'missing certificate', damage: (p) => rmSync(p.caCertPath), message: /ca\.key exists but its certificate is missing/ },
    { name: 'mismatched key', damage: (p, o) => writeFileSync(p.caKeyPath, o.caKeyPem), message: /ca\.key does not match .*ca\.crt/ },
    { name: 'garbage certificate', damage: (p) => writeFileSync(p.caCertPath, 'not a certificate'), message: /cannot read the cluster CA/ },
  ];
  const other = await ensurePki(tempDir(t), { hosts: [], ips: [] });
  for (const c of cases) {
    const dir = tempDir(t);
    const pki = await ensurePki(dir, { hosts: [], ips: [] });
    c.damage(pki, other);
    await assert.rejects(ensurePki(dir, { hosts: [], ips: [] }), c.message, c.name);
  }
});

test('a host name that is not a DNS name or an IP is rejected', async (t) => {
  await assert.rejects(ensurePki(tempDir(t), { hosts: ['not a host'], ips: [] }), /invalid host name/);
  await assert.rejects(ensurePki(tempDir(t), { hosts: [], ips: ['300.1.1.1'] }), /invalid IP address/);
});
