// The cluster's certificates, created on first start and reused after. Layout (as kubeadm's
// /etc/kubernetes/pki): DATA_DIR/pki/{ca,apiserver,admin,apiserver-kubelet-client}.{crt,key}, sa.key and sa.pub,
// and the front proxy's own CA and client certificate, front-proxy-{ca,client}.{crt,key}: the API
// server presents that certificate to aggregated API servers, which trust only that CA for the
// identity headers it sends (a client certificate of the cluster CA must not be able to claim any user).
//
// Reuse rules, checked with node:crypto only (so a restart never loads the X.509 generator):
// - the CA is never replaced silently; a half-present or broken CA is an error for the operator;
// - a leaf is reissued when missing, not matching its key, not signed by the CA, expiring within
//   RENEW_BEFORE_DAYS, or (serving) missing a SAN that is now required — each alone, so
//   a new bind address never invalidates the admin kubeconfig;
// - the service-account signing key is kept for ever once made (rotating it would invalidate
//   every token in the cluster).
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, loadKeyPair, type KeyPair } from './keys.js';
import { readOptional, writeAtomic, KEY_MODE, CERT_MODE } from './files.js';
import { servingNames, type ServingNames } from './names.js';
import type { SubjectName, Usage } from './issue.js';

export interface Pki {
  dir: string;
  caCertPem: string;
  caKeyPem: string;
  /** The API server's serving certificate and key. */
  servingCertPem: string;
  servingKeyPem: string;
  /** A client certificate in group system:masters, for the admin kubeconfig. */
  adminCertPem: string;
  adminKeyPem: string;
  /** The API server's client certificate for node agents (pods/log, exec, port-forward). */
  kubeletClientCertPem: string;
  kubeletClientKeyPem: string;
  /** The front proxy's CA (requestheader-client-ca-file) and the client certificate the API server presents to aggregated API servers. */
  frontProxyCaCertPem: string;
  frontProxyClientCertPem: string;
  frontProxyClientKeyPem: string;
  /** The key that signs service-account tokens (ECDSA P-256 when generated: ES256). */
  serviceAccountKeyPem: string;
  /** Its public half, for verifying those tokens. */
  serviceAccountPublicKeyPem: string;
  caCertPath: string;
  caKeyPath: string;
  servingCertPath: string;
  servingKeyPath: string;
  adminCertPath: string;
  adminKeyPath: string;
  serviceAccountKeyPath: string;
  serviceAccountPublicKeyPath: string;
  /** What this call created or replaced, and why (empty on a clean restart). For logs. */
  issued: { file: string; reason: string }[];
}

export interface PkiOptions {
  /** Extra DNS names for the serving certificate (IP literals are accepted too). */
  hosts: string[];
  /** Extra IP addresses for the serving certificate. */
  ips: string[];
}

export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
export const RENEW_BEFORE_DAYS = 30;

export const CA_SUBJECT: SubjectName = { commonName: 'k8ts-ca' };
export const SERVING_SUBJECT: SubjectName = { commonName: 'kube-apiserver' };
// Group system:masters is bound to cluster-admin by upstream's bootstrap RBAC policy and is a
// superuser before any authorizer runs.
export const ADMIN_SUBJECT: SubjectName = { commonName: 'kubernetes-admin', organizations: ['system:masters'] };
// As kubeadm's apiserver-kubelet-client: the kubelet authorizes it for every node API.
export const KUBELET_CLIENT_SUBJECT: SubjectName = { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] };
export const FRONT_PROXY_CA_SUBJECT: SubjectName = { commonName: 'front-proxy-ca' };
// kubeadm's name, the one requestheader-allowed-names lists.
export const FRONT_PROXY_CLIENT_SUBJECT: SubjectName = { commonName: 'front-proxy-client' };

const EKU_OID: Record<Usage, string> = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' };
const DAY_MS = 24 * 60 * 60 * 1000;

