// `k8ts controller-manager --use-service-account-credentials` (what the command runs while it
// leads, in this process so the tokens' clock can be moved) against a real API server with RBAC,
// with a kubeconfig of system:kube-controller-manager under its upstream role only: the manager
// makes each controller's ServiceAccount in kube-system, each controller writes with a token of
// its account (a rule taken from its role refuses it by that name), a token is fetched again once 80% of
// its lifetime has passed without restarting anything, and a token the server refuses (its
// account deleted) is dropped for a new one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObject, waitForObjects } from '../helpers/controllers.js';
import { runRemoteControllerManager } from '../../src/cli/controller-manager-command.js';
import { builtinControllers } from '../../src/controllers/registry.js';
import { FakeClock } from '../../src/client/clock.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import type { ClientConfig } from '../../src/client/kubeconfig/client-config.js';
import { generateKeyPair, loadKeyPair } from '../../src/auth/pki/keys.js';
import { issueLeaf } from '../../src/auth/pki/issue.js';
import { createLogger } from '../../src/util/log.js';

const SYSTEM = 'kube-system';
const tokenLogLine = 'obtained a service account token';

let c: TestCluster;
let admin: Client;
let manager: Client;
let clock: FakeClock;
const logLines: Array<Record<string, unknown>> = [];
const stop = new AbortController();
let running: Promise<void>;

/** The tokens the manager obtained for `account`, in order. */
const tokensOf = (account: string) => logLines.filter((l) => l.msg === tokenLogLine && l.serviceAccount === account);

before(async () => {
  // No controller in the server's process: every ServiceAccount and write below is the standalone manager's.
  c = await startTestCluster({ serviceAccounts: false });
  admin = Client.fromConfig(loadConfig({ kubeconfig: c.kubeconfig }));
  // The manager's own credential: system:kube-controller-manager, no group, so RBAC's upstream
  // role for it is all it has (shared informers, accounts, tokens).
  const keys = await generateKeyPair();
  const issuer = { certPem: c.server.pki.caCertPem, keys: await loadKeyPair(c.server.pki.caKeyPem) };
  const cert = await issueLeaf(issuer, keys, { subject: { commonName: 'system:kube-controller-manager' }, usage: 'client', validityDays: 1 });
  const config: ClientConfig = { server: c.url, ca: c.server.pki.caCertPem, cert, key: keys.privateKeyPem, insecure: false, namespace: 'default' };
  manager = Client.fromConfig(config);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger('controller-manager', { level: 'debug', destination: sink as never, format: 'json' });
  // Starts at the real time, so the server's expirationTimestamps are an hour ahead of it.
  clock = new FakeClock(Date.now());
  running = runRemoteControllerManager(
    {
      config,
      client: manager,
      log,
      controllers: builtinControllers({ rootCaPem: c.server.pki.caCertPem }),
      enabled: ['serviceaccount', 'deployment', 'replicaset', 'cronjob'],
      useServiceAccountCredentials: true,
      tokenClock: clock,
    },
    stop.signal,
  );
});

after(async () => {
  stop.abort();
  await running;
  await manager?.close();
  await admin?.close();
  await c?.close();
});

const rsOf = (name: string) => (rs: ReplicaSet[]) => rs.find((r) => r.metadata?.name?.startsWith(`${name}-`));

