// One HTTP/2 session to one server, multiplexing every request and watch (as client-go does).
// Contracts:
// - At most one live session; it is opened on first use and replaced when it closes, errors or
//   receives GOAWAY (streams already open on a draining session finish on it).
// - No more streams than the server's SETTINGS_MAX_CONCURRENT_STREAMS are open at once on a
//   session; further requests wait in FIFO order for a stream to close.
// - The session keeps the process alive only while it has open streams (unref when idle), so a
//   CLI that forgets close() still exits.
// - A stream that ends without the server finishing the response (reset, session died) ends
//   its readers with a ConnectionClosedError, never as a clean end (see responseBody).
import { AsyncResource } from 'node:async_hooks';
import { PassThrough, type Readable } from 'node:stream';
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';
import type { BufferedResponse, TransportResponse } from '../types.js';
import { joinChunks } from './read-body.js';

// Flow-control windows as Go's HTTP/2 transport (client-go) sets them: 4 MiB per stream, 1 GiB
// per connection. Node's 64 KiB default makes a large LIST wait for WINDOW_UPDATE round trips.
const STREAM_WINDOW = 4 << 20;
const CONNECTION_WINDOW = 1 << 30;

interface Session {
  h2: ClientHttp2Session;
  active: number;
  /** False once GOAWAY arrived or the session closed: no new streams on it. */
  usable: boolean;
}

export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  readonly code = 'ECONNRESET';
}

class RefusedStreamError extends Error {}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('the request was aborted');
  err.name = 'AbortError';
  return err;
}

export class Http2Connection {
  private current?: Session;
  private connecting?: Promise<Session>;
  private readonly waiters: Array<() => void> = [];
  private readonly sessions = new Set<Session>();
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly tls: SecureClientSessionOptions,
  ) {}

  /** How many sessions exist (live or draining): tests check that watches share one. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** One request; the caller reads (or destroys) the streamed body. */
  request(headers: Record<string, string>, body: string | Buffer | undefined, signal?: AbortSignal): Promise<TransportResponse> {
    return new Promise<TransportResponse>((resolve, reject) => new Exchange(this, headers, body, signal, streamed, resolve as Settle, reject).start());
  }

  /** One request whose body this connection collects from the stream's frames: no body stream
   *  per request (see BufferedResponse for a body cut short). With `skip2xxBody`, a 2xx answer's
   *  body is read to its end but not kept (it comes back empty); other answers keep theirs. */
  requestBuffered(headers: Record<string, string>, body: string | Buffer | undefined, signal?: AbortSignal, skip2xxBody = false): Promise<BufferedResponse> {
    return new Promise<BufferedResponse>((resolve, reject) => new Exchange(this, headers, body, signal, skip2xxBody ? skipping : buffered, resolve as Settle, reject).start());
  }

  /** Destroys every session; open streams end with an error. */
  close(): void {
    this.closed = true;
    for (const s of this.sessions) s.h2.destroy();
    this.sessions.clear();
    this.current = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Frees a stream slot taken by tryAcquire or acquire (for Exchange). */
  release(s: Session): void {
    s.active--;
    if (s.active === 0) {
      if (!s.usable) s.h2.close();
      else s.h2.unref();
    }
    this.waiters.shift()?.();
  }

  /** A stream slot on the current session when one is free and nobody waits for one, else
   *  undefined (then acquire() waits). Synchronous: the common case costs no promise. */
  tryAcquire(): Session | undefined {
    const s = this.current;
    if (s === undefined || !s.usable || this.closed || this.waiters.length > 0) return undefined;
    if (s.active >= (s.h2.remoteSettings.maxConcurrentStreams ?? Infinity)) return undefined;
    if (++s.active === 1) s.h2.ref();
    return s;
  }

  /** A stream slot, once a session is open and has one free (for Exchange). */
  async acquire(signal?: AbortSignal): Promise<Session> {
    for (;;) {
      if (this.closed) throw new Error('transport is closed');
      const s = await this.session();
      // An abort while the session opened, or before this waiter listens, is not an event it will see.
      if (signal?.aborted) throw abortError(signal);
      const limit = s.h2.remoteSettings.maxConcurrentStreams ?? Infinity;
      if (s.usable && s.active < limit) {
        s.active++;
        if (s.active === 1) s.h2.ref();
        return s;
      }
      if (!s.usable) continue;
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal!));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(wake);
      });
    }
  }

  private session(): Promise<Session> {
    if (this.current?.usable) return Promise.resolve(this.current);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private open(): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      const h2 = connect(this.origin, { ...this.tls, ALPNProtocols: ['h2'], settings: { initialWindowSize: STREAM_WINDOW } });
      const s: Session = { h2, active: 0, usable: true };
      this.sessions.add(s);
      const retire = () => {
        s.usable = false;
        if (this.current === s) this.current = undefined;
        // Whoever waits for a stream slot re-acquires on a fresh session.
        for (const w of this.waiters.splice(0)) w();
      };
      // Usable once the server's first SETTINGS frame arrived: before it, its stream limit is
      // unknown and streams opened beyond it would be refused.
      let connected = false;
      let settled = false;
      const ready = () => {
        if (!connected || !settled) return;
        h2.off('error', onConnectError);
        h2.on('error', () => retire());
        // Servers that pick HTTP/1.1 in ALPN cannot speak to this transport.
        if (h2.alpnProtocol !== 'h2') {
          retire();
          h2.destroy();
          reject(new Error(`server at ${this.origin} did not negotiate HTTP/2 (ALPN ${h2.alpnProtocol ?? 'none'}); use the HTTP/1.1 transport`));
          return;
        }
        this.current = s;
        h2.unref();
        resolve(s);
      };
      h2.once('connect', () => {
        connected = true;
        h2.setLocalWindowSize(CONNECTION_WINDOW);
        ready();
      });
      h2.once('remoteSettings', () => {
        settled = true;
        ready();
      });
      const onConnectError = (err: Error) => {
        retire();
        this.sessions.delete(s);
        reject(err);
      };
      h2.once('error', onConnectError);
      h2.on('goaway', retire);
      h2.on('close', () => {
        retire();
        this.sessions.delete(s);
      });
    });
  }
}

