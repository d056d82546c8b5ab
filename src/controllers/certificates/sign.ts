// Issues the certificate a CSR asks for, signed by the cluster CA (upstream
// pkg/controller/certificates/authority): the request's subject and subject alternative names, the
// key usages from spec.usages, backdated 5 minutes, valid for the signer's duration or the shorter
// spec.expirationSeconds (at least 10 minutes), and never beyond the CA itself.
import { randomBytes, X509Certificate as NodeCertificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { x509 } from '../../auth/pki/x509.js';
import type { KeyPair } from '../../auth/pki/keys.js';
import type { ParsedRequest } from '../../auth/bootstrap/csr.js';

export interface SigningAuthority {
  certPem: string;
  keys: KeyPair;
}

export interface SignOptions {
  usages: string[];
  expirationSeconds?: number;
  /** The signer's certificate lifetime (kube-controller-manager --cluster-signing-duration, default 1 year). */
  maxDurationMs: number;
  now: number;
}

const BACKDATE_MS = 5 * 60 * 1000;
const MIN_DURATION_MS = 10 * 60 * 1000;

const keyUsageBits: Record<string, number> = {
  'signing': x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const extKeyUsages: Record<string, string> = {
  'any': '2.5.29.37.0',
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  'timestamping': x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
};

/** The certificate's lifetime: the signer's, or the requested one when shorter (never under 10 minutes). */
export function certificateDurationMs(maxDurationMs: number, expirationSeconds: number | undefined): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return maxDurationMs;
  return Math.min(maxDurationMs, Math.max(expirationSeconds * 1000, MIN_DURATION_MS));
}

/** A PEM certificate for the request. */
export async function signRequest(ca: SigningAuthority, req: ParsedRequest, opts: SignOptions): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caNotAfter = Date.parse(new NodeCertificate(ca.certPem).validTo);
  const notAfter = Math.min(opts.now + certificateDurationMs(opts.maxDurationMs, opts.expirationSeconds), caNotAfter);
  let bits = 0;
  const ekus: string[] = [];
  for (const u of opts.usages) {
    if (keyUsageBits[u] !== undefined) bits |= keyUsageBits[u]!;
    else if (extKeyUsages[u]) ekus.push(extKeyUsages[u]!);
  }
  const extensions: X509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (bits) extensions.push(new x509.KeyUsagesExtension(bits, true));
  if (ekus.length) extensions.push(new x509.ExtendedKeyUsageExtension(ekus, false));
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  extensions.push(ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : await x509.AuthorityKeyIdentifierExtension.create(caCert));
  const names = [
    ...req.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...req.ips.map((value) => ({ type: 'ip' as const, value })),
    ...req.emails.map((value) => ({ type: 'email' as const, value })),
    ...req.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: req.csr.subjectName,
    issuer: caCert.subjectName,
    publicKey: req.csr.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ca.keys.signingAlgorithm,
    notBefore: new Date(opts.now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    extensions,
  });
  return cert.toString('pem') + '\n';
}
