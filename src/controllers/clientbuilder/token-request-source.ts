// A controller's bearer token from the TokenRequest API, as upstream's DynamicControllerClientBuilder
// (tokenSourceImpl): each fetch gets or creates the ServiceAccount, then asks serviceaccounts/token
// for a token of expirationSeconds (default 3600), trying four times 0.5 s, 1 s and 2 s apart. The
// token is handed out until leewayPercent (default 20) of its lifetime is left: its lifetime is
// the expirationTimestamp less now, pinned to at least 10 minutes (a shorter one is taken for
// clock skew), so a one-hour token is fetched again after 48 minutes, on the first request after.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Logger } from 'pino';
import { realClock, sleep, type Clock } from '../../client/clock.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import type { Token, TokenSource } from '../../client/transport/token-source.js';
import { getOrCreateServiceAccount } from './service-account.js';

export const defaultExpirationSeconds = 3600;
export const defaultLeewayPercent = 20;
const minLifetimeMs = 10 * 60_000;
/** wait.Backoff{Duration: 500ms, Factor: 2, Steps: 4}: four tries in all. */
const backoff = { initialMs: 500, factor: 2, steps: 4 };

export interface ServiceAccountTokenSourceOptions {
  /** The controller manager's own client: it reads or creates the account and requests the token. */
  client: Client;
  namespace: string;
  name: string;
  expirationSeconds: number;
  leewayPercent: number;
  /** Reads now() for the token's expiry. */
  clock: Clock;
  log: Logger;
  /** Ends the waits between tries (the manager is stopping). */
  signal?: AbortSignal;
}

export function serviceAccountTokenSource(o: ServiceAccountTokenSourceOptions): TokenSource {
  const fields = { namespace: o.namespace, serviceAccount: o.name };
  const request = async (): Promise<TokenRequest> => {
    for (let step = 1; ; step++) {
      try {
        await getOrCreateServiceAccount(o.client, o.namespace, o.name, o.log);
        return await o.client.resource(resources.serviceAccounts, o.namespace).createToken(o.name, { spec: { audiences: [], expirationSeconds: o.expirationSeconds } });
      } catch (err) {
        o.log.info({ ...fields, err }, 'cannot get a token for the service account');
        const last = step >= backoff.steps || !(await sleep(realClock, backoff.initialMs * backoff.factor ** (step - 1), o.signal));
        if (last) throw new Error(`failed to get token for ${o.namespace}/${o.name}: ${(err as Error).message ?? String(err)}`, { cause: err });
      }
    }
  };
  return {
    async token(): Promise<Token> {
      const tr = await request();
      if (tr.spec?.expirationSeconds === undefined || !tr.status?.token) throw new Error(`the TokenRequest for ${o.namespace}/${o.name} was answered without a token or its expiration`);
      const now = o.clock.now();
      let lifetime = Date.parse(tr.status.expirationTimestamp) - now;
      // Shorter than the API's minimum (or unreadable): the clocks disagree; trust the minimum.
      if (!(lifetime >= minLifetimeMs)) lifetime = minLifetimeMs;
      const expiry = now + lifetime - Math.floor((lifetime * o.leewayPercent) / 100);
      o.log.debug({ ...fields, refreshAfter: new Date(expiry).toISOString() }, 'obtained a service account token');
      return { accessToken: tr.status.token, expiry };
    },
  };
}