const emptyBody = Buffer.alloc(0);

/** How an exchange hands back its answer: the body as a stream, collected, or (2xx) dropped. */
const streamed = 0;
const buffered = 1;
const skipping = 2;
type Mode = typeof streamed | typeof buffered | typeof skipping;

type Settle = (r: TransportResponse | BufferedResponse) => void;

/** A refused stream is sent again at most this many times. */
const maxRefusals = 5;

// Shared per-request arguments: Node copies them, so one object serves every request. The
// priority fields are Node's defaults (RFC 7540 weight 16, no parent): given, Node's copy is not
// grown field by field on every request.
const endStream = { endStream: true, weight: constants.NGHTTP2_DEFAULT_WEIGHT, parent: 0, exclusive: false, silent: false };
const withBody = { ...endStream, endStream: false };
const listenOnce = { once: true };

// Node 20's ClientHttp2Session.request() runs the stream's setup in the async scope of a
// PendingRequest AsyncResource, through AsyncResource.prototype.bind; that bind also defines a
// deprecated `asyncResource` accessor on the bound function, made by util.deprecate twice per
// call, and each of those sets the prototype of a new function to another new function. That is
// a quarter of the client's CPU per request (measured: ~100 µs → ~75 µs per request on a loaded
// 2-core machine). The bound function never leaves request() (it is called at once, or once the
// session connects), so nobody can read the accessor: during request() only, bind is this lean
// one, which runs fn in the resource's scope just the same.
const nodeBind = AsyncResource.prototype.bind;
function leanBind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown): (...args: unknown[]) => unknown {
  if (thisArg !== undefined) return this.runInAsyncScope.bind(this, fn, thisArg);
  const resource = this;
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}

/** session.request() with leanBind in place of AsyncResource.prototype.bind (see above). */
function openStream(h2: ClientHttp2Session, headers: Record<string, string>, options: typeof endStream): ClientHttp2Stream {
  AsyncResource.prototype.bind = leanBind as typeof nodeBind;
  try {
    return h2.request(headers, options);
  } finally {
    AsyncResource.prototype.bind = nodeBind;
  }
}

