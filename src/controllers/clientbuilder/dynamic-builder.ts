// The client builder of a standalone controller manager (`k8ts controller-manager`) under
// --use-service-account-credentials, as upstream's DynamicControllerClientBuilder: each
// controller's client reaches the same server with the same CA and TLS settings as the
// manager's kubeconfig but without its credentials (no client certificate, token or password),
// and presents a bearer token of the controller's ServiceAccount got with the TokenRequest API
// by the manager's own client, refreshed before it expires (token-request-source.ts) and after a
// 401, without rebuilding the client. Controllers that share an account share its client and
// token; every client shares one connection (the token goes with each request, not the session).
import type { Logger } from 'pino';
import { realClock, type Clock } from '../../client/clock.js';
import { anonymousClientConfig, type ClientConfig } from '../../client/kubeconfig/client-config.js';
import { Client } from '../../client/rest/client.js';
import { DEFAULT_USER_AGENT, HttpsTransport, type HttpsTransportOptions } from '../../client/transport/https.js';
import { CachingTokenSource } from '../../client/transport/token-source.js';
import { TokenSourceTransport } from '../../client/transport/token-source-transport.js';
import type { Transport, TransportRequest } from '../../client/types.js';
import { controllerServiceAccountUser } from '../context.js';
import { CONTROLLER_ACCOUNTS_NAMESPACE, type ControllerClientBuilder } from './builder.js';
import { ServiceAccountEnsurer } from './service-account-ensurer.js';
import { defaultExpirationSeconds, defaultLeewayPercent, serviceAccountTokenSource } from './token-request-source.js';

export interface DynamicClientBuilderOptions {
  /** The manager's client config: its server and TLS settings are kept, its credentials dropped. */
  config: ClientConfig;
  /** The manager's own client (the kubeconfig's user): it makes the accounts and requests their tokens. */
  client: Client;
  log: Logger;
  /** Lifetime asked of each token (default 3600 s; the API's minimum is 600). */
  expirationSeconds?: number;
  /** The share of a token's lifetime left when it is fetched again (default 20). */
  leewayPercent?: number;
  /** Decides when a token has expired (tests move it instead of waiting); waits between retries are real. */
  clock?: Clock;
  /** How the controllers' connection is made (protocol, user agent); as the manager's own. */
  transport?: HttpsTransportOptions;
}

export class DynamicClientBuilder implements ControllerClientBuilder {
  private readonly base: HttpsTransport;
  private readonly clients = new Map<string, Client>();
  private readonly ensurer: ServiceAccountEnsurer;
  private readonly stop = new AbortController();

  constructor(private readonly opts: DynamicClientBuilderOptions) {
    this.base = new HttpsTransport(anonymousClientConfig(opts.config), opts.transport);
    this.ensurer = new ServiceAccountEnsurer({ client: opts.client, namespace: CONTROLLER_ACCOUNTS_NAMESPACE, log: opts.log });
  }

  clientFor(serviceAccount: string): Client {
    const cached = this.clients.get(serviceAccount);
    if (cached) return cached;
    // Upstream gets or creates the account before handing out its client; here that happens in
    // the background, and every token fetch gets or creates it first, so no request is sent
    // with the account's token before the account exists.
    this.ensurer.ensure(serviceAccount);
    const { opts } = this;
    const tokens = new CachingTokenSource(
      serviceAccountTokenSource({
        client: opts.client,
        namespace: CONTROLLER_ACCOUNTS_NAMESPACE,
        name: serviceAccount,
        expirationSeconds: opts.expirationSeconds ?? defaultExpirationSeconds,
        leewayPercent: opts.leewayPercent ?? defaultLeewayPercent,
        clock: opts.clock ?? realClock,
        log: opts.log,
        signal: this.stop.signal,
      }),
      { clock: opts.clock, onRefreshError: (err) => opts.log.error({ serviceAccount, err }, 'unable to rotate the service account token; using the current one') },
    );
    // Upstream appends the account's user name to the manager's user agent (constructClient).
    const userAgent = `${opts.transport?.userAgent ?? DEFAULT_USER_AGENT}/${controllerServiceAccountUser(serviceAccount).username}`;
    const client = new Client({ transport: new TokenSourceTransport(sharedAs(this.base, userAgent), tokens), namespace: opts.config.namespace });
    this.clients.set(serviceAccount, client);
    return client;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.ensurer.close();
    await this.base.close();
  }
}

/** The shared connection with one account's user agent; closing it leaves the connection to the builder. */
function sharedAs(base: HttpsTransport, userAgent: string): Transport {
  const withAgent = (req: TransportRequest): TransportRequest => ({ ...req, headers: { ...req.headers, 'user-agent': userAgent } });
  return {
    request: (req) => base.request(withAgent(req)),
    requestBuffered: (req, skip2xxBody) => base.requestBuffered(withAgent(req), skip2xxBody),
    close: async () => undefined,
  };
}
