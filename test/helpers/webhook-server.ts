// A real HTTPS admission webhook server for tests: a certificate for 127.0.0.1 and
// hooks.webhooks.svc from a CA made with our own PKI code, every AdmissionReview it receives
// recorded with its path, and each path answered by the test's function (undefined: allowed,
// unchanged). /hang is never answered, so the API server's timeout decides.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { createCa, issueLeaf } from '../../src/auth/pki/issue.js';
import { generateKeyPair } from '../../src/auth/pki/keys.js';
import { startTestCluster, type TestCluster } from './cluster.js';

export interface Review {
  apiVersion: string;
  request: {
    uid: string;
    kind: { group: string; version: string; kind: string };
    resource: { group: string; version: string; resource: string };
    subResource?: string;
    name?: string;
    namespace?: string;
    operation: string;
    userInfo: { username: string; groups?: string[] };
    object?: { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string>; spec?: Record<string, unknown>; [field: string]: unknown } | null;
    oldObject?: { metadata?: { name?: string }; data?: Record<string, string> } | null;
    dryRun: boolean;
    options?: { kind: string; apiVersion?: string; [field: string]: unknown } | null;
  };
}

export interface WebhookServer {
  port: number;
  caBundle: string;
  /** Every review received, in order, with the path it was sent to. */
  calls: { path: string; review: Review }[];
  /** A webhook calling `path` on this server (side effects None, AdmissionReview v1, 2 s), with `extra` fields (rules, selectors, policies). */
  webhook(name: string, path: string, extra?: object): object;
  close(): void;
}

export async function startWebhookServer(answer: (path: string, review: Review) => object | undefined): Promise<WebhookServer> {
  const caKeys = await generateKeyPair();
  const ca = { certPem: await createCa(caKeys, { commonName: 'webhook-ca' }, 1), keys: caKeys };
  const keys = await generateKeyPair();
  const cert = await issueLeaf(ca, keys, { subject: { commonName: 'webhook' }, usage: 'server', validityDays: 1, ips: ['127.0.0.1'], dnsNames: ['hooks.webhooks.svc'] });
  const calls: WebhookServer['calls'] = [];
  const server = createServer({ cert, key: keys.privateKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
      const path = req.url ?? '';
      calls.push({ path, review });
      if (path === '/hang') return;
      const reply = answer(path, review) ?? allowed(review);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const caBundle = Buffer.from(ca.certPem).toString('base64');
  return {
    port,
    caBundle,
    calls,
    webhook: (name, path, extra = {}) => ({ name, clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 2, ...extra }),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** An answer that lets the request through, with `extra` in the response (a patch, warnings). */
export function allowed(review: Review, extra: object = {}): object {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, ...extra } };
}

/** An answer that lets the request through with a JSON patch. */
export function patched(review: Review, patch: object[], extra: object = {}): object {
  return allowed(review, { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), ...extra });
}

/** A refusal with the webhook's own status. */
export function denied(review: Review, status: object): object {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: false, status } };
}

export function webhookConfiguration(kind: 'Mutating' | 'Validating', name: string, webhooks: object[]): string {
  return stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks });
}

/**
 * A test cluster and a webhook server, with the namespaces `namespaces` of which the first is
 * labelled webhooks=enabled (what the tests' namespaceSelectors pick).
 */
export async function clusterWithWebhooks(answer: (path: string, review: Review) => object | undefined, namespaces: string[]): Promise<{ c: TestCluster; hooks: WebhookServer }> {
  const c = await startTestCluster();
  const hooks = await startWebhookServer(answer);
  for (const ns of namespaces) await c.kubectlOk(['create', 'namespace', ns]);
  await c.kubectlOk(['label', 'namespace', namespaces[0], 'webhooks=enabled']);
  return { c, hooks };
}
