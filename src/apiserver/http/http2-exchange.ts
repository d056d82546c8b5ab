// HTTP/2 requests served from the core 'stream' API through a thin request/response pair, instead
// of Node's compatibility API (Http2ServerRequest/Response). The compatibility objects cost every
// request two more stream objects, a second Readable the body is pushed through, a dozen
// listeners and trailers on every response; this pair holds the stream and passes calls on.
//
// What the handlers use, and what these classes therefore provide (as the compatibility API does):
//   request:  method, url, headers (the stream's, pseudo-headers included), rawHeaders (names and
//             values in turn, as received), httpVersion, socket
//             (the connection's TLS socket), stream, 'data'/'end'/'error'/'close' on the body,
//             readableEnded, resume(), pipe().
//   response: statusCode, headersSent, stream, writeHead, flushHeaders, write (false when the
//             stream is full; then 'drain'), end, writableLength, 'finish' and 'close' (both when
//             the stream closes, whether the response was complete or the client went away).
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';

type Listener = (...args: never[]) => void;

/** Headers HTTP/2 forbids (connection-specific, RFC 9113 8.2.2): dropped, as the compatibility API drops Connection. */
const connectionHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

// respond()'s options, shared: Node copies them.
const moreToCome = { endStream: false };
const nothingMore = { endStream: true };

/** Names and values in turn, as Node's 'stream' event passes them (a header object's own entries otherwise). */
function rawHeadersOf(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) raw.push(name, String(one));
  }
  return raw;
}

export class Http2Request {
  readonly httpVersion = '2.0';
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;
  readonly method: string;
  readonly url: string;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
    readonly rawHeaders: string[] = rawHeadersOf(headers),
  ) {
    this.method = (headers[':method'] as string | undefined) ?? 'GET';
    this.url = (headers[':path'] as string | undefined) ?? '/';
  }

  /** The connection's TLS socket (shared by every stream of the session). */
  get socket(): TLSSocket | undefined {
    return this.stream.session?.socket as TLSSocket | undefined;
  }

  get readableEnded(): boolean {
    return this.stream.readableEnded;
  }

  on(event: 'data' | 'end' | 'error' | 'close' | 'aborted', listener: Listener): this {
    this.stream.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once(event: 'data' | 'end' | 'error' | 'close' | 'aborted', listener: Listener): this {
    this.stream.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  resume(): this {
    this.stream.resume();
    return this;
  }

  pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    return this.stream.pipe(destination, options);
  }
}

export class Http2Response {
  private code = 200;
  private ended = false;

  constructor(readonly stream: ServerHttp2Stream) {}

  get statusCode(): number {
    return this.code;
  }

  set statusCode(code: number) {
    if (!Number.isInteger(code) || code < 200 || code > 599) throw new RangeError(`invalid HTTP/2 response status ${code}`);
    this.code = code;
  }

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get writableLength(): number {
    return this.stream.writableLength;
  }

  /** 'finish' and 'close' both come when the stream closes, as from the compatibility response. */
  on(event: 'finish' | 'close' | 'drain' | 'error', listener: Listener): this {
    this.stream.on(event === 'finish' ? 'close' : event, listener as (...args: unknown[]) => void);
    return this;
  }

  once(event: 'finish' | 'close' | 'drain' | 'error', listener: Listener): this {
    this.stream.once(event === 'finish' ? 'close' : event, listener as (...args: unknown[]) => void);
    return this;
  }

  writeHead(statusCode: number, headers?: OutgoingHttpHeaders | Record<string, string | string[] | number | undefined>): this {
    this.statusCode = statusCode;
    this.respond(headers, false);
    return this;
  }

  flushHeaders(): void {
    if (!this.stream.headersSent) this.respond(undefined, false);
  }

  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.ended || this.stream.destroyed) return false;
    if (!this.stream.headersSent) this.respond(undefined, false);
    if (this.stream.writableEnded) return false;
    return this.stream.write(chunk, cb);
  }

  /**
   * Ends the response. A last chunk is written first and the stream ended once that write has
   * completed, not with it: a stream ended with its last write closes (END_STREAM on that DATA
   * frame, the request side being done) before the write completes, and Node then builds an
   * ERR_STREAM_DESTROYED error, stack trace and all, for the destroyed stream's pending end, on
   * every response. Measured on a bare server: ending after the write costs the server less CPU
   * per request, and the client no more, than the empty END_STREAM frame it adds.
   */
  end(chunk?: string | Uint8Array): this {
    if (this.ended) return this;
    this.ended = true;
    const stream = this.stream as ServerHttp2Stream & { headRequest?: boolean };
    if (stream.destroyed || stream.closed) return this;
    const empty = chunk === undefined || chunk.length === 0;
    if (!stream.headersSent) {
      // A HEAD request's stream was ended by Node; no body may follow its headers.
      if (empty || stream.headRequest) {
        this.respond(undefined, true);
        return this;
      }
      this.respond(undefined, false);
    }
    // (A 204, 205 or 304 response is ended by Node with its headers.)
    if (stream.writableEnded) return this;
    if (empty || stream.headRequest) {
      stream.end();
      return this;
    }
    stream.write(chunk, () => {
      if (!stream.destroyed) stream.end();
    });
    return this;
  }

  private respond(headers: Record<string, unknown> | undefined, endStream: boolean): void {
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const h: OutgoingHttpHeaders = { ':status': this.code };
    if (headers) {
      for (const k of Object.keys(headers)) {
        const v = headers[k];
        if (v === undefined) continue;
        const name = k.toLowerCase();
        if (connectionHeaders.has(name)) continue;
        h[name] = v as OutgoingHttpHeaders[string];
      }
    }
    stream.respond(h, endStream ? nothingMore : moreToCome);
  }

  /**
   * Sends headers built by the caller in HTTP/2's form: names in lower case, none of them
   * connection-specific, ':status' first and equal to `statusCode` (respond.ts's JSON responses,
   * whose header object is one literal instead of a copy of a copy).
   */
  respondWith(statusCode: number, headers: OutgoingHttpHeaders): void {
    this.statusCode = statusCode;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond(headers, moreToCome);
  }
}

/**
 * The 'stream' listener that serves each HTTP/2 stream with `handle`. Stream errors (a client's
 * RST_STREAM, a broken connection) end the exchange through 'close'; without a listener for them
 * they would be thrown.
 */
export function serveHttp2Streams(handle: (req: Http2Request, res: Http2Response) => void): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void {
  return (stream, headers, _flags, rawHeaders) => {
    stream.on('error', ignoreStreamError);
    const res = new Http2Response(stream);
    // Expectations as the compatibility API meets them: 100-continue is answered at once, any
    // other is refused with 417.
    const expect = headers.expect;
    if (expect !== undefined) {
      if (expect !== '100-continue') {
        res.statusCode = 417;
        res.end();
        return;
      }
      if (!stream.destroyed && !stream.headersSent) stream.additionalHeaders({ ':status': 100 });
    }
    handle(new Http2Request(stream, headers, rawHeaders), res);
  };
}

function ignoreStreamError(): void {
  // The exchange ends on 'close', which follows.
}
