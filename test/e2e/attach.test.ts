// kubectl attach and kubectl run -i the whole way: the real kubectl (1.32 over WebSocket, 1.28 over
// SPDY/3.1) → the API server's pods/attach relay → the kubelet API's /attach → the process
// runtime's attach session on a container the node agent runs: output, stdin, the end of stdin with
// and without stdinOnce, kubectl run -i --rm, and -it through a terminal with its size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { kubectlPath } from '../helpers/cluster.js';
import { startNodeCluster, startKubectl, type NodeCluster } from '../helpers/node-cluster.js';
import { condition, waitForPod } from '../kubelet/agent-helpers.js';
import type { KubeObject } from '../../src/api/object.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { SHIM_SCRIPT } from '../../src/kubelet/runtime/process/shim.js';

const NODE = 'attach-node';
const kubectl128 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.28';
const kubectls: [string, string | undefined][] = [
  ['1.32 (WebSocket)', undefined],
  ['1.28 (SPDY)', kubectl128],
];

// stdinOnce needs the process runtime's shim to let go of the container's stdin (shim.ts).
const stdinOnceSkip = SHIM_SCRIPT.includes('stdin-once') ? false : 'the process runtime does not honour stdinOnce yet';

let nc: NodeCluster;

before(async () => {
  nc = await startNodeCluster({ nodeName: NODE, scheduler: true });
});

after(async () => {
  await nc?.close();
});

/** Creates a pod bound to the node and waits until it is Ready. */
async function runPod(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<Pod> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, ...spec, containers: [{ image: 'sh', ...container }] } };
  // Through the client, not kubectl apply: the kubectl under test here is attach.
  await nc.client.resource(resources.pods, 'default').create(pod as Pod & KubeObject);
  return (await waitForPod(nc.client, 'default', name, (p) => condition(p, 'Ready') === 'True'))!;
}

const running = (p: Pod | undefined) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined;
const terminated = (p: Pod | undefined) => p?.status?.containerStatuses?.[0]?.state?.terminated;

