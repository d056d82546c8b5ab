// The in-process transport: calls the API server's request function directly with minimal
// request/response objects built on node:stream. No socket, no TLS, but the same filters
// (authentication reads the user from `inProcessUserKey`, authorization, admission) and the same
// handlers run, with bodies as bytes exactly as over the network.
//
// What the server's handlers use, and what this file therefore provides:
//   request:  method, url, headers (lower-case), httpVersion, socket (a stub without
//             getPeerCertificate), async iteration / resume() of the body, 'close' when the
//             client goes away (abort or body destroyed) or the exchange is over.
//   response: statusCode, headersSent, setHeader/getHeader/removeHeader/hasHeader/getHeaders,
//             writeHead, flushHeaders, write, end, writableLength (grows when the reader is
//             slow: the watch handler ends watchers that fall too far behind), 'finish', 'close'.
// Backpressure: response writes complete only when the reading side has room, so a consumer that
// stops pulling a watch leaves events buffered in the response, as a full socket would.
import { PassThrough, Readable, Writable } from 'node:stream';
import { inProcessUserKey, type InProcessUser, type Transport, type TransportRequest, type TransportResponse } from '../types.js';

/** The server's request function, e.g. ApiServer.handle. Typed loosely on purpose: src/client
 *  must not import the API server's Request/Response types. */
export type InProcessHandler = (req: never, res: never) => void;

type HeaderValue = string | string[] | number;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('the request was aborted');
  err.name = 'AbortError';
  return err;
}

class HeadersSentError extends Error {
  readonly code = 'ERR_HTTP_HEADERS_SENT';
  constructor(what: string) {
    super(`Cannot ${what} headers after they are sent to the client`);
  }
}

/** The request as the server sees it. */
class InProcessRequest extends Readable {
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly socket = { remoteAddress: '127.0.0.1', remotePort: 0, localAddress: '127.0.0.1', localPort: 0, encrypted: false, destroyed: false };
  [inProcessUserKey]: InProcessUser;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
    body: Buffer | undefined,
    user: InProcessUser,
  ) {
    // autoDestroy off: 'close' means "the client went away or the exchange is over", as on a
    // real connection, not "the handler finished reading the body".
    super({ autoDestroy: false, read() {} });
    this[inProcessUserKey] = user;
    if (body?.length) this.push(body);
    this.push(null);
  }

  get connection(): InProcessRequest['socket'] {
    return this.socket;
  }
}

/** The response as the server sees it; its bytes flow into `body`, the client's readable side. */
class InProcessResponse extends Writable {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  private readonly fields = new Map<string, { name: string; value: HeaderValue }>();

  constructor(
    private readonly body: PassThrough,
    private readonly onHead: (status: number, headers: Record<string, string | string[]>) => void,
  ) {
    super({ highWaterMark: 64 * 1024 });
    // A handler bug (write after end) must not crash the process hosting the server; on a real
    // socket it is likewise confined to one response.
    this.on('error', () => {});
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) throw new HeadersSentError('set');
    this.fields.set(name.toLowerCase(), { name, value });
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.fields.get(name.toLowerCase())?.value;
  }

  getHeaders(): Record<string, HeaderValue> {
    return Object.fromEntries([...this.fields].map(([k, v]) => [k, v.value]));
  }

  hasHeader(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    if (this.headersSent) throw new HeadersSentError('remove');
    this.fields.delete(name.toLowerCase());
  }

  writeHead(status: number, reasonOrHeaders?: string | Record<string, HeaderValue | undefined>, maybeHeaders?: Record<string, HeaderValue | undefined>): this {
    if (this.headersSent) throw new HeadersSentError('write');
    const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
    if (typeof reasonOrHeaders === 'string') this.statusMessage = reasonOrHeaders;
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) this.setHeader(k, v);
    this.sendHead();
    return this;
  }

  flushHeaders(): void {
    this.sendHead();
  }

  private sendHead(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const out: Record<string, string | string[]> = {};
    for (const [k, { value }] of this.fields) out[k] = Array.isArray(value) ? value.map(String) : String(value);
    this.onHead(this.statusCode, out);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sendHead();
    if (this.body.destroyed) {
      cb();
      return;
    }
    if (this.body.write(chunk)) {
      cb();
      return;
    }
    const done = () => {
      this.body.off('drain', done);
      this.body.off('close', done);
      cb();
    };
    this.body.on('drain', done);
    this.body.on('close', done);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.sendHead();
    if (!this.body.destroyed) this.body.end();
    cb();
  }
}

export class InProcessTransport implements Transport {
  private readonly open = new Set<(err?: Error) => void>();

  constructor(
    private readonly handler: InProcessHandler,
    private readonly user: InProcessUser,
  ) {}

  request(req: TransportRequest): Promise<TransportResponse> {
    const { signal } = req;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const headers: Record<string, string> = { host: 'in-process', 'user-agent': 'k8ts-client (in-process)', accept: 'application/json' };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const bodyBytes = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    if (bodyBytes) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(bodyBytes.length);
    }
    const request = new InProcessRequest(req.method, req.path, headers, bodyBytes, this.user);
    const body = new PassThrough({ highWaterMark: 64 * 1024 });

    return new Promise<TransportResponse>((resolve, reject) => {
      let responded = false;
      // Ends the exchange from the client side: the server sees req and res 'close' (a watch
      // stops), the reader sees the error if one is given.
      const hangUp = (err?: Error) => {
        this.open.delete(hangUp);
        signal?.removeEventListener('abort', onAbort);
        if (!request.destroyed) request.destroy();
        if (!response.destroyed) response.destroy();
        if (!body.destroyed) body.destroy(err);
        if (!responded) reject(err ?? new Error('the in-process transport was closed'));
      };
      const onAbort = () => hangUp(abortError(signal!));
      const response = new InProcessResponse(body, (status, h) => {
        responded = true;
        resolve({ status, headers: h, body });
      });
      // The reader is done (consumed to the end or destroyed early): the exchange is over.
      body.on('close', () => hangUp());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.open.add(hangUp);
      try {
        (this.handler as (req: InProcessRequest, res: InProcessResponse) => void)(request, response);
      } catch (err) {
        hangUp(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Ends every open exchange (watches end with an error for their readers). */
  async close(): Promise<void> {
    for (const hangUp of [...this.open]) hangUp(new Error('the in-process transport was closed'));
  }
}
