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
    return this.withRefusedRetry(() => this.once(headers, body, signal, false) as Promise<TransportResponse>);
  }

  /** One request whose body this connection collects from the stream's frames: no body stream
   *  per request (see BufferedResponse for a body cut short). */
  requestBuffered(headers: Record<string, string>, body: string | Buffer | undefined, signal?: AbortSignal): Promise<BufferedResponse> {
    return this.withRefusedRetry(() => this.once(headers, body, signal, true) as Promise<BufferedResponse>);
  }

  private async withRefusedRetry<R>(send: () => Promise<R>): Promise<R> {
    // A refused stream (REFUSED_STREAM: the server lowered its limit, or raced our count) was
    // never processed, so it is safe to send again whatever the method.
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (!(err instanceof RefusedStreamError) || attempt >= 5) throw err;
      }
    }
  }

  private async once(headers: Record<string, string>, body: string | Buffer | undefined, signal: AbortSignal | undefined, buffered: boolean): Promise<TransportResponse | BufferedResponse> {
    if (signal?.aborted) throw abortError(signal);
    const session = await this.acquire(signal);
    let stream: ClientHttp2Stream;
    try {
      stream = session.h2.request(headers, { endStream: body === undefined });
    } catch (err) {
      this.release(session);
      throw err;
    }
    return new Promise<TransportResponse | BufferedResponse>((resolve, reject) => {
      let responded = false;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        signal?.removeEventListener('abort', onAbort);
        this.release(session);
      };
      let responseStream: Readable | undefined;
      // Buffered: the answer so far, settled once with the body or with the reason it was cut.
      let answer: BufferedResponse | undefined;
      let chunks: Buffer[] | undefined;
      const settle = (error?: Error) => {
        if (!answer || !chunks) return;
        answer.body = joinChunks(chunks);
        if (error) answer.error = error;
        chunks = undefined;
        resolve(answer);
      };
      const onAbort = () => {
        const err = abortError(signal!);
        // The caller's body ends with the abort itself, as with the other transports.
        responseStream?.destroy(err);
        settle(err);
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
        stream.destroy(err);
        if (!responded) reject(err);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('response', (h: IncomingHttpHeaders) => {
        responded = true;
        const out: Record<string, string | string[] | undefined> = {};
        for (const k in h) if (k.charCodeAt(0) !== 58 /* ':' */) out[k] = h[k];
        const status = Number(h[':status']);
        if (!buffered) {
          responseStream = responseBody(stream);
          resolve({ status, headers: out, body: responseStream });
          return;
        }
        answer = { status, headers: out, body: emptyBody };
        chunks = [];
        stream.on('data', (c: Buffer) => chunks?.push(c));
        stream.on('end', () => settle(cutShort(stream)));
      });
      stream.on('error', (err) => {
        if (!responded) reject(stream.rstCode === constants.NGHTTP2_REFUSED_STREAM ? new RefusedStreamError(err.message) : err);
        else if (chunks) settle(new ConnectionClosedError(`HTTP/2 stream failed: ${err.message}`));
      });
      stream.on('close', () => {
        release();
        if (!responded) reject(new ConnectionClosedError(`HTTP/2 stream closed before a response (code ${stream.rstCode})`));
        else if (chunks) settle(new ConnectionClosedError(`HTTP/2 stream closed (code ${stream.rstCode}) before the server finished the response`));
      });
      if (body !== undefined) stream.end(body);
    });
  }

  /** Destroys every session; open streams end with an error. */
  close(): void {
    this.closed = true;
    for (const s of this.sessions) s.h2.destroy();
    this.sessions.clear();
    this.current = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  private release(s: Session): void {
    s.active--;
    if (s.active === 0) {
      if (!s.usable) s.h2.close();
      else s.h2.unref();
    }
    this.waiters.shift()?.();
  }

  private async acquire(signal?: AbortSignal): Promise<Session> {
    for (;;) {
      if (this.closed) throw new Error('transport is closed');
      const s = await this.session();
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
