// Kubelet TLS bootstrap (upstream pkg/kubelet/certificate/bootstrap): with a bootstrap credential,
// make a key here, ask the cluster for a client certificate through a CertificateSigningRequest
// (signer kubernetes.io/kube-apiserver-client-kubelet, CN=system:node:<node>, O=system:nodes),
// wait until it is approved and issued, and return the certificate. The private key never leaves
// this machine.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import { generateKeyPair } from '../../auth/pki/keys.js';
import { KUBELET_CLIENT_SIGNER, KUBELET_CLIENT_USAGES, NODES_GROUP, NODE_USER_PREFIX, hasCondition } from '../../auth/bootstrap/csr.js';
import type { Client } from '../../client/rest/client.js';
import { isAlreadyExists } from '../../client/rest/errors.js';
import { resourceRef } from '../../client/rest/resource-ref.js';

type CSR = CertificateSigningRequest & KubeObject;
const csrs = resourceRef<CSR>({ group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests', kind: 'CertificateSigningRequest', namespaced: false });

export interface TlsBootstrapOptions {
  /** A client authenticated with the bootstrap credential. */
  client: Client;
  nodeName: string;
  log?: Logger;
  /** How long to wait for approval and signing (default 15 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  csrName: string;
}

/** Upstream's digestedName: the same key, subject and usages always give the same CSR name. */
function csrName(spkiPem: string, nodeName: string, usages: string[]): string {
  const h = createHash('sha256').update(spkiPem).update(`CN=${NODE_USER_PREFIX}${nodeName},O=${NODES_GROUP}`).update(usages.join(','));
  return `node-csr-${h.digest('base64url')}`;
}

/** A PEM CERTIFICATE REQUEST for the node's client certificate, signed by `keys`. */
export async function nodeClientRequest(keys: Awaited<ReturnType<typeof generateKeyPair>>, nodeName: string): Promise<string> {
  const { x509 } = await import('../../auth/pki/x509.js');
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [`${NODE_USER_PREFIX}${nodeName}`] }, { O: [NODES_GROUP] }],
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
    signingAlgorithm: keys.signingAlgorithm,
  });
  return req.toString('pem') + '\n';
}

export async function requestClientCertificate(opts: TlsBootstrapOptions): Promise<ClientCertificate> {
  const keys = await generateKeyPair();
  const requestPem = await nodeClientRequest(keys, opts.nodeName);
  const name = csrName(keys.publicKeyPem, opts.nodeName, KUBELET_CLIENT_USAGES);
  const api = opts.client.resource(csrs);
  const csr: CSR = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(requestPem).toString('base64'),
      signerName: KUBELET_CLIENT_SIGNER,
      usages: KUBELET_CLIENT_USAGES,
    },
  };
  try {
    await api.create(csr);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  opts.log?.info({ csr: name }, 'waiting for the client certificate to be approved and issued');
  const certPem = await waitForCertificate(opts.client, name, opts.timeoutMs ?? 15 * 60_000, opts.signal);
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(createPrivateKey(keys.privateKeyPem))) throw new Error(`the certificate issued for ${name} does not match the key that requested it`);
  return { certPem, keyPem: keys.privateKeyPem, csrName: name };
}

function outcome(csr: CSR): { certPem: string } | { error: string } | undefined {
  const reason = (type: 'Denied' | 'Failed') => {
    const c = csr.status?.conditions?.find((x) => x.type === type);
    return [c?.reason, c?.message].filter(Boolean).join(': ');
  };
  if (hasCondition(csr, 'Denied')) return { error: `certificate signing request ${csr.metadata!.name} was denied${reason('Denied') ? ` (${reason('Denied')})` : ''}` };
  if (hasCondition(csr, 'Failed')) return { error: `certificate signing request ${csr.metadata!.name} failed${reason('Failed') ? ` (${reason('Failed')})` : ''}` };
  if (csr.status?.certificate) return { certPem: Buffer.from(csr.status.certificate, 'base64').toString('utf8') };
  return undefined;
}

/** Watches the CSR until it is issued (resolves with the PEM), denied or failed (rejects), or the time is up. */
export async function waitForCertificate(client: Client, name: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const api = client.resource(csrs);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const onAbort = () => abort.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!abort.signal.aborted) {
      const list = await api.list({ fieldSelector: `metadata.name=${name}` });
      for (const csr of list.items) {
        const done = outcome(csr);
        if (done && 'error' in done) throw new Error(done.error);
        if (done) return done.certPem;
      }
      const stream = await api.watch({ fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata.resourceVersion, signal: abort.signal });
      for await (const ev of stream) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const done = outcome(ev.object);
        if (done) {
          stream.stop();
          if ('error' in done) throw new Error(done.error);
          return done.certPem;
        }
      }
      // The watch ended (server timeout, 410): list again.
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  throw new Error(signal?.aborted ? 'stopped while waiting for the client certificate' : `timed out after ${Math.round(timeoutMs / 1000)}s waiting for certificate signing request ${name} to be approved and issued`);
}
