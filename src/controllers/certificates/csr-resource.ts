// The certificates.k8s.io/v1 CertificateSigningRequest resource, and writes of its approval and
// status subresources.
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { isNotFound } from '../../client/rest/errors.js';
import { resourceRef } from '../../client/rest/resource-ref.js';

export type CSR = CertificateSigningRequest & KubeObject;

export const certificateSigningRequests = resourceRef<CSR>({ group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests', kind: 'CertificateSigningRequest', namespaced: false });

/**
 * Writes status.conditions through the approval subresource, as upstream's UpdateApproval. An API
 * server that does not serve approval (404) gets the same conditions through status instead.
 */
export async function updateApproval(client: Client, csr: CSR): Promise<CSR> {
  const csrs = client.resource(certificateSigningRequests);
  try {
    return await csrs.updateSubresource<CSR>(csr.metadata!.name!, 'approval', csr);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return csrs.updateStatus(csr);
  }
}