export async function ensurePki(dataDir: string, opts: PkiOptions): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (name: string) => join(dir, name);
  const issued: Pki['issued'] = [];
  const names = servingNames(opts);

  const [ca, frontProxyCa] = await Promise.all([ensureCa(path('ca.crt'), path('ca.key'), CA_SUBJECT, issued), ensureCa(path('front-proxy-ca.crt'), path('front-proxy-ca.key'), FRONT_PROXY_CA_SUBJECT, issued)]);
  const leaf = leafIssuer(ca, path('ca.key'), path, issued);
  const frontProxyLeaf = leafIssuer(frontProxyCa, path('front-proxy-ca.key'), path, issued);
  const [serving, admin, kubeletClient, frontProxyClient, sa] = await Promise.all([
    leaf('apiserver', SERVING_SUBJECT, 'server', names),
    leaf('admin', ADMIN_SUBJECT, 'client'),
    leaf('apiserver-kubelet-client', KUBELET_CLIENT_SUBJECT, 'client'),
    frontProxyLeaf('front-proxy-client', FRONT_PROXY_CLIENT_SUBJECT, 'client'),
    ensureServiceAccountKey(path('sa.key'), path('sa.pub'), issued),
  ]);

  return {
    dir,
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    servingCertPem: serving.certPem,
    servingKeyPem: serving.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    kubeletClientCertPem: kubeletClient.certPem,
    kubeletClientKeyPem: kubeletClient.keyPem,
    frontProxyCaCertPem: frontProxyCa.certPem,
    frontProxyClientCertPem: frontProxyClient.certPem,
    frontProxyClientKeyPem: frontProxyClient.keyPem,
    serviceAccountKeyPem: sa.keyPem,
    serviceAccountPublicKeyPem: sa.pubPem,
    caCertPath: path('ca.crt'),
    caKeyPath: path('ca.key'),
    servingCertPath: serving.certPath,
    servingKeyPath: serving.keyPath,
    adminCertPath: admin.certPath,
    adminKeyPath: admin.keyPath,
    serviceAccountKeyPath: path('sa.key'),
    serviceAccountPublicKeyPath: path('sa.pub'),
    issued,
  };
}

/** Issues (or reuses) leaves signed by one CA; its key is parsed only when something must be signed. */
function leafIssuer(ca: { certPem: string; keyPem: string; keys?: KeyPair }, caKeyPath: string, path: (name: string) => string, issued: Pki['issued']) {
  const caCert = new X509Certificate(ca.certPem);
  let issuer: Promise<{ certPem: string; keys: KeyPair }> | undefined;
  const getIssuer = () => (issuer ??= (async () => ({ certPem: ca.certPem, keys: ca.keys ?? (await loadKeyPair(ca.keyPem, caKeyPath)) }))());
  return async (base: string, subject: SubjectName, usage: Usage, sans?: ServingNames) => {
    const certPath = path(`${base}.crt`);
    const keyPath = path(`${base}.key`);
    const certPem = readOptional(certPath);
    const keyPem = readOptional(keyPath);
    const reason = leafProblem(certPem, keyPem, caCert, subject, usage, sans);
    if (!reason) return { certPem: certPem!, keyPem: keyPem!, certPath, keyPath };
    // Imported here: the X.509 generator is most of a first start's time, and a restart needs none of it.
    const [{ issueLeaf }, keys] = await Promise.all([import('./issue.js'), generateKeyPair()]);
    const newCert = await issueLeaf(await getIssuer(), keys, {
      subject,
      usage,
      validityDays: LEAF_VALIDITY_DAYS,
      dnsNames: sans?.dnsNames,
      ips: sans?.ips,
    });
    writeAtomic(keyPath, keys.privateKeyPem, KEY_MODE);
    writeAtomic(certPath, newCert, CERT_MODE);
    issued.push({ file: certPath, reason });
    return { certPem: newCert, keyPem: keys.privateKeyPem, certPath, keyPath };
  };
}

