// The caching token source and the transport that presents its token (client-go's
// cachingTokenSource and ResettableTokenSourceWrapTransport): a token is reused until its expiry,
// one fetch serves every waiting request, a failed refresh keeps the held token, a 401 drops only
// the token it was sent with, and a request's own Authorization header wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { FakeClock } from '../../../src/client/clock.js';
import { CachingTokenSource, type Token } from '../../../src/client/transport/token-source.js';
import { TokenSourceTransport } from '../../../src/client/transport/token-source-transport.js';
import type { Transport, TransportRequest } from '../../../src/client/types.js';

/** A base source handing out t1, t2, … each valid for `lifetimeMs`, or failing when told to. */
function counting(clock: FakeClock, lifetimeMs = 60_000) {
  const state = { fetches: 0, fail: false, release: undefined as (() => void) | undefined, hold: false };
  return {
    state,
    source: {
      async token(): Promise<Token> {
        if (state.hold) await new Promise<void>((r) => (state.release = r));
        if (state.fail) throw new Error('the API is down');
        state.fetches++;
        return { accessToken: `t${state.fetches}`, expiry: clock.now() + lifetimeMs };
      },
    },
  };
}

test('a token is handed out until its expiry, then fetched again', async () => {
  const clock = new FakeClock();
  const { source, state } = counting(clock);
  const cache = new CachingTokenSource(source, { clock });
  assert.equal((await cache.token()).accessToken, 't1');
  clock.step(59_999);
  assert.equal((await cache.token()).accessToken, 't1');
  clock.step(1);
  assert.equal((await cache.token()).accessToken, 't2');
  assert.equal(state.fetches, 2);
});

test('requests that find no token wait for one fetch between them', async () => {
  const clock = new FakeClock();
  const { source, state } = counting(clock);
  state.hold = true;
  const cache = new CachingTokenSource(source, { clock });
  const waiting = [cache.token(), cache.token(), cache.token()];
  state.hold = false;
  state.release!();
  assert.deepEqual((await Promise.all(waiting)).map((t) => t.accessToken), ['t1', 't1', 't1']);
  assert.equal(state.fetches, 1);
});

test('a failed refresh hands out the held token again and reports the error; with no token held the error is thrown', async () => {
  const clock = new FakeClock();
  const { source, state } = counting(clock);
  const errors: unknown[] = [];
  const cache = new CachingTokenSource(source, { clock, onRefreshError: (err) => errors.push(err) });
  state.fail = true;
  await assert.rejects(cache.token(), /the API is down/);
  state.fail = false;
  await cache.token();
  clock.step(60_000);
  state.fail = true;
  assert.equal((await cache.token()).accessToken, 't1');
  assert.equal(errors.length, 1);
  state.fail = false;
  assert.equal((await cache.token()).accessToken, 't2', 'the next request tries again');
});

test('reset drops the token a refused request was sent with, never a newer one', async () => {
  const clock = new FakeClock();
  const { source } = counting(clock);
  const cache = new CachingTokenSource(source, { clock });
  const first = await cache.token();
  cache.reset(first);
  const second = await cache.token();
  assert.equal(second.accessToken, 't2');
  cache.reset(first);
  assert.equal(await cache.token(), second);
});

/** A base transport that answers `status` and records the requests it was given. */
function recording(status: () => number) {
  const seen: TransportRequest[] = [];
  const transport: Transport = {
    async request(req) {
      seen.push(req);
      return { status: status(), headers: {}, body: Readable.from([]) };
    },
    async requestBuffered(req) {
      seen.push(req);
      return { status: status(), headers: {}, body: Buffer.alloc(0) };
    },
    async close() {},
  };
  return { seen, transport };
}

test('the transport sends the current token as a bearer token, and a 401 makes the next request fetch a new one', async () => {
  const clock = new FakeClock();
  const { source, state } = counting(clock);
  let status = 200;
  const { seen, transport } = recording(() => status);
  const t = new TokenSourceTransport(transport, new CachingTokenSource(source, { clock }));
  await t.request({ method: 'GET', path: '/api', headers: { accept: 'application/json' } });
  await t.requestBuffered!({ method: 'GET', path: '/api' });
  assert.deepEqual(seen.map((r) => r.headers?.authorization), ['Bearer t1', 'Bearer t1']);
  assert.equal(seen[0].headers?.accept, 'application/json', 'the request\'s own headers are kept');
  status = 401;
  await t.requestBuffered!({ method: 'GET', path: '/api' });
  status = 200;
  await t.request({ method: 'GET', path: '/api' });
  assert.equal(seen.at(-1)?.headers?.authorization, 'Bearer t2');
  assert.equal(state.fetches, 2);
});

test('a request that carries its own Authorization header is sent as it is', async () => {
  const clock = new FakeClock();
  const { source, state } = counting(clock);
  const { seen, transport } = recording(() => 401);
  const t = new TokenSourceTransport(transport, new CachingTokenSource(source, { clock }));
  await t.request({ method: 'GET', path: '/api', headers: { Authorization: 'Bearer mine' } });
  assert.deepEqual(seen[0].headers, { Authorization: 'Bearer mine' });
  assert.equal(state.fetches, 0);
});
