// CertificateSigningRequest rules shared by the node agent (which asks), the approver and the
// signer (which decide): signer names, usages, conditions, and upstream's check that a request is
// a kubelet client certificate (pkg/apis/certificates ValidateKubeletClientCSR).
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type * as X509 from '@peculiar/x509';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const API_SERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
/** What the node agent asks for (kubelet's bootstrap: digital signature + client auth; key encipherment only for RSA keys). */
export const KUBELET_CLIENT_USAGES = ['digital signature', 'client auth'];
const KUBELET_ALLOWED_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);
const KUBELET_REQUIRED_USAGES = ['digital signature', 'client auth'];

export type ConditionType = 'Approved' | 'Denied' | 'Failed';

export function hasCondition(csr: CertificateSigningRequest, type: ConditionType): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && (c.status ?? 'True') === 'True');
}

export const isApproved = (csr: CertificateSigningRequest) => hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied');

/** Pending = neither approved nor denied, and not failed or issued yet. */
export function isPending(csr: CertificateSigningRequest): boolean {
  return !hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied') && !hasCondition(csr, 'Failed') && !csr.status?.certificate;
}

export interface ParsedRequest {
  csr: X509.Pkcs10CertificateRequest;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ips: string[];
  emails: string[];
  uris: string[];
}

/**
 * spec.request (base64 of a PEM "CERTIFICATE REQUEST") parsed; throws with a message naming what
 * is wrong. The X.509 library is loaded on first use: a server that never sees a CSR never loads it.
 */
export async function parseRequest(csr: CertificateSigningRequest): Promise<ParsedRequest> {
  const { x509 } = await import('../pki/x509.js');
  const pem = Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8');
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----[\s\S]+?-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) throw new Error('spec.request does not hold a PEM CERTIFICATE REQUEST');
  const req = new x509.Pkcs10CertificateRequest(m[0]);
  const names: { type: string; value: string }[] = [];
  for (const ext of req.extensions) {
    if (ext instanceof x509.SubjectAlternativeNameExtension) names.push(...ext.names.toJSON());
  }
  const pick = (t: string) => names.filter((n) => n.type === t).map((n) => n.value);
  return {
    csr: req,
    commonName: req.subjectName.getField('CN')[0] ?? '',
    organizations: req.subjectName.getField('O'),
    dnsNames: pick('dns'),
    ips: pick('ip'),
    emails: pick('email'),
    uris: pick('url'),
  };
}

/** Why a request is not a kubelet client certificate request, or undefined when it is one. */
export function kubeletClientProblem(req: ParsedRequest, usages: string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emails.length) return 'Email subjectAltNames are not allowed';
  if (req.ips.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith(NODE_USER_PREFIX)) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  const set = new Set(usages);
  if (![...set].every((u) => KUBELET_ALLOWED_USAGES.has(u)) || !KUBELET_REQUIRED_USAGES.every((u) => set.has(u))) {
    return `usages did not match [${KUBELET_REQUIRED_USAGES.join(' ')}]`;
  }
  return undefined;
}
