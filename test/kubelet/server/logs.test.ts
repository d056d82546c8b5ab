// kubectl logs options against containers the node agent runs and restarts: --previous after a
// restart (and its error when there is none), --since-time/--since, --tail with -f, --limit-bytes.
// The real kubectl → the API server's pods/log relay → the kubelet API's /containerLogs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startKubectl, startNodeCluster, type NodeCluster } from '../../helpers/node-cluster.js';
import { condition, waitForPod } from '../agent-helpers.js';

const NODE = 'logs-node';
let nc: NodeCluster;
// Marker files the containers look for: the process runtime's containers see the host's files.
let marks: string;

before(async () => {
  marks = mkdtempSync(join(tmpdir(), 'k8ts-logs-marks-'));
  nc = await startNodeCluster({ nodeName: NODE, agent: { backoff: { initialMs: 100, maxMs: 1000 } } });
});

after(async () => {
  await nc?.close();
  rmSync(marks, { recursive: true, force: true });
});

async function createPod(name: string, script: string, restartPolicy = 'Always'): Promise<void> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: NODE, restartPolicy, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'sh', command: ['sh', '-c', script] }] } };
  await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
}

const status = (p: Pod | undefined) => p?.status?.containerStatuses?.[0];

test('kubectl logs --previous prints the log of the instance before the restart, plain logs the current one', { timeout: 30_000 }, async () => {
  const mark = join(marks, 'restarted');
  await createPod('restarter', `if [ -e ${mark} ]; then echo second run; sleep 30; else : > ${mark}; echo first run; echo first-err >&2; exit 2; fi`);
  const pod = await waitForPod(nc.client, 'default', 'restarter', (p) => status(p)?.restartCount === 1 && condition(p, 'Ready') === 'True');
  assert.equal(status(pod)?.lastState?.terminated?.exitCode, 2);
  assert.equal(await nc.cluster.kubectlOk(['logs', 'restarter']), 'second run\n');
  assert.deepEqual((await nc.cluster.kubectlOk(['logs', 'restarter', '--previous'])).split('\n').filter(Boolean).sort(), ['first run', 'first-err']);
  assert.equal((await nc.cluster.kubectlOk(['logs', 'restarter', '-p', '--timestamps'])).split('\n').filter(Boolean).length, 2);
  assert.match(await nc.cluster.kubectlOk(['logs', 'restarter', '-p', '--tail=1']), /^(first run|first-err)\n$/);
});

test('kubectl logs --previous of a container that never restarted is a 400 naming it, as upstream', { timeout: 30_000 }, async () => {
  await createPod('steady', 'echo steady; sleep 30');
  await waitForPod(nc.client, 'default', 'steady', (p) => condition(p, 'Ready') === 'True');
  const r = await nc.cluster.kubectl(['logs', 'steady', '--previous']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /previous terminated container "c" in pod "steady" not found/);
});

test('kubectl logs --since-time and --since keep the records from then on; --limit-bytes cuts the output', { timeout: 30_000 }, async () => {
  // More than a second apart: kubectl sends --since-time with whole seconds.
  await createPod('timed', 'echo early; sleep 1.2; echo late; sleep 30');
  let stamped = '';
  await waitForPod(nc.client, 'default', 'timed', (p) => condition(p, 'Ready') === 'True');
  for (let i = 0; i < 50 && !stamped.includes(' late'); i++) {
    stamped = await nc.cluster.kubectlOk(['logs', 'timed', '--timestamps']);
    if (!stamped.includes(' late')) await new Promise((r) => setTimeout(r, 100));
  }
  const [, lateAt] = /^(\S+) late$/m.exec(stamped) ?? [];
  assert.ok(lateAt, stamped);
  assert.equal(await nc.cluster.kubectlOk(['logs', 'timed', `--since-time=${lateAt}`]), 'late\n');
  assert.equal(await nc.cluster.kubectlOk(['logs', 'timed', '--since=1h']), 'early\nlate\n');
  assert.equal(await nc.cluster.kubectlOk(['logs', 'timed', '--limit-bytes=3']), 'ear');
});

test('kubectl logs -f --tail=1 starts from the last line, then follows until the container exits', { timeout: 30_000 }, async () => {
  const go = join(marks, 'go');
  await createPod('tail-follow', `echo a; echo b; while [ ! -e ${go} ]; do sleep 0.05; done; echo c`, 'Never');
  await waitForPod(nc.client, 'default', 'tail-follow', (p) => status(p)?.state?.running !== undefined);
  const follow = startKubectl(nc.cluster, ['logs', '-f', '--tail=1', 'tail-follow']);
  try {
    await follow.waitForOutput(/b\n/);
    writeFileSync(go, '');
    const { code, stdout, stderr } = await follow.exited;
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'b\nc\n');
  } finally {
    await follow.stop();
  }
});