describe('k8ts controller-manager with --use-service-account-credentials', () => {
  test('the controllers\' ServiceAccounts are made in kube-system, an idle controller\'s too', async () => {
    // The cronjob controller has nothing to write here: its account is made all the same.
    const wanted = ['service-account-controller', 'deployment-controller', 'replicaset-controller', 'cronjob-controller'];
    await waitForObjects(admin.resource(resources.serviceAccounts), (sas) => wanted.every((n) => sas.some((s) => s.metadata?.name === n)), 'the controllers\' accounts', { namespace: SYSTEM });
    const listed = await c.kubectlOk(['get', 'serviceaccounts', '-n', SYSTEM, '-o', 'name']);
    for (const n of wanted) assert.match(listed, new RegExp(`^serviceaccount/${n}$`, 'm'));
    assert.equal(tokensOf('cronjob-controller').length, 0, 'no token is asked for before a controller sends a request');
  });

  test('a deployment rolls out, each controller writing with its own account\'s token', async () => {
    await c.kubectlOk(['create', 'deployment', 'web', '--image=sleep', '--replicas=2']);
    await waitForObjects(admin.resource(resources.pods), (ps) => ps.filter((p) => p.metadata?.name?.startsWith('web-')).length === 2, 'the pods', { namespace: 'default' });
    for (const account of ['service-account-controller', 'deployment-controller', 'replicaset-controller']) assert.ok(tokensOf(account).length >= 1, `a token for ${account}`);
  });

  test('without the replicasets rule of its role the deployment controller is refused by its account\'s name, and proceeds once the rule is back', async () => {
    const role = 'system:controller:deployment-controller';
    const saved = JSON.parse(await c.kubectlOk(['get', 'clusterrole', role, '-o', 'json']));
    const rules = saved.rules as Array<{ resources?: string[] }>;
    await c.kubectlOk(['replace', '-f', '-'], { stdin: JSON.stringify({ ...saved, rules: rules.filter((r) => !r.resources?.includes('replicasets')) }) });
    try {
      await c.kubectlOk(['create', 'deployment', 'blocked', '--image=sleep']);
      const progressing = (d: Deployment | undefined) => d?.status?.conditions?.find((x) => x.type === 'Progressing');
      const refused = await waitForObject(admin.resource(resources.deployments), 'default', 'blocked', (d) => progressing(d)?.reason === 'ReplicaSetCreateError', 'the refusal');
      assert.match(progressing(refused)?.message ?? '', /User "system:serviceaccount:kube-system:deployment-controller" cannot create resource "replicasets" in API group "apps" in the namespace "default"/);
    } finally {
      const current = JSON.parse(await c.kubectlOk(['get', 'clusterrole', role, '-o', 'json']));
      await c.kubectlOk(['replace', '-f', '-'], { stdin: JSON.stringify({ ...current, rules }) });
    }
    await waitForObjects(admin.resource(resources.replicaSets), (rs) => !!rsOf('blocked')(rs), 'the ReplicaSet once allowed', { namespace: 'default' });
  });

  test('once 80% of a token\'s lifetime has passed the next request fetches a new one, and the controller goes on', async () => {
    const before = tokensOf('deployment-controller');
    const refreshAfter = Date.parse(before.at(-1)!.refreshAfter as string);
    // Just short of the refresh: the held token is still used.
    clock.step(refreshAfter - clock.now() - 1000);
    await c.kubectlOk(['scale', 'deployment', 'web', '--replicas=3']);
    await waitForObjects(admin.resource(resources.replicaSets), (rs) => rsOf('web')(rs)?.spec?.replicas === 3, 'web scaled to 3', { namespace: 'default' });
    assert.equal(tokensOf('deployment-controller').length, before.length);
    clock.step(1000);
    await c.kubectlOk(['scale', 'deployment', 'web', '--replicas=4']);
    await waitForObjects(admin.resource(resources.replicaSets), (rs) => rsOf('web')(rs)?.spec?.replicas === 4, 'web scaled to 4', { namespace: 'default' });
    // The write that scaled the ReplicaSet went out with the new token, fetched just before it.
    const after = tokensOf('deployment-controller');
    assert.equal(after.length, before.length + 1);
    assert.ok(Date.parse(after.at(-1)!.refreshAfter as string) > refreshAfter);
  });

  test('a token the server refuses (its account deleted) is dropped: the account is made again, a new token fetched, and the controller goes on', async () => {
    const old = await admin.resource(resources.serviceAccounts).get('replicaset-controller', { namespace: SYSTEM });
    const fetched = tokensOf('replicaset-controller').length;
    await c.kubectlOk(['delete', 'serviceaccount', 'replicaset-controller', '-n', SYSTEM]);
    await c.kubectlOk(['scale', 'deployment', 'web', '--replicas=1']);
    await waitForObjects(admin.resource(resources.pods), (ps) => ps.filter((p) => p.metadata?.name?.startsWith('web-') && !p.metadata.deletionTimestamp).length === 1, 'web down to one pod', { namespace: 'default' });
    const again = await admin.resource(resources.serviceAccounts).get('replicaset-controller', { namespace: SYSTEM });
    assert.notEqual(again.metadata?.uid, old.metadata?.uid);
    assert.ok(tokensOf('replicaset-controller').length > fetched);
  });
});
