// Finds the cluster CA before trusting anything (kubeadm's token discovery, done over TLS): a TLS
// handshake with verification off yields the certificates the API server sends — its serving
// certificate followed by the CA (k8ts server includes it). The CA is accepted only when its
// public key matches a --ca-cert-hash pin and it signed the serving certificate. Nothing is sent
// over that connection, so an impostor learns no token.
import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import { caCertHash } from '../../auth/bootstrap/ca-hash.js';

export interface DiscoveredCa {
  caPem: string;
  /** Its pin, for logs and for the join command. */
  hash: string;
}

/** The certificates the server presented, leaf first, each once. */
export function presentedChain(url: string, timeoutMs = 10_000): Promise<X509Certificate[]> {
  const u = new URL(url);
  if (u.protocol !== 'https:') return Promise.reject(new Error(`${url}: CA discovery needs an https:// server URL`));
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(u.port || 443), servername: /^[\d.:]+$/.test(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => socket.destroy(new Error(`timed out connecting to ${url}`)), timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach ${url}: ${err.message}`));
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain: X509Certificate[] = [];
      const seen = new Set<string>();
      let c: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(new X509Certificate(c.raw));
        c = (c as DetailedPeerCertificate).issuerCertificate;
      }
      socket.end();
      resolve(chain);
    });
  });
}

/**
 * The CA among `chain` that signed its leaf and matches one of `pins`; with no pins (insecure
 * discovery) the first CA that signed the leaf. Throws naming what did not match.
 */
export function pickCa(chain: X509Certificate[], pins: string[] | undefined): DiscoveredCa {
  const leaf = chain[0];
  if (!leaf) throw new Error('the server presented no certificate');
  const signers = chain.filter((c) => c.ca && leaf.checkIssued(c) && leaf.verify(c.publicKey));
  if (!signers.length) {
    throw new Error('the server did not send the CA that signed its certificate (a k8ts server sends it; for another server use --ca-file)');
  }
  for (const ca of signers) {
    const hash = caCertHash(ca);
    if (!pins || pins.includes(hash)) return { caPem: ca.toString(), hash };
  }
  throw new Error(`the server's CA (public key ${caCertHash(signers[0]!)}) does not match --ca-cert-hash ${pins!.join(', ')}`);
}

export async function discoverCa(url: string, pins: string[] | undefined): Promise<DiscoveredCa> {
  return pickCa(await presentedChain(url), pins);
}
