// A transport that presents a bearer token from a CachingTokenSource on every request, as
// client-go's ResettableTokenSourceWrapTransport: the token is read per request, so a refreshed
// one is used from the next request on without rebuilding the client; a 401 answer resets the
// token it was sent with. A request that already carries an Authorization header is sent as it is.
import type { BufferedResponse, Transport, TransportRequest, TransportResponse } from '../types.js';
import type { CachingTokenSource, Token } from './token-source.js';

export class TokenSourceTransport implements Transport {
  readonly requestBuffered?: (req: TransportRequest, skip2xxBody?: boolean) => Promise<BufferedResponse>;

  /** `base` carries no credential of its own (an anonymous config); close() closes it. */
  constructor(
    private readonly base: Transport,
    private readonly source: CachingTokenSource,
  ) {
    const buffered = base.requestBuffered?.bind(base);
    if (buffered) this.requestBuffered = (req, skip2xxBody) => this.send(req, (r) => buffered(r, skip2xxBody));
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return this.send(req, (r) => this.base.request(r));
  }

  close(): Promise<void> {
    return this.base.close();
  }

  private async send<R extends { status: number }>(req: TransportRequest, send: (req: TransportRequest) => Promise<R>): Promise<R> {
    if (req.headers && Object.keys(req.headers).some((k) => k.toLowerCase() === 'authorization')) return send(req);
    const token: Token = await this.source.token();
    const res = await send({ ...req, headers: { ...req.headers, authorization: `Bearer ${token.accessToken}` } });
    if (res.status === 401) this.source.reset(token);
    return res;
  }
}
