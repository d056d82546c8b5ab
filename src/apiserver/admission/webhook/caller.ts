// Calls an admission webhook: resolves its clientConfig (a URL, or a Service reached through one
// of its ready endpoints, verified as <name>.<namespace>.svc as upstream does), then POSTs the
// AdmissionReview over HTTPS with the webhook's caBundle (the system roots without one) and its
// timeout. Connections are kept alive per CA bundle, as upstream's webhook client cache does.
import { Agent, request } from 'node:https';
import type { WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import type { WatchCache } from '../../watch-cache.js';
import type { ResourceRegistry } from '../../registry/resource-registry.js';
import { resolveServiceEndpoint } from '../../service-endpoint.js';

export interface WebhookTarget {
  url: URL;
  /** The name the server's certificate must carry (service references: <name>.<namespace>.svc). */
  serverName?: string;
  caBundle?: string;
}

/** Sends one AdmissionReview and returns the decoded reply; throws with the reason it failed. */
export type WebhookCaller = (target: WebhookTarget, body: object, timeoutMs: number) => Promise<unknown>;

const agents = new Map<string, Agent>();

function agentFor(caBundle: string | undefined): Agent {
  const key = caBundle ?? '';
  let agent = agents.get(key);
  if (!agent) {
    const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
    agent = new Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
    agents.set(key, agent);
  }
  return agent;
}

/** POSTs over HTTPS; a reply that is not 200 with a JSON body is an error, as client-go's REST client makes it. */
export const postAdmissionReview: WebhookCaller = (target, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      target.url,
      {
        method: 'POST',
        agent: agentFor(target.caBundle),
        ...(target.serverName ? { servername: target.serverName } : {}),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`the server responded with the status code ${res.statusCode ?? 0} but did not return more information`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            reject(new Error(`couldn't decode the webhook's response: ${(err as Error).message}`));
          }
        });
      },
    );
    req.setHeader('Content-Type', 'application/json');
    req.setHeader('Accept', 'application/json');
    if (target.serverName) req.setHeader('Host', target.serverName);
    // Upstream's wording for a webhook that does not answer in time.
    req.on('timeout', () => req.destroy(new Error(`Post "${target.url.href}": context deadline exceeded`)));
    req.on('error', (err) => reject(err.message.startsWith('Post "') ? err : new Error(`Post "${target.url.href}": ${err.message}`)));
    req.end(payload);
  });

/**
 * Where a webhook's clientConfig points. A Service is reached through one of its ready endpoints
 * (upstream's endpoint routing), since the API server's host need not route ClusterIPs.
 */
export function resolveWebhookTarget(cfg: WebhookClientConfig | undefined, cache: WatchCache, registry: ResourceRegistry): WebhookTarget {
  if (cfg?.url) return { url: new URL(cfg.url), caBundle: cfg.caBundle };
  const svc = cfg?.service;
  if (!svc) throw new Error('webhook has no url or service');
  const port = svc.port ?? 443;
  const endpoint = resolveServiceEndpoint(svc, cache, registry);
  if ('reason' in endpoint) {
    // The webhook client's own words for each reason.
    switch (endpoint.reason) {
      case 'ServiceNotFound':
        throw new Error(`service "${svc.name}" not found`);
      case 'ServicePortError':
        throw new Error(`service ${svc.namespace}/${svc.name} has no port ${port}`);
      default:
        throw new Error(`service "${svc.name}" has no ready endpoints`);
    }
  }
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return { url: new URL(`https://${host}:${endpoint.port}${svc.path ?? ''}`), serverName: endpoint.serverName, caBundle: cfg.caBundle };
}
