// The token cleaner against the real API server: expired bootstrap-token Secrets are deleted,
// ones still valid wait for their expiration (on an injected clock), others are never touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, type ControllerRig } from '../../helpers/controllers.js';
import { newTokenCleaner } from '../../../src/controllers/certificates/index.js';
import { FakeClock } from '../../../src/client/clock.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { newTokenSecret } from '../../../src/auth/bootstrap/token.js';

let rig: ControllerRig;
const clock = new FakeClock(Date.now());

before(async () => {
  rig = await startControllers([{ name: 'tokencleaner', create: (ctx) => newTokenCleaner(ctx, { clock }) }]);
});

after(async () => {
  await rig.close();
});

const secrets = () => rig.client.resource(resources.secrets);

async function put(s: Secret): Promise<void> {
  await secrets().create(s as never, { namespace: 'kube-system' });
}

test('an expired token Secret is deleted', async () => {
  await put(newTokenSecret({ token: { id: 'old000', secret: 'aaaaaaaaaaaaaaaa' }, ttlMs: 1000, now: clock.now() - 60_000 }));
  await waitForObject(secrets(), 'kube-system', 'bootstrap-token-old000', (s) => s === undefined, 'the expired token to be deleted');
});

test('a token Secret is deleted once its expiration passes, and one without expiration is kept', async () => {
  await put(newTokenSecret({ token: { id: 'never0', secret: 'bbbbbbbbbbbbbbbb' }, ttlMs: 0 }));
  await put(newTokenSecret({ token: { id: 'later0', secret: 'cccccccccccccccc' }, ttlMs: 3_600_000, now: clock.now() }));
  // The cleaner has looked at the new token once it has a timer pending for it.
  for (let i = 0; i < 200 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(await secrets().get('bootstrap-token-later0', { namespace: 'kube-system' }));
  await clock.advance(3_600_000 + 1000);
  await waitForObject(secrets(), 'kube-system', 'bootstrap-token-later0', (s) => s === undefined, 'the token to be deleted at its expiration');
  assert.ok(await secrets().get('bootstrap-token-never0', { namespace: 'kube-system' }), 'a token that never expires stays');
});
