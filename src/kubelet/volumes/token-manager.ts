// Service account tokens for projected volumes (upstream pkg/kubelet/token/token_manager.go):
// one TokenRequest per (service account, audience, lifetime, pod), bound to the pod, cached and
// fetched again once 80% of its lifetime has passed (or after 24 h), less a jitter of up to 10 s
// so tokens issued together are not all renewed at once, so a refresh of the volume rewrites the
// file well before the old token expires.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import type { Clock } from '../../client/clock.js';

const maxTTLMs = 24 * 3600 * 1000;
/** upstream maxJitter: whole seconds in [0, 10). */
const maxJitterSeconds = 10;

export interface TokenKey {
  namespace: string;
  serviceAccount: string;
  /** Empty: the API server's own audience. */
  audience: string;
  expirationSeconds: number;
  podName: string;
  podUid: string;
}

interface Cached {
  token: string;
  expiresAt: number;
  expirationSeconds: number;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  async getToken(k: TokenKey): Promise<string> {
    const key = JSON.stringify([k.namespace, k.serviceAccount, k.audience, k.expirationSeconds, k.podUid]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached)) return cached.token;
    let tr: TokenRequest;
    try {
      tr = await this.client.resource(resources.serviceAccounts).createToken(
        k.serviceAccount,
        {
          spec: {
            audiences: k.audience ? [k.audience] : [],
            expirationSeconds: k.expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: k.podName, uid: k.podUid },
          },
        },
        { namespace: k.namespace },
      );
    } catch (err) {
      // Keep serving a token that is still valid when the API server cannot be reached.
      if (cached && cached.expiresAt > this.clock.now()) return cached.token;
      throw new Error(`failed to fetch token: ${(err as Error).message}`);
    }
    const token = tr.status?.token ?? '';
    const expiresAt = Date.parse(tr.status?.expirationTimestamp ?? '') || this.clock.now() + k.expirationSeconds * 1000;
    this.cache.set(key, { token, expiresAt, expirationSeconds: tr.spec?.expirationSeconds ?? k.expirationSeconds });
    return token;
  }

  /** Forgets the tokens of a pod that is gone. */
  deletePod(podUid: string): void {
    for (const key of [...this.cache.keys()]) if ((JSON.parse(key) as unknown[])[4] === podUid) this.cache.delete(key);
  }

  private requiresRefresh(c: Cached): boolean {
    const now = this.clock.now();
    const ttlMs = c.expirationSeconds * 1000;
    const issuedAt = c.expiresAt - ttlMs;
    const jitterMs = Math.floor(this.random() * maxJitterSeconds) * 1000;
    if (now > issuedAt + maxTTLMs - jitterMs) return true;
    // upstream: (expirationSeconds*20)/100 in whole seconds.
    return now > c.expiresAt - Math.floor((c.expirationSeconds * 20) / 100) * 1000 - jitterMs;
  }
}
