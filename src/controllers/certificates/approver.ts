// The CSR approver (upstream pkg/controller/certificates/approver, "csrapproving"): approves
// kubelet client certificate requests — a node renewing its own certificate (selfnodeclient) or
// a bootstrap token joining a node (nodeclient). As upstream, a SubjectAccessReview asks whether
// the requester may create certificatesigningrequests/<selfnodeclient|nodeclient>: the default
// policy grants that to system:nodes (selfnodeclient) and to kubeadm's bootstrap-token group
// (nodeclient), through the kubeadm:node-autoapprove-* bindings.
import type { CertificateSigningRequestCondition } from 'kubernetes-types/certificates/v1.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { KUBELET_CLIENT_SIGNER, hasCondition, kubeletClientProblem, parseRequest, type ParsedRequest } from '../../auth/bootstrap/csr.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { certificateSigningRequests, updateApproval, type CSR } from './csr-resource.js';

export const SELF_NODE_CLIENT_MESSAGE = 'Auto approving self kubelet client certificate after SubjectAccessReview.';
export const NODE_CLIENT_MESSAGE = 'Auto approving kubelet client certificate after SubjectAccessReview.';

interface Recognizer {
  permission: 'selfnodeclient' | 'nodeclient';
  recognize(csr: CSR, req: ParsedRequest): boolean;
  message: string;
}

const isNodeClientCert = (csr: CSR, req: ParsedRequest) => csr.spec.signerName === KUBELET_CLIENT_SIGNER && kubeletClientProblem(req, csr.spec.usages ?? []) === undefined;

const recognizers: Recognizer[] = [
  {
    permission: 'selfnodeclient',
    recognize: (csr, req) => csr.spec.username === req.commonName && isNodeClientCert(csr, req),
    message: SELF_NODE_CLIENT_MESSAGE,
  },
  {
    permission: 'nodeclient',
    recognize: isNodeClientCert,
    message: NODE_CLIENT_MESSAGE,
  },
];

/** Whether the CSR's requester may create certificatesigningrequests/<permission> (upstream's sarApprover.authorize). */
async function requesterMay(ctx: ControllerContext, csr: CSR, permission: string): Promise<boolean> {
  const review = await ctx.client.requestJSON<{ status?: { allowed?: boolean } }>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: csr.spec.username,
        uid: csr.spec.uid,
        groups: csr.spec.groups,
        extra: csr.spec.extra,
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource: permission },
      },
    }),
  });
  return review.status?.allowed === true;
}

export interface CSRApprovingOptions {
  workers?: number;
  clock?: Clock;
}

export function newCSRApprovingController(ctx: ControllerContext, opts: CSRApprovingOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const informer = ctx.informers.for(certificateSigningRequests);
  const queue = newRateLimitingQueue<string>({ name: 'csrapproving', clock });
  const log = ctx.log.child({ controller: 'csrapproving' });
  informer.addEventHandler({
    onAdd: (csr: CSR) => queue.add(csr.metadata!.name!),
    onUpdate: (_old: CSR, csr: CSR) => queue.add(csr.metadata!.name!),
  });

  async function handle(name: string): Promise<void> {
    const cached = informer.getIndexer().getByKey(name) as CSR | undefined;
    if (!cached || cached.status?.certificate) return;
    if (hasCondition(cached, 'Approved') || hasCondition(cached, 'Denied')) return;
    let req: ParsedRequest;
    try {
      req = await parseRequest(cached);
    } catch (err) {
      log.info({ csr: name, err: (err as Error).message }, 'unable to parse csr');
      return;
    }
    const tried: string[] = [];
    for (const r of recognizers) {
      if (!r.recognize(cached, req)) continue;
      tried.push(r.permission);
      if (!(await requesterMay(ctx, cached, r.permission))) continue;
      const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const condition: CertificateSigningRequestCondition = { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.message, lastUpdateTime: now, lastTransitionTime: now };
      const next: CSR = structuredClone(cached);
      next.status = { ...next.status, conditions: [...(next.status?.conditions ?? []), condition] };
      try {
        await updateApproval(ctx.client, next);
      } catch (err) {
        // A stale cache or a deleted CSR: the informer brings the next version.
        if (isConflict(err) || isNotFound(err)) return;
        throw err;
      }
      log.info({ csr: name, user: cached.spec!.username, permission: r.permission }, 'approved kubelet client certificate request');
      return;
    }
    if (tried.length) log.info({ csr: name, tried }, 'recognized csr but the requester is not allowed to have it approved');
  }

  return {
    name: 'csrapproving',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, handle, signal, { log }),
  };
}

export const csrApprovingController: ControllerDescriptor = { name: 'csrapproving', create: (ctx) => newCSRApprovingController(ctx) };
