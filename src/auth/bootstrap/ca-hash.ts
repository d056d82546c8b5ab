// Public-key pins of a CA certificate in kubeadm's format (--discovery-token-ca-cert-hash):
// "sha256:" + hex of SHA-256 over the certificate's DER SubjectPublicKeyInfo. Pinning the key
// rather than the certificate survives a CA re-issued with the same key.
import { createHash, X509Certificate } from 'node:crypto';

export function caCertHash(cert: string | Buffer | X509Certificate): string {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Normalizes a pin as given on the command line; throws on any other format (only sha256 is supported, as kubeadm). */
export function parseCaCertHash(pin: string): string {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(pin.trim());
  if (!m) throw new Error(`invalid --ca-cert-hash "${pin}": expected "sha256:" and 64 hex digits (the SHA-256 of the CA's SubjectPublicKeyInfo)`);
  return `sha256:${m[1]!.toLowerCase()}`;
}
