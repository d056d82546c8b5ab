// The CSR signer (upstream pkg/controller/certificates/signer, "csrsigning"): issues approved
// requests for kubernetes.io/kube-apiserver-client-kubelet and kubernetes.io/kube-apiserver-client
// with the cluster CA, writing status.certificate. A request its signer refuses gets a Failed
// condition (reason SignerValidationFailure) instead, as upstream.
import type { CertificateSigningRequestCondition } from 'kubernetes-types/certificates/v1.js';
import { loadKeyPair } from '../../auth/pki/keys.js';
import { API_SERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, hasCondition, isApproved, kubeletClientProblem, parseRequest, type ParsedRequest } from '../../auth/bootstrap/csr.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { certificateSigningRequests, type CSR } from './csr-resource.js';
import type { SigningAuthority } from './sign.js';

export interface CSRSigningOptions {
  /** The CA that signs (kube-controller-manager --cluster-signing-cert-file / --cluster-signing-key-file). */
  caCertPem: string;
  caKeyPem: string;
  /** --cluster-signing-duration (default 8760h). */
  durationMs?: number;
  workers?: number;
  clock?: Clock;
}

export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

const CLIENT_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);

/** Which signers this controller serves, each with its check (an error message refuses the request). */
const signers: Record<string, (req: ParsedRequest, usages: string[]) => string | undefined> = {
  [KUBELET_CLIENT_SIGNER]: (req, usages) => kubeletClientProblem(req, usages),
  [API_SERVER_CLIENT_SIGNER]: (_req, usages) => {
    const bad = usages.find((u) => !CLIENT_USAGES.has(u));
    if (bad) return `invalid usage for client certificate: ${bad}`;
    return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
  },
};

export function newCSRSigningController(ctx: ControllerContext, opts: CSRSigningOptions): Controller {
  const clock = opts.clock ?? realClock;
  const informer = ctx.informers.for(certificateSigningRequests);
  const queue = newRateLimitingQueue<string>({ name: 'csrsigning', clock });
  const log = ctx.log.child({ controller: 'csrsigning' });
  const csrs = ctx.client.resource(certificateSigningRequests);
  let authority: Promise<SigningAuthority> | undefined;
  const ca = () => (authority ??= loadKeyPair(opts.caKeyPem, 'cluster signing key').then((keys) => ({ certPem: opts.caCertPem, keys })));
  informer.addEventHandler({
    onAdd: (csr: CSR) => queue.add(csr.metadata!.name!),
    onUpdate: (_old: CSR, csr: CSR) => queue.add(csr.metadata!.name!),
  });

  async function writeStatus(csr: CSR): Promise<void> {
    try {
      await csrs.updateStatus(csr);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }

  async function handle(name: string): Promise<void> {
    const cached = informer.getIndexer().getByKey(name) as CSR | undefined;
    if (!cached || !isApproved(cached) || hasCondition(cached, 'Failed') || cached.status?.certificate) return;
    const check = signers[cached.spec!.signerName];
    if (!check) return;
    const usages = cached.spec!.usages ?? [];
    const next: CSR = structuredClone(cached);
    let problem: string | undefined;
    let req: ParsedRequest | undefined;
    try {
      req = await parseRequest(cached);
      problem = check(req, usages);
    } catch (err) {
      problem = `unable to parse csr "${name}": ${(err as Error).message}`;
    }
    if (problem || !req) {
      const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const failed: CertificateSigningRequestCondition = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: now, lastTransitionTime: now };
      next.status = { ...next.status, conditions: [...(next.status?.conditions ?? []), failed] };
      log.info({ csr: name, problem }, 'refused to sign');
      await writeStatus(next);
      return;
    }
    // Loaded on first use: the X.509 generator is costly to load and most starts sign nothing.
    const { signRequest } = await import('./sign.js');
    const certPem = await signRequest(await ca(), req, {
      usages,
      expirationSeconds: cached.spec!.expirationSeconds,
      maxDurationMs: opts.durationMs ?? DEFAULT_SIGNING_DURATION_MS,
      now: clock.now(),
    });
    next.status = { ...next.status, certificate: Buffer.from(certPem).toString('base64') };
    await writeStatus(next);
    log.info({ csr: name, signer: cached.spec!.signerName, subject: req.csr.subject }, 'signed certificate');
  }

  return {
    name: 'csrsigning',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, handle, signal, { log }),
  };
}

export function csrSigningController(opts: CSRSigningOptions): ControllerDescriptor {
  return { name: 'csrsigning', create: (ctx) => newCSRSigningController(ctx, opts) };
}
