// End to end with the real kubectl over HTTPS and the Job/CronJob controllers running:
// `kubectl create job`, `kubectl wait --for=condition=complete` once the pod succeeded,
// `kubectl create cronjob`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObjects } from '../helpers/controllers.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { finishPod } from './job-fixtures.js';

let cluster: TestCluster;
let client: Client;

before(async () => {
  // The controllers under test run inside the server process, as `k8ts server --controllers` runs them.
  cluster = await startTestCluster({ controllers: ['job', 'cronjob'] });
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
});

after(async () => {
  await client?.close();
  await cluster?.close();
});

describe('jobs with kubectl', () => {
  test('kubectl create job starts a pod, and kubectl wait --for=condition=complete returns once it succeeded', async () => {
    await cluster.kubectlOk(['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi']);
    const [pod] = await waitForObjects(client.resource(resources.pods), (ps) => ps.length === 1, 'the job pod', { namespace: 'default', labelSelector: 'job-name=hello' });
    const waiting = cluster.kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=20s']);
    await finishPod(client, pod, 'Succeeded');
    const res = await waiting;
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /job.batch\/hello condition met/);
    const out = await cluster.kubectlOk(['get', 'job', 'hello', '-o', 'jsonpath={.status.succeeded}']);
    assert.equal(out.trim(), '1');
  });

  test('kubectl create cronjob stores a CronJob with the given schedule (firing is covered by the fake-clock tests)', async () => {
    await cluster.kubectlOk(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date']);
    const out = await cluster.kubectlOk(['get', 'cronjob', 'tick', '-o', 'jsonpath={.spec.schedule}']);
    assert.equal(out.trim(), '*/5 * * * *');
  });
});
