// Sending one request with the client's retry policy and turning non-2xx answers into ApiErrors.
// Retries (none otherwise, as client-go):
// - 429 with a Retry-After header, any verb (the server did not act on the request), waiting
//   what the server asked (capped);
// - a connection reset before or while reading the answer, for GET only (idempotent), with
//   exponential backoff.
// Both are bounded by maxRetries.
import { finished, type Readable } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { apiErrorFromResponse } from './errors.js';

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

/** The whole body. A body that closes before its end rejects (ERR_STREAM_PREMATURE_CLOSE, or the
 *  stream's own error), as async iteration does; 'data' events and one finished() callback cost
 *  less per response than an async iterator's promise per chunk. */
export function readAll(body: Readable): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    finished(body, { writable: false }, (err) => {
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
}

function header(res: TransportResponse, name: string): string | undefined {
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
      const error = apiErrorFromResponse(res.status, text, header(res, 'retry-after'));
      if (res.status === 429 && error.retryAfterSeconds !== undefined && attempt < this.maxRetries && !req.signal?.aborted) {
        await this.sleep(Math.min(error.retryAfterSeconds, this.maxRetryAfter) * 1000, req.signal);
        continue;
      }
      throw error;
    }
  }

  /** The whole body of a 2xx response; a reset while reading is retried for GET too. */
  async text(req: TransportRequest): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.stream(req);
      try {
        return (await readAll(res.body)).toString('utf8');
      } catch (err) {
        await this.retryAfterReset(req, err, attempt);
      }
    }
  }

  async json<T>(req: TransportRequest): Promise<T> {
    const text = await this.text(req);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${req.method} ${req.path}: the server answered with something that is not JSON: ${JSON.stringify(text.slice(0, 200))}`, { cause: err });
    }
  }

  /** Returns to retry, or rethrows `err` when the request must not be retried. */
  private async retryAfterReset(req: TransportRequest, err: unknown, attempt: number): Promise<void> {
    if (req.method !== 'GET' || !isConnectionReset(err) || attempt >= this.maxRetries || req.signal?.aborted) throw err;
    await this.sleep(this.resetBackoffMs * 2 ** attempt, req.signal);
  }
}