const exchangeKey = Symbol('k8ts.http2.exchange');
type ExchangeStream = ClientHttp2Stream & { [exchangeKey]: Exchange };

/**
 * One request on a connection, from taking a stream slot to its answer, across the resends of a
 * refused stream (REFUSED_STREAM: the server lowered its limit, or raced our count; such a stream
 * was never processed, so it is safe to send again whatever the method). Costs per request: a
 * free slot is taken synchronously; the stream's listeners are the shared functions below, which
 * find the exchange on the stream, and the exchange is its own abort listener (handleEvent), so
 * no closure is made per request beyond the promise's executor.
 */
class Exchange {
  private session?: Session;
  private stream?: ClientHttp2Stream;
  private refusals = 0;
  /** The response headers arrived on the current stream. */
  responded = false;
  /** A refusal seen before a response, acted on when the stream closes. */
  refused?: RefusedStreamError;
  /** Buffered: the answer so far, until settled with its body or the reason it was cut. */
  private answer?: BufferedResponse;
  chunks?: Buffer[];
  /** Streamed: the body handed to the caller. */
  private responseStream?: Readable;

  constructor(
    private readonly conn: Http2Connection,
    private readonly headers: Record<string, string>,
    private readonly body: string | Buffer | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly mode: Mode,
    private readonly resolve: Settle,
    readonly reject: (err: unknown) => void,
  ) {}

  /** Takes a stream slot (at once when one is free, else waiting for one) and sends the request. */
  start(): void {
    if (this.signal?.aborted) return this.reject(abortError(this.signal));
    const s = this.conn.tryAcquire();
    if (s) this.send(s);
    else this.conn.acquire(this.signal).then((got) => this.sendAfterWait(got), this.reject);
  }

  /** send() on a slot acquire() waited for: an abort while a session was being opened counts too. */
  private sendAfterWait(session: Session): void {
    if (!this.signal?.aborted) return this.send(session);
    this.conn.release(session);
    this.reject(abortError(this.signal));
  }

  private send(session: Session): void {
    let stream: ClientHttp2Stream;
    try {
      stream = openStream(session.h2, this.headers, this.body === undefined ? endStream : withBody);
    } catch (err) {
      this.conn.release(session);
      return this.reject(err);
    }
    this.session = session;
    this.stream = stream;
    this.responded = false;
    this.refused = undefined;
    (stream as ExchangeStream)[exchangeKey] = this;
    this.signal?.addEventListener('abort', this, listenOnce);
    stream.on('response', onResponse);
    stream.on('error', onError);
    stream.on('close', onClose);
    if (this.body !== undefined) stream.end(this.body);
  }

  responseArrived(stream: ClientHttp2Stream, h: IncomingHttpHeaders): void {
    this.responded = true;
    const headers: Record<string, string | string[] | undefined> = {};
    for (const k in h) if (k.charCodeAt(0) !== 58 /* ':' */) headers[k] = h[k];
    const status = Number(h[':status']);
    if (this.mode === streamed) {
      this.responseStream = responseBody(stream);
      return this.resolve({ status, headers, body: this.responseStream });
    }
    this.answer = { status, headers, body: emptyBody };
    if (this.mode === skipping && status >= 200 && status < 300) {
      stream.resume();
    } else {
      this.chunks = [];
      stream.on('data', onData);
    }
  }

  /** Buffered: answers with the body so far and, for a cut one, why (once; later calls do nothing). */
  settle(error?: Error): void {
    const answer = this.answer;
    if (!answer) return;
    this.answer = undefined;
    if (this.chunks) {
      answer.body = joinChunks(this.chunks);
      this.chunks = undefined;
    }
    if (error) answer.error = error;
    this.resolve(answer);
  }

