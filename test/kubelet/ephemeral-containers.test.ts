// Ephemeral containers run by the node agent: `kubectl debug` adds one to a running pod, the agent
// starts it once in the pod's sandbox (its IP, its volumes), reports it in
// status.ephemeralContainerStatuses, and kubectl logs, exec and attach reach it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ContainerStatus, Event, Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { startNodeAgent, type NodeAgent } from '../../src/kubelet/node-agent.js';
import { containerNameLabel, podUidLabel } from '../../src/kubelet/container-labels.js';
import { computePodActions } from '../../src/kubelet/pod-actions.js';
import type { RuntimePodStatus } from '../../src/kubelet/runtime-pod.js';
import type { ContainerStatus as RuntimeContainer, PodSandboxStatus } from '../../src/kubelet/runtime/types.js';
import { generatePodStatus } from '../../src/kubelet/status/pod-status.js';
import { boundPod, condition, processRuntimeEnv, silentLog, waitForPod, type RuntimeEnv } from './agent-helpers.js';
import { isRoot } from './runtime/process-helpers.js';

const node = 'debug-node';

describe('ephemeral containers on the node agent', () => {
  let cluster: TestCluster;
  let client: Client;
  let env: RuntimeEnv;
  let agent: NodeAgent;
  let uid = '';

  before(async () => {
    // The pod's kube-api-access volume projects kube-root-ca.crt, which the publisher provides.
    cluster = await startTestCluster({ controllers: ['root-ca-cert-publisher'] });
    client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
    env = processRuntimeEnv();
    agent = await startNodeAgent({ client, nodeName: node, rootDir: path.join(env.dir, 'agent'), runtime: env.runtime, log: silentLog, nodeIP: '127.0.0.1', plegPeriodMs: 200, kubeletServer: { port: 0, bindAddress: '127.0.0.1', clientCaPem: cluster.server.pki.caCertPem } });
    await agent.ready;
    const pod = boundPod('web', node, {
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [{ name: 'app', image: 'sh', command: ['sh', '-c', 'echo shared > /data/f; sleep 60'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    });
    await client.resource(resources.pods).create(pod, { namespace: 'default' });
    uid = (await waitForPod(client, 'default', 'web', (p) => condition(p, 'Ready') === 'True'))!.metadata!.uid!;
  });

  after(async () => {
    await agent?.stop({ killPods: true });
    await env?.cleanup();
    await client?.close();
    await cluster?.close();
  });

  const ephemeralStatus = (p: Pod | undefined, name: string): ContainerStatus | undefined => p?.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
  const runtimeContainers = async (name: string) => env.runtime.listContainers({ labels: { [podUidLabel]: uid, [containerNameLabel]: name } });

  /** kubectl logs, until the container's output has reached its log (the pump writes it shortly after). */
  async function logsOf(container: string, want: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const out = await cluster.kubectlOk(['logs', 'web', '-c', container]);
      if (out.includes(want) || Date.now() > deadline) return out;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('kubectl debug starts the container in the pod sandbox; status, logs, exec and events report it', async () => {
    await cluster.kubectlOk(['debug', 'web', '--image=sh', '-c', 'dbg', '--', 'sh', '-c', 'echo hi; sleep 30']);
    const pod = await waitForPod(client, 'default', 'web', (p) => ephemeralStatus(p, 'dbg')?.state?.running !== undefined);
    const s = ephemeralStatus(pod, 'dbg')!;
    assert.equal(s.ready, false);
    assert.equal(s.restartCount, 0);
    assert.equal(s.image, 'sh');
    assert.ok(s.imageID);
    assert.match(s.containerID ?? '', /^process:\/\/\S+$/);
    assert.deepEqual(s.lastState, {});
    assert.equal(s.started, undefined, 'the prober reports started for regular and init containers only');
    // It counts for nothing in the pod's readiness or phase.
    assert.equal(pod?.status?.phase, 'Running');
    assert.equal(condition(pod, 'Ready'), 'True');

    const [app] = await runtimeContainers('app');
    const [dbg] = await runtimeContainers('dbg');
    assert.equal(dbg.podSandboxId, app.podSandboxId, 'same sandbox, so the same pod IP');

    assert.equal(await logsOf('dbg', 'hi'), 'hi\n');
    assert.equal(await cluster.kubectlOk(['exec', 'web', '-c', 'dbg', '--', 'echo', 'inside']), 'inside\n');

    const events = (await client.resource(resources.coreEvents).list({ namespace: 'default', fieldSelector: 'involvedObject.name=web' })).items as Event[];
    const messages = events.map((e) => e.message);
    assert.ok(messages.includes('Created container: dbg'), messages.join('\n'));
    assert.ok(messages.includes('Started container dbg'), messages.join('\n'));
  });

  it('an ephemeral container mounts the pod volumes it names, runs once and is never restarted', async () => {
    await client.resource(resources.pods).patch(
      'web',
      { spec: { ephemeralContainers: [{ name: 'reader', image: 'sh', command: ['sh', '-c', 'cat /data/f'], targetContainerName: 'app', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
      { type: 'strategic', subresource: 'ephemeralcontainers', namespace: 'default' },
    );
    const pod = await waitForPod(client, 'default', 'web', (p) => ephemeralStatus(p, 'reader')?.state?.terminated !== undefined);
    const t = ephemeralStatus(pod, 'reader')!.state!.terminated!;
    assert.equal(t.exitCode, 0);
    assert.equal(t.reason, 'Completed');
    assert.equal(await logsOf('reader', 'shared'), 'shared\n');

    // Another debug session makes the agent sync the pod again: the finished one stays finished.
    await cluster.kubectlOk(['debug', 'web', '--image=sh', '-c', 'later', '--', 'sleep', '30']);
    const again = await waitForPod(client, 'default', 'web', (p) => ephemeralStatus(p, 'later')?.state?.running !== undefined);
    assert.equal(ephemeralStatus(again, 'reader')?.restartCount, 0);
    assert.ok(ephemeralStatus(again, 'reader')?.state?.terminated);
    assert.equal((await runtimeContainers('reader')).length, 1);
  });

  it('one whose image cannot be pulled waits with ErrImagePull and the pod stays Ready', async () => {
    await cluster.kubectlOk(['debug', 'web', '--image=no-such-tool-k8ts', '-c', 'missing']);
    const pod = await waitForPod(client, 'default', 'web', (p) => ephemeralStatus(p, 'missing')?.state?.waiting?.reason === 'ErrImagePull');
    assert.match(ephemeralStatus(pod, 'missing')?.state?.waiting?.message ?? '', /no-such-tool-k8ts/);
    assert.equal(condition(pod, 'Ready'), 'True');
  });

  it('kubectl debug -i waits for the container and attaches to its stdin and output', async () => {
    const out = await cluster.kubectlOk(['debug', 'web', '-i', '--image=sh', '-c', 'interactive', '--', 'sh', '-c', 'read x; echo got $x'], { stdin: 'hello\n' });
    assert.match(out, /got hello/);
  });

  it('kubectl debug --target joins the target container\'s PID namespace; without a target it sees only its own', { skip: isRoot ? false : 'needs root (PID namespaces)' }, async () => {
    await cluster.kubectlOk(['debug', 'web', '--image=sh', '--target=app', '-c', 'ps', '--', 'sh', '-c', seeScript('data/f; sleep 60', 50)]);
    assert.match(await logsOf('ps', 'seen'), /^seen: \S*sh -c echo shared > \/data\/f; sleep 60 $/m);
    await cluster.kubectlOk(['debug', 'web', '--image=sh', '-c', 'alone', '--', 'sh', '-c', seeScript('data/f; sleep 60', 2)]);
    assert.equal(await logsOf('alone', 'seen'), 'not-seen\n');
  });

  it('the containers of a pod with shareProcessNamespace see each other\'s processes', { skip: isRoot ? false : 'needs root (PID namespaces)' }, async () => {
    const pod = boundPod('shared', node, {
      shareProcessNamespace: true,
      containers: [
        { name: 'a', image: 'sleep', args: ['304'] },
        { name: 'b', image: 'sh', command: ['sh', '-c', `${seeScript('sleep 304', 100)}; sleep 60`] },
      ],
    });
    await client.resource(resources.pods).create(pod, { namespace: 'default' });
    await waitForPod(client, 'default', 'shared', (p) => condition(p, 'Ready') === 'True');
    const deadline = Date.now() + 10_000;
    let out = '';
    while (!out.includes('seen') && Date.now() < deadline) {
      out = await cluster.kubectlOk(['logs', 'shared', '-c', 'b']);
      if (!out.includes('seen')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(out, /^seen: \S*sleep 304 $/m);
    await client.resource(resources.pods).delete('shared', { namespace: 'default' });
  });
});

/**
 * A script that looks in /proc for a process whose command line holds `want` (`tries` times, 50 ms
 * apart) and prints "seen: CMDLINE" or "not-seen". `want` is split in the script's own text, so it
 * does not find itself; a container still in its init shell (whose arguments hold the program's
 * command line until it execs it) is passed over.
 */
function seeScript(want: string, tries: number): string {
  const split = `'${want.slice(0, 1)}''${want.slice(1)}'`;
  return `w=${split}; i=0; while [ $i -lt ${tries} ]; do for f in /proc/[0-9]*/cmdline; do c=$(tr "\\0" " " < $f 2>/dev/null); case "$c" in *k8ts-init*) ;; *"$w"*) echo "seen: $c"; exit 0;; esac; done; i=$((i+1)); sleep 0.05; done; echo not-seen`;
}

describe('ephemeral containers in one sync (pure)', () => {
  const ready: PodSandboxStatus = { id: 'sb', metadata: { name: 'p', namespace: 'default', uid: 'u', attempt: 0 }, state: 'Ready', createdAt: 1, labels: {}, annotations: {}, ip: '10.0.0.9', additionalIps: [] };
  const base = { podSandboxId: 'sb', image: 'sh', createdAt: 1, annotations: {}, startedAt: 1, finishedAt: 0, exitCode: 0, reason: '', message: '', logPath: '' };
  const running = (name: string): RuntimeContainer => ({ ...base, id: `id-${name}`, metadata: { name, attempt: 0 }, state: 'Running', labels: { [containerNameLabel]: name } });
  const exited = (name: string, exitCode: number): RuntimeContainer => ({ ...running(name), state: 'Exited', finishedAt: 2, exitCode });
  const rs = (containers: RuntimeContainer[], sandboxes = [ready]): RuntimePodStatus => ({ uid: 'u', sandboxes, containers });
  const withDebug = (extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { containers: [{ name: 'app', image: 'sh' }], ephemeralContainers: [{ name: 'd1', image: 'sh' }, { name: 'd2', image: 'sh', targetContainerName: 'app' }], ...extra },
  });

  it('starts each ephemeral container the runtime has never seen, once, and only in a ready sandbox', () => {
    assert.deepEqual(computePodActions(withDebug(), rs([running('app')])).ephemeralContainersToStart, [0, 1]);
    assert.deepEqual(computePodActions(withDebug(), rs([running('app'), exited('d1', 1), running('d2')])).ephemeralContainersToStart, []);
    assert.deepEqual(computePodActions(withDebug(), rs([], [])).ephemeralContainersToStart, [], 'no sandbox: nothing of the old one is started again');
  });

  it('starts them while an init container still runs', () => {
    const actions = computePodActions(withDebug({ initContainers: [{ name: 'init', image: 'sh' }] }), rs([running('init')]));
    assert.equal(actions.initDone, false);
    assert.deepEqual(actions.ephemeralContainersToStart, [0, 1]);
  });

  it('reports them in ephemeralContainerStatuses without touching phase or readiness', () => {
    const status = generatePodStatus({
      pod: withDebug(),
      runtime: rs([running('app'), running('d1')]),
      runtimeName: 'process',
      hostIP: '127.0.0.1',
      now: 1000,
      waitingReason: () => undefined,
      readiness: () => true,
      started: () => true,
    });
    assert.equal(status.phase, 'Running');
    assert.equal(condition({ status }, 'Ready'), 'True');
    assert.deepEqual(status.ephemeralContainerStatuses, [
      { name: 'd1', image: 'sh', imageID: 'sh', ready: false, restartCount: 0, state: { running: { startedAt: '1970-01-01T00:00:00Z' } }, lastState: {}, containerID: 'process://id-d1' },
      { name: 'd2', image: 'sh', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} },
    ]);
  });
});