for (const [label, binary] of kubectls) {
  test(`kubectl ${label} attach -c shows what a running container writes from then on`, { timeout: 30_000 }, async () => {
    const name = `ticker-${binary ? 'spdy' : 'ws'}`;
    await runPod(name, { name: 'tick', command: ['sh', '-c', 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done'] });
    const attach = startKubectl(nc.cluster, ['attach', name, '-c', 'tick'], { binary });
    try {
      const out = await attach.waitForOutput(/tick \d+\n(.|\n)*tick \d+\n/);
      const ticks = out.split('\n').filter(Boolean);
      assert.ok(ticks.every((l) => /^tick \d+$/.test(l)), out);
      // Attach shows output from now on, not the log from the start.
      assert.notEqual(ticks[0], 'tick 0');
    } finally {
      await attach.stop();
    }
  });

  test(`kubectl ${label} attach -i sends stdin to a container with stdin: true; the end of kubectl's stdin ends the session, not the container's`, { timeout: 30_000 }, async () => {
    const name = `echo-${binary ? 'spdy' : 'ws'}`;
    await runPod(name, { name: 'echo', stdin: true, command: ['sh', '-c', 'while read -r line; do echo "echo: $line"; done; echo stdin-closed'] });
    for (const round of ['first', 'second']) {
      const attach = startKubectl(nc.cluster, ['attach', '-i', name], { binary });
      try {
        // kubectl copies stdin as soon as its streams are up, but the container only hears what is
        // written after the runtime attached: keep sending until an answer comes back.
        let n = 0;
        const sender = setInterval(() => attach.child.stdin.write(`${round} ${n++}\n`), 100);
        try {
          await attach.waitForOutput(new RegExp(`echo: ${round} \\d+\n`));
        } finally {
          clearInterval(sender);
        }
        // The session ends with kubectl's stdin (its output stops there, so the answer to the
        // last line may not come back through it, as upstream).
        attach.child.stdin.end(`last ${round}\n`);
        const { code, stderr } = await attach.exited;
        assert.equal(code, 0, stderr);
      } finally {
        await attach.stop();
      }
    }
    // Without stdinOnce the container's stdin stays open after a session: it still runs, and
    // heard the first session's last line before the second session's lines.
    const pod = await waitForPod(nc.client, 'default', name, running);
    assert.equal(pod?.status?.containerStatuses?.[0]?.restartCount, 0);
    const logs = await nc.cluster.kubectlOk(['logs', name]);
    assert.doesNotMatch(logs, /stdin-closed/);
    assert.match(logs, /echo: last first\n(echo: second \d+\n)+/);
  });

  test(`kubectl ${label} attach ends with exit code 0 when the container exits, whatever its exit code (attach has none)`, { timeout: 30_000 }, async () => {
    const name = `bye-${binary ? 'spdy' : 'ws'}`;
    await runPod(name, { name: 'bye', stdin: true, command: ['sh', '-c', 'read -r x; echo "bye $x"; exit 3'] });
    const attach = startKubectl(nc.cluster, ['attach', '-i', name], { binary });
    const sender = setInterval(() => attach.child.stdin.write('now\n'), 100);
    const { code, stdout, stderr } = await attach.exited.finally(() => clearInterval(sender));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'bye now\n');
    const pod = await waitForPod(nc.client, 'default', name, (p) => (p?.status?.containerStatuses?.[0]?.lastState?.terminated ?? terminated(p)) !== undefined);
    assert.equal((pod?.status?.containerStatuses?.[0]?.lastState?.terminated ?? terminated(pod))?.exitCode, 3);
  });
}

test('with stdinOnce, the end of the first attach session stdin closes the container stdin, so cat exits', { timeout: 30_000, skip: stdinOnceSkip }, async () => {
  const name = 'cat-once';
  await runPod(name, { name: 'cat', image: 'cat', command: [], stdin: true, stdinOnce: true }, { restartPolicy: 'Never' });
  const attach = startKubectl(nc.cluster, ['attach', '-i', name]);
  attach.child.stdin.end('only once\n');
  const { code, stdout, stderr } = await attach.exited;
  assert.equal(code, 0, stderr);
  assert.match(stdout, /only once\n/);
  const pod = await waitForPod(nc.client, 'default', name, (p) => terminated(p) !== undefined);
  assert.equal(terminated(pod)?.exitCode, 0);
  assert.equal(terminated(pod)?.reason, 'Completed');
});

for (const [label, binary] of kubectls) {
  test(`kubectl ${label} run -i --rm --restart=Never feeds stdin, prints the output, returns the exit code and deletes the pod`, { timeout: 30_000 }, async () => {
    const name = `run-${binary ? 'spdy' : 'ws'}`;
    const r = await nc.cluster.kubectl(['run', name, '-i', '--rm', '--restart=Never', '--image=sh', '--command', '--', 'sh', '-c', 'read -r x; echo "got $x"; exit 3'], { binary, stdin: 'hello\n' });
    assert.equal(r.code, 3, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stdout, /got hello\n/);
    assert.match(r.stdout + r.stderr, new RegExp(`pod "${name}" deleted`));
    await waitForPod(nc.client, 'default', name, (p) => p === undefined);
  });
}

for (const [label, binary] of kubectls) {
  test(`kubectl ${label} run -i --rm with cat copies all of stdin to stdout and ends with exit code 0 (stdinOnce)`, { timeout: 30_000, skip: stdinOnceSkip }, async () => {
    const name = `cat-run-${binary ? 'spdy' : 'ws'}`;
    const r = await nc.cluster.kubectl(['run', name, '-i', '--rm', '--restart=Never', '--image=cat'], { binary, stdin: 'one\ntwo\nthree\n' });
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stdout, /^one\ntwo\nthree\n/);
    await waitForPod(nc.client, 'default', name, (p) => p === undefined);
  });
}

for (const [label, binary] of kubectls) {
  test(`kubectl ${label} attach -it reaches a container with tty: true through a terminal, and passes the terminal size`, { timeout: 30_000 }, async () => {
    const name = `tty-shell-${binary ? 'spdy' : 'ws'}`;
    await runPod(name, { name: 'sh', stdin: true, tty: true, command: ['sh'] });
    // kubectl needs a terminal for -t: `script` gives it one, of a size it then sends as a resize.
    const cmd = `stty cols 91 rows 13; exec ${binary ?? kubectlPath} --kubeconfig ${nc.cluster.kubeconfig} attach -it ${name}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, HOME: nc.cluster.dataDir, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const changed = new Set<() => void>();
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      for (const f of changed) f();
    });
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const waitFor = (re: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => re.test(out) && (changed.delete(check), resolve());
        changed.add(check);
        check();
      });
    try {
      const answered = waitFor(/\b42\r?\n/);
      const sender = setInterval(() => child.stdin.write('echo $((6*7))\r'), 300);
      await answered.finally(() => clearInterval(sender));
      const sized = waitFor(/\b13 91\r?\n/);
      child.stdin.write('stty size\r');
      await sized;
      child.stdin.write('exit\r');
      assert.equal(await exited, 0, out);
    } finally {
      child.kill();
    }
  });
}
