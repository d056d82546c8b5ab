// The kubelet's serving certificate when none is given, as upstream's kubelet makes one: a
// self-signed CA "HOST-ca@TIME" and a certificate "HOST@TIME" for the node's names and addresses,
// kept in ROOT/pki so restarts reuse it. The API server does not verify it (upstream default).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generateKeyPair } from '../../auth/pki/keys.js';
import { createCa, issueLeaf } from '../../auth/pki/issue.js';
import { readOptional, writeAtomic, CERT_MODE, KEY_MODE } from '../../auth/pki/files.js';

export interface ServingCert {
  certPem: string;
  keyPem: string;
}

export async function ensureKubeletServingCert(rootDir: string, names: { hostname: string; ips: string[] }): Promise<ServingCert> {
  const dir = join(rootDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, 'kubelet.crt');
  const keyPath = join(dir, 'kubelet.key');
  const certPem = readOptional(certPath);
  const keyPem = readOptional(keyPath);
  if (certPem && keyPem && stillGood(certPem, names)) return { certPem, keyPem };
  const stamp = Math.floor(Date.now() / 1000);
  const [caKeys, keys] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const caPem = await createCa(caKeys, { commonName: `${names.hostname}-ca@${stamp}` }, 365);
  const leaf = await issueLeaf({ certPem: caPem, keys: caKeys }, keys, {
    subject: { commonName: `${names.hostname}@${stamp}` },
    usage: 'server',
    validityDays: 365,
    dnsNames: [names.hostname, 'localhost'],
    ips: [...new Set(['127.0.0.1', ...names.ips])],
  });
  writeAtomic(keyPath, keys.privateKeyPem, KEY_MODE);
  writeAtomic(certPath, leaf + caPem, CERT_MODE);
  return { certPem: leaf + caPem, keyPem: keys.privateKeyPem };
}

function stillGood(pem: string, names: { hostname: string; ips: string[] }): boolean {
  try {
    const cert = new X509Certificate(pem);
    if (Date.parse(cert.validTo) - Date.now() < 30 * 24 * 3600 * 1000) return false;
    return names.ips.every((ip) => cert.checkIP(ip) !== undefined) && cert.checkHost(names.hostname, { subject: 'never' }) !== undefined;
  } catch {
    return false;
  }
}
