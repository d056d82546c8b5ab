// Certificate issuance: a self-signed CA and leaf certificates it signs. Extensions follow what
// kubeadm puts in its certificates (pkg/util/pkiutil): the CA is critical basicConstraints CA:TRUE
// with keyCertSign; leaves carry digitalSignature + keyEncipherment, one extended key usage, the
// CA's key identifier, and for servers the subject alternative names.
import { randomBytes, X509Certificate as NodeCertificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { x509 } from './x509.js';
import type { KeyPair } from './keys.js';

export type Usage = 'server' | 'client';

export interface SubjectName {
  commonName: string;
  organizations?: string[];
}

export interface Issuer {
  certPem: string;
  keys: KeyPair;
}

export interface LeafOptions {
  subject: SubjectName;
  usage: Usage;
  validityDays: number;
  dnsNames?: string[];
  ips?: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
// Backdate so a client whose clock is slightly behind ours still accepts a fresh certificate.
const BACKDATE_MS = 5 * 60 * 1000;

export async function createCa(keys: KeyPair, subject: SubjectName, validityDays: number): Promise<string> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: toName(subject),
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
    signingAlgorithm: keys.signingAlgorithm,
    ...validity(validityDays),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem') + '\n';
}

export async function issueLeaf(issuer: Issuer, keys: KeyPair, opts: LeafOptions): Promise<string> {
  const ca = new x509.X509Certificate(issuer.certPem);
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(
      [opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await authorityKeyId(ca),
  ];
  const names = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: toName(opts.subject),
    issuer: ca.subjectName,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: issuer.keys.signingAlgorithm,
    ...validity(Math.min(opts.validityDays, daysLeft(issuer.certPem))),
    extensions,
  });
  return cert.toString('pem') + '\n';
}

// The authority key identifier must equal the CA's subject key identifier, however the CA
// computed it; only a CA without one gets the SHA-1-of-key form.
async function authorityKeyId(ca: X509.X509Certificate): Promise<X509.AuthorityKeyIdentifierExtension> {
  const ski = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(ca);
}

// A positive 128-bit serial: Go rejects negative serials, and DER integers are signed.
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

// A leaf never outlives its CA: clients would reject the chain once the CA expires anyway.
function daysLeft(certPem: string): number {
  return Math.max(0, (Date.parse(new NodeCertificate(certPem).validTo) - Date.now()) / DAY_MS);
}

function toName(subject: SubjectName): X509.JsonName {
  return [{ CN: [subject.commonName] }, ...(subject.organizations ?? []).map((o) => ({ O: [o] }))];
}