  /** The stream closed: its slot is free; the exchange is answered, sent again (refused) or failed. */
  streamClosed(stream: ClientHttp2Stream): void {
    this.signal?.removeEventListener('abort', this);
    this.conn.release(this.session!);
    if (this.responded) {
      // Node closes a stream with NO_ERROR only after its readable side ended, so anything else
      // is a cut: a reset, or the session dying under it.
      if (stream.readableEnded && stream.rstCode === constants.NGHTTP2_NO_ERROR) this.settle();
      else this.settle(cutShort(stream) ?? new ConnectionClosedError(`HTTP/2 stream closed (code ${stream.rstCode}) before the server finished the response`));
      return;
    }
    if (this.refused && this.refusals < maxRefusals) {
      this.refusals++;
      return this.start();
    }
    this.reject(this.refused ?? new ConnectionClosedError(`HTTP/2 stream closed before a response (code ${stream.rstCode})`));
  }

  /** The caller's signal aborted while the stream was open. */
  handleEvent(): void {
    const stream = this.stream!;
    const err = abortError(this.signal!);
    // The caller's body ends with the abort itself, as with the other transports.
    this.responseStream?.destroy(err);
    this.settle(err);
    if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    stream.destroy(err);
    if (!this.responded) this.reject(err);
  }
}

function onResponse(this: ExchangeStream, h: IncomingHttpHeaders): void {
  this[exchangeKey].responseArrived(this, h);
}

function onData(this: ExchangeStream, chunk: Buffer): void {
  this[exchangeKey].chunks?.push(chunk);
}

function onError(this: ExchangeStream, err: Error): void {
  const x = this[exchangeKey];
  if (x.responded) x.settle(new ConnectionClosedError(`HTTP/2 stream failed: ${err.message}`));
  else if (this.rstCode === constants.NGHTTP2_REFUSED_STREAM) x.refused = new RefusedStreamError(err.message);
  else x.reject(err);
}

function onClose(this: ExchangeStream): void {
  this[exchangeKey].streamClosed(this);
}

/** At the end of a stream's readable side: undefined for a clean end (no RST code, or NO_ERROR),
 *  else why it ended early (Node ends it cleanly even when the session died under it). */
function cutShort(stream: ClientHttp2Stream): ConnectionClosedError | undefined {
  const code = stream.rstCode;
  if (!stream.destroyed || code === undefined || code === constants.NGHTTP2_NO_ERROR) return undefined;
  return new ConnectionClosedError(`HTTP/2 stream ended by ${code === constants.NGHTTP2_CANCEL ? 'a closed connection' : `RST_STREAM code ${code}`} before the server finished the response`);
}

/**
 * The body handed to the caller. Node ends an HTTP/2 stream's readable side cleanly even when the
 * session died under it (the stream is destroyed with RST code CANCEL and no error), so a watch
 * would look like a server-side timeout. This wrapper tells the two apart: a clean end has no RST
 * code or NO_ERROR; anything else ends the caller's body with a ConnectionClosedError.
 * Backpressure is kept (pipe), and a caller destroying the body cancels the stream.
 */
function responseBody(stream: ClientHttp2Stream): Readable {
  const body = new PassThrough();
  // Readers learn of a cut through their own iterator/pipeline or 'error' listener; this one only
  // keeps a caller that never listens for errors from crashing the process when a session dies.
  body.on('error', () => undefined);
  let ended = false;
  stream.pipe(body, { end: false });
  const cut = (why: string) => {
    if (ended || body.destroyed) return;
    ended = true;
    body.destroy(new ConnectionClosedError(why));
  };
  let streamEnded = false;
  stream.on('end', () => {
    streamEnded = true;
    const cutError = cutShort(stream);
    if (cutError) {
      cut(cutError.message);
      return;
    }
    if (ended) return;
    ended = true;
    body.end();
  });
  stream.on('error', (err) => cut(`HTTP/2 stream failed: ${err.message}`));
  stream.on('close', () => cut(`HTTP/2 stream closed (code ${stream.rstCode}) before the server finished the response`));
  body.on('close', () => {
    // A stream the server already ended needs no RST_STREAM: sending one per request looks like
    // a "rapid reset" flood to the server (nghttp2 then ends the session with INTERNAL_ERROR).
    if (!stream.destroyed && !streamEnded) {
      stream.close(constants.NGHTTP2_CANCEL);
      stream.destroy();
    }
  });
  return body;
}