/** The CA's PEMs; `keys` too when it was just created (saves parsing the key again). */
async function ensureCa(
  certPath: string,
  keyPath: string,
  subject: SubjectName,
  issued: Pki['issued'],
): Promise<{ certPem: string; keyPem: string; keys?: KeyPair }> {
  const certPem = readOptional(certPath);
  const keyPem = readOptional(keyPath);
  if (certPem === undefined && keyPem === undefined) {
    const [{ createCa }, keys] = await Promise.all([import('./issue.js'), generateKeyPair()]);
    const newCert = await createCa(keys, subject, CA_VALIDITY_DAYS);
    writeAtomic(keyPath, keys.privateKeyPem, KEY_MODE);
    writeAtomic(certPath, newCert, CERT_MODE);
    issued.push({ file: certPath, reason: `no ${subject.commonName} yet` });
    return { certPem: newCert, keyPem: keys.privateKeyPem, keys };
  }
  // Replacing a CA would lock every existing client out; that is the operator's decision.
  const fix = `restore it, or remove both ${certPath} and ${keyPath} to create a new cluster CA`;
  if (certPem === undefined) throw new Error(`CA key ${keyPath} exists but its certificate is missing: ${fix}`);
  if (keyPem === undefined) throw new Error(`CA certificate ${certPath} exists but its key is missing: ${fix}`);
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`cannot read the cluster CA in ${certPath}/${keyPath} (${(err as Error).message}): ${fix}`);
  }
  if (!cert.ca) throw new Error(`${certPath} is not a CA certificate: ${fix}`);
  if (!cert.checkPrivateKey(key)) throw new Error(`${keyPath} does not match ${certPath}: ${fix}`);
  if (Date.parse(cert.validTo) <= Date.now()) throw new Error(`the cluster CA ${certPath} expired on ${cert.validTo}: ${fix}`);
  return { certPem, keyPem };
}

/** Why a leaf certificate must be (re)issued, or undefined when it is good to reuse. */
function leafProblem(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: X509Certificate,
  subject: SubjectName,
  usage: Usage,
  sans: ServingNames | undefined,
): string | undefined {
  if (certPem === undefined || keyPem === undefined) return 'missing';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'certificate does not match its key';
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not signed by the cluster CA';
  if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_DAYS * DAY_MS) return `expires ${cert.validTo}`;
  if (!(cert.keyUsage ?? []).includes(EKU_OID[usage])) return `not valid for ${usage} authentication`;
  if (cert.subject !== subjectString(subject)) return `subject is not ${subjectString(subject).replace(/\n/g, ', ')}`;
  for (const name of sans?.dnsNames ?? []) {
    if (cert.checkHost(name, { subject: 'never', wildcards: false }) === undefined) return `lacks subject alternative name ${name}`;
  }
  for (const ip of sans?.ips ?? []) {
    if (cert.checkIP(ip) === undefined) return `lacks subject alternative name ${ip}`;
  }
  return undefined;
}

// node:crypto prints a subject as "CN=…\nO=…" in certificate order.
function subjectString(s: SubjectName): string {
  return [`CN=${s.commonName}`, ...(s.organizations ?? []).map((o) => `O=${o}`)].join('\n');
}

async function ensureServiceAccountKey(
  keyPath: string,
  pubPath: string,
  issued: Pki['issued'],
): Promise<{ keyPem: string; pubPem: string }> {
  const keyPem = readOptional(keyPath);
  if (keyPem === undefined) {
    const keys = await generateKeyPair();
    writeAtomic(keyPath, keys.privateKeyPem, KEY_MODE);
    writeAtomic(pubPath, keys.publicKeyPem, CERT_MODE);
    issued.push({ file: keyPath, reason: 'no service-account signing key yet' });
    return { keyPem: keys.privateKeyPem, pubPem: keys.publicKeyPem };
  }
  let pubPem: string;
  try {
    pubPem = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    throw new Error(`cannot read the service-account signing key ${keyPath}: ${(err as Error).message}`);
  }
  // sa.pub is derived data: rewrite it when missing or stale.
  if (readOptional(pubPath) !== pubPem) writeAtomic(pubPath, pubPem, CERT_MODE);
  return { keyPem, pubPem };
}
