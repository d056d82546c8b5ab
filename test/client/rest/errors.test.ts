// Typed errors from the real API server, and the retry policy (429 + Retry-After; connection
// resets on GET only; bounded). The retry cases wrap the in-process transport with one that
// injects the failure, then passes through to the real server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { ApiError, apiErrorFromResponse, isAlreadyExists, isConflict, isForbidden, isGone, isInvalid, isNotFound, isTooManyRequests } from '../../../src/client/rest/errors.js';
import { isStatusError } from '../../../src/api/status.js';
import { InProcessTransport } from '../../../src/client/transport/in-process.js';
import type { Transport, TransportRequest, TransportResponse } from '../../../src/client/types.js';
import { adminUser, startInProcessApi, type InProcessApi } from '../transport/in-process-api.js';

let env: InProcessApi;
before(async () => {
  env = await startInProcessApi();
});
after(async () => {
  await env.close();
});

const predicates = { isNotFound, isAlreadyExists, isConflict, isInvalid, isForbidden, isGone, isTooManyRequests };

test('each failure the server reports becomes an ApiError with the Status and exactly one matching predicate', async () => {
  const cms = env.client().resource(resources.configMaps, 'default');
  const existing = await cms.create({ metadata: { name: 'errors' } });
  await cms.update({ ...existing, data: { bump: '1' } });
  const cases: Array<{ what: string; call: () => Promise<unknown>; code: number; reason: string; is: keyof typeof predicates; message: RegExp }> = [
    { what: 'get of a missing object', call: () => cms.get('missing'), code: 404, reason: 'NotFound', is: 'isNotFound', message: /configmaps "missing" not found/ },
    { what: 'create of an existing name', call: () => cms.create({ metadata: { name: 'errors' } }), code: 409, reason: 'AlreadyExists', is: 'isAlreadyExists', message: /already exists/ },
    { what: 'update with a stale resourceVersion', call: () => cms.update(existing), code: 409, reason: 'Conflict', is: 'isConflict', message: /has been modified/ },
    { what: 'create with an invalid name', call: () => cms.create({ metadata: { name: 'Not_Valid' } }), code: 422, reason: 'Invalid', is: 'isInvalid', message: /metadata\.name: Invalid value/ },
  ];
  for (const c of cases) {
    const err = await c.call().then(
      () => assert.fail(`${c.what} should fail`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError, c.what);
    assert.ok(isStatusError(err), `${c.what}: an ApiError is also the API layer's StatusError`);
    assert.equal(err.code, c.code, c.what);
    assert.equal(err.status.reason, c.reason, c.what);
    assert.equal(err.status.kind, 'Status');
    assert.match(err.message, c.message, c.what);
    const matching = Object.entries(predicates).filter(([, p]) => p(err)).map(([n]) => n);
    assert.deepEqual(matching, [c.is], c.what);
  }
  const invalid = await cms.create({ metadata: { name: 'Not_Valid' } }).catch((e: ApiError) => e);
  assert.equal((invalid as ApiError).details?.causes?.[0].field, 'metadata.name');
});

test('a response that is not a Status still becomes an ApiError with a reason inferred from the code', () => {
  const cases = [
    { code: 404, body: '404 page not found', is: isNotFound },
    { code: 429, body: '', is: isTooManyRequests },
    { code: 410, body: '<html>gone</html>', is: isGone },
  ];
  for (const c of cases) {
    const err = apiErrorFromResponse(c.code, c.body);
    assert.equal(err.code, c.code);
    assert.ok(c.is(err), `${c.code}`);
  }
  assert.equal(apiErrorFromResponse(429, '', '7').retryAfterSeconds, 7);
});

/** Fails the first `n` matching requests the way `fail` says, then passes through to the server. */
class FlakyTransport implements Transport {
  attempts = 0;
  constructor(
    private readonly inner: Transport,
    private n: number,
    private readonly fail: (req: TransportRequest) => TransportResponse | Error,
  ) {}
  async request(req: TransportRequest): Promise<TransportResponse> {
    this.attempts++;
    if (this.n > 0) {
      this.n--;
      const r = this.fail(req);
      if (r instanceof Error) throw r;
      return r;
    }
    return this.inner.request(req);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const tooMany = (retryAfter?: string): TransportResponse => ({
  status: 429,
  headers: retryAfter ? { 'retry-after': retryAfter } : {},
  body: Readable.from([JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'slow down' })]),
});
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

function flakyClient(n: number, fail: (req: TransportRequest) => TransportResponse | Error, maxRetries = 5) {
  const slept: number[] = [];
  const transport = new FlakyTransport(new InProcessTransport(env.api.handle as never, adminUser), n, fail);
  const client = new Client({ transport, retry: { maxRetries, sleep: async (ms) => void slept.push(ms) } });
  return { client, transport, slept };
}

test('429 with Retry-After is retried after the time the server asked for, for any verb', async () => {
  const { client, transport, slept } = flakyClient(2, () => tooMany('3'));
  const created = await client.resource(resources.configMaps, 'default').create({ metadata: { name: 'after-429' } });
  assert.equal(created.metadata?.name, 'after-429');
  assert.equal(transport.attempts, 3);
  assert.deepEqual(slept, [3000, 3000]);
});

test('429 without Retry-After is not retried and surfaces as isTooManyRequests', async () => {
  const { client, transport } = flakyClient(1, () => tooMany());
  await assert.rejects(client.resource(resources.configMaps, 'default').list(), isTooManyRequests);
  assert.equal(transport.attempts, 1);
});

test('a connection reset is retried with backoff for GET, and never for POST (the server may have acted)', async () => {
  const get = flakyClient(2, reset);
  assert.ok(Array.isArray((await get.client.resource(resources.configMaps, 'default').list()).items));
  assert.equal(get.transport.attempts, 3);
  assert.deepEqual(get.slept, [100, 200]);

  const post = flakyClient(1, reset);
  await assert.rejects(post.client.resource(resources.configMaps, 'default').create({ metadata: { name: 'not-retried' } }), { code: 'ECONNRESET' });
  assert.equal(post.transport.attempts, 1);
});

test('retries are bounded: a GET that keeps failing gives up after maxRetries and reports the last error', async () => {
  const { client, transport } = flakyClient(100, reset, 3);
  await assert.rejects(client.resource(resources.configMaps, 'default').list(), { code: 'ECONNRESET' });
  assert.equal(transport.attempts, 4);
});
