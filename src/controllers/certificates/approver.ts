// The CSR approver (upstream pkg/controller/certificates/approver, "csrapproving"): approves
// kubelet client certificate requests — a node renewing its own certificate (selfnodeclient) or
// a bootstrap token joining a node (nodeclient). Upstream asks a SubjectAccessReview whether the
// requester may create certificatesigningrequests/<selfnodeclient|nodeclient>; until RBAC is
// enforced here, the same default bindings are applied directly: selfnodeclient for the node
// itself (system:node:<name>, group system:nodes), nodeclient for bootstrap tokens
// (system:bootstrap:<id>, group system:bootstrappers).
import type { CertificateSigningRequestCondition } from 'kubernetes-types/certificates/v1.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { BOOTSTRAPPERS_GROUP, BOOTSTRAP_USER_PREFIX } from '../../auth/bootstrap/token.js';
import { KUBELET_CLIENT_SIGNER, NODES_GROUP, NODE_USER_PREFIX, hasCondition, kubeletClientProblem, parseRequest, type ParsedRequest } from '../../auth/bootstrap/csr.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { certificateSigningRequests, updateApproval, type CSR } from './csr-resource.js';

export const SELF_NODE_CLIENT_MESSAGE = 'Auto approving self kubelet client certificate after SubjectAccessReview.';
export const NODE_CLIENT_MESSAGE = 'Auto approving kubelet client certificate after SubjectAccessReview.';

interface Recognizer {
  permission: 'selfnodeclient' | 'nodeclient';
  recognize(csr: CSR, req: ParsedRequest): boolean;
  /** Stands in for the SubjectAccessReview of the default RBAC bindings. */
  allowed(csr: CSR): boolean;
  message: string;
}

const isNodeClientCert = (csr: CSR, req: ParsedRequest) => csr.spec.signerName === KUBELET_CLIENT_SIGNER && kubeletClientProblem(req, csr.spec.usages ?? []) === undefined;

const recognizers: Recognizer[] = [
  {
    permission: 'selfnodeclient',
    recognize: (csr, req) => csr.spec.username === req.commonName && isNodeClientCert(csr, req),
    allowed: (csr) => (csr.spec.username ?? '').startsWith(NODE_USER_PREFIX) || (csr.spec.groups ?? []).includes(NODES_GROUP),
    message: SELF_NODE_CLIENT_MESSAGE,
  },
  {
    permission: 'nodeclient',
    recognize: isNodeClientCert,
    allowed: (csr) => (csr.spec.username ?? '').startsWith(BOOTSTRAP_USER_PREFIX) || (csr.spec.groups ?? []).includes(BOOTSTRAPPERS_GROUP),
    message: NODE_CLIENT_MESSAGE,
  },
];

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
      if (!r.allowed(cached)) continue;
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
