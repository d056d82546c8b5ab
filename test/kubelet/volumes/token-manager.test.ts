// The node agent's token manager against the real TokenRequest API: a token is reused until 80%
// of its lifetime (in whole seconds) less upstream's jitter of up to 10 s, then fetched again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { waitForObject } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { FakeClock } from '../../../src/client/clock.js';
import { TokenManager } from '../../../src/kubelet/volumes/token-manager.js';

describe('token manager refresh', () => {
  let api: InProcessApi;
  const ns = 'tokens';

  before(async () => {
    api = await startInProcessApi({ rootCA: false });
    await api.client().resource(resources.namespaces).create({ metadata: { name: ns } });
    await waitForObject(api.client().resource(resources.serviceAccounts), ns, 'default', (sa) => !!sa, 'the default account');
  });
  after(async () => {
    await api?.close();
  });

  for (const [random, refreshed] of [
    [0, false],
    [0.99, true],
  ] as const) {
    test(`5 s before 80% of 3607 s, a jitter of ${Math.floor(random * 10)} s ${refreshed ? 'renews' : 'keeps'} the token`, async () => {
      const pod = await api.client().resource(resources.pods, ns).create({ metadata: { name: `p${random * 100}` }, spec: { containers: [{ name: 'c', image: 'sh' }] } });
      const clock = new FakeClock(Date.now());
      const tokens = new TokenManager(api.client(), clock, () => random);
      const key = { namespace: ns, serviceAccount: 'default', audience: '', expirationSeconds: 3607, podName: pod.metadata!.name!, podUid: pod.metadata!.uid! };
      const first = await tokens.getToken(key);
      // Tokens are issued with whole-second times: the next one must differ in its iat.
      clock.step((3607 - 721 - 5) * 1000);
      const second = await tokens.getToken(key);
      assert.equal(second !== first, refreshed);
    });
  }
});
