// Sending one request with the client's retry policy and turning non-2xx answers into ApiErrors.
// Retries (none otherwise, as client-go):
// - 429 with a Retry-After header, any verb (the server did not act on the request), waiting
//   what the server asked (capped);
// - a connection reset before or while reading the answer, for GET only (idempotent), with
//   exponential backoff.
// Both are bounded by maxRetries.
import type { BufferedResponse, Transport, TransportRequest, TransportResponse } from '../types.js';
import { readAll } from '../transport/read-body.js';
import { apiErrorFromResponse, type ApiError } from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** Longest Retry-After honoured, in seconds (default 60). */
  maxRetryAfterSeconds?: number;
  /** First backoff after a connection reset, doubled each time (default 100 ms). */
  resetBackoffMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const resetCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_STREAM_ERROR',
]);

export function isConnectionReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && resetCodes.has(code);
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function header(res: TransportResponse | BufferedResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class Requester {
  private readonly maxRetries: number;
  private readonly maxRetryAfter: number;
  private readonly resetBackoffMs: number;
  private readonly sleep: NonNullable<RetryPolicy['sleep']>;

  constructor(
    readonly transport: Transport,
    policy: RetryPolicy = {},
  ) {
    this.maxRetries = policy.maxRetries ?? 5;
    this.maxRetryAfter = policy.maxRetryAfterSeconds ?? 60;
    this.resetBackoffMs = policy.resetBackoffMs ?? 100;
    this.sleep = policy.sleep ?? defaultSleep;
  }

  /** A 2xx response with its body unread (watches, logs); otherwise throws an ApiError. */
  async stream(req: TransportRequest): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      let res: TransportResponse;
      try {
        res = await this.transport.request(req);
      } catch (err) {
        await this.retryAfterReset(req, err, attempt);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      const text = (await readAll(res.body).catch(() => Buffer.alloc(0))).toString('utf8');
      const error = await this.failure(req, res, text, attempt);
      if (error) throw error;
    }
  }

  /** The whole body of a 2xx response; a reset while reading is retried for GET too. */
  text(req: TransportRequest): Promise<string> {
    return this.unary(req, asText);
  }

  /**
   * The request for its outcome only: resolves on a 2xx answer whose body is read to its end but
   * not decoded (nor kept); throws the ApiError of any other answer (client-go's Do(ctx).Error()).
   */
  discard(req: TransportRequest): Promise<void> {
    return this.unary(req, undefined);
  }

  /** A 2xx answer decoded as JSON. */
  json<T>(req: TransportRequest): Promise<T> {
    return this.unary(req, asJson) as Promise<T>;
  }

  /** The whole body of a 2xx response, passed to `decode` (none: read and dropped). Not async
   *  itself: each layer of promises is paid per request. */
  private unary<R>(req: TransportRequest, decode: Decoder<R>): Promise<R>;
  private unary(req: TransportRequest, decode: undefined): Promise<void>;
  private unary<R>(req: TransportRequest, decode: Decoder<R> | undefined): Promise<R | void> {
    return this.transport.requestBuffered ? this.buffered(req, decode) : this.streamed(req, decode);
  }

  /** unary() over request(): stream() then read the body whole. */
  private async streamed<R>(req: TransportRequest, decode: Decoder<R> | undefined): Promise<R | undefined> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.stream(req);
      let body: Buffer;
      try {
        body = await readAll(res.body);
      } catch (err) {
        await this.retryAfterReset(req, err, attempt);
        continue;
      }
      return decode?.(body, req);
    }
  }

  /** unary() over a transport that collects bodies itself: the same retries and errors as
   *  stream() then readAll(). A transport that can (HTTPS) is told when a 2xx body is not wanted. */
  private async buffered<R>(req: TransportRequest, decode: Decoder<R> | undefined): Promise<R | undefined> {
    const transport = this.transport as Required<Pick<Transport, 'requestBuffered'>>;
    for (let attempt = 0; ; attempt++) {
      let res: BufferedResponse;
      try {
        res = await transport.requestBuffered(req, decode === undefined);
      } catch (err) {
        await this.retryAfterReset(req, err, attempt);
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        if (!res.error) return decode?.(res.body, req);
        await this.retryAfterReset(req, res.error, attempt);
        continue;
      }
      // An error answer whose body was cut is judged by its status alone (as stream() does).
      const error = await this.failure(req, res, res.error ? '' : res.body.toString('utf8'), attempt);
      if (error) throw error;
    }
  }

  /** The ApiError of a non-2xx answer; undefined once a 429's Retry-After was waited out (send again). */
  private async failure(req: TransportRequest, res: TransportResponse | BufferedResponse, text: string, attempt: number): Promise<ApiError | undefined> {
    const error = apiErrorFromResponse(res.status, text, header(res, 'retry-after'));
    if (res.status === 429 && error.retryAfterSeconds !== undefined && attempt < this.maxRetries && !req.signal?.aborted) {
      await this.sleep(Math.min(error.retryAfterSeconds, this.maxRetryAfter) * 1000, req.signal);
      return undefined;
    }
    return error;
  }

  /** Returns to retry, or rethrows `err` when the request must not be retried. */
  private async retryAfterReset(req: TransportRequest, err: unknown, attempt: number): Promise<void> {
    if (req.method !== 'GET' || !isConnectionReset(err) || attempt >= this.maxRetries || req.signal?.aborted) throw err;
    await this.sleep(this.resetBackoffMs * 2 ** attempt, req.signal);
  }
}

type Decoder<R> = (body: Buffer, req: TransportRequest) => R;

function asText(body: Buffer): string {
  return body.toString('utf8');
}

function asJson(body: Buffer, req: TransportRequest): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${req.method} ${req.path}: the server answered with something that is not JSON: ${JSON.stringify(text.slice(0, 200))}`, { cause: err });
  }
}
