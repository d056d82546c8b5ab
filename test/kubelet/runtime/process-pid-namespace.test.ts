// Shared PID namespaces of the process runtime (as root): a pod's (shareProcessNamespace, CRI
// NamespaceMode POD) and a target container's (an ephemeral container's targetContainerName, CRI
// NamespaceMode TARGET); without either, each container sees only its own processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readContainerLog } from '../../../src/kubelet/logs/reader.js';
import type { ProcessRuntime } from '../../../src/kubelet/runtime/process/runtime.js';
import { RuntimeError, type ContainerConfig, type PodSandboxConfig } from '../../../src/kubelet/runtime/types.js';
import { containerConfig, eventually, isRoot, sandboxConfig, setup } from './process-helpers.js';

const rootOnly = isRoot ? false : 'needs root on Linux (namespaces)';

// Every process's command line, one a line (the program's own view of /proc), then "=42=" (not in its own command line).
const LIST = 'for f in /proc/[0-9]*/cmdline; do p=${f#/proc/}; printf "%s " "${p%/cmdline}"; tr "\\0" " " < "$f"; echo; done; echo "=$((40+2))="';

async function run(rt: ProcessRuntime, sb: string, sbc: PodSandboxConfig, over: Partial<ContainerConfig>): Promise<string> {
  const id = await rt.createContainer(sb, containerConfig(over), sbc);
  await rt.startContainer(id);
  return id;
}

/** The container's log once it has `want`. */
async function logOf(rt: ProcessRuntime, id: string, want: string): Promise<string> {
  const { logPath } = await rt.containerStatus(id);
  return eventually(() => {
    const text = readContainerLog(logPath).toString();
    return text.includes(want) ? text : undefined;
  }, 5000, `"${want}" in the log`);
}

test('with shareProcessNamespace the containers share the pod\'s PID namespace, whose pid 1 is the sandbox\'s holder', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sbc = sandboxConfig(env.dir, { namespaceOptions: { pid: 'pod' } });
  const sb = await rt.runPodSandbox(sbc);
  const first = await run(rt, sb, sbc, { name: 'first', image: 'sleep', args: ['301'], pidNamespace: { mode: 'pod' } });
  // A started container's program enters the namespace a moment after startContainer returns
  // (its launcher joins, then forks it), so the listing waits up to 5 s for the first program.
  const waitForFirst = `n=0; until { ${LIST}; } | grep -q 'sleep 301 '; do n=$((n+1)); [ $n -ge 50 ] && break; sleep 0.1; done`;
  const second = await run(rt, sb, sbc, { name: 'second', image: 'sh', args: ['-c', `echo me=$$; ${waitForFirst}; ${LIST}; sleep 60`], pidNamespace: { mode: 'pod' } });
  const out = await logOf(rt, second, '=42=');
  assert.match(out, /^1 \S*sleep infinity $/m, out);
  assert.match(out, /^\d+ \S*sleep 301 $/m, 'the second container sees the first one\'s program');
  assert.doesNotMatch(out, /^me=1$/m, 'the program is not pid 1');
  // exec enters the same namespace.
  const r = await rt.execSync(first, ['sh', '-c', LIST], 5000);
  assert.match(r.stdout.toString(), /^\d+ \S*sh -c echo me=/m);

  // Not pid 1: SIGTERM ends a program without a handler, as in an upstream pod that shares.
  await rt.stopContainer(first, 10);
  const st = await rt.containerStatus(first);
  assert.equal(st.exitCode, 143);
  assert.equal((await rt.containerStatus(second)).state, 'Running', 'the namespace outlives its first container');
  // A third container started after the first ended still joins the pod's namespace.
  const third = await run(rt, sb, sbc, { name: 'third', image: 'sh', args: ['-c', `${LIST}; sleep 60`], pidNamespace: { mode: 'pod' } });
  assert.match(await logOf(rt, third, '=42='), /^\d+ \S*sh -c echo me=/m);

  // A runtime over the same state (agent restart) stops the holder with the sandbox.
  const sandboxFile = `${env.dir}/root/sandboxes/${sb}.json`;
  const holder = (JSON.parse(fs.readFileSync(sandboxFile, 'utf8')) as { pidHolder: { pid: number } }).pidHolder.pid;
  assert.ok(fs.existsSync(`/proc/${holder}`));
  const rt2 = env.make();
  rt.close();
  await rt2.stopPodSandbox(sb);
  assert.equal((await rt2.containerStatus(second)).state, 'Exited');
  await eventually(() => (fs.existsSync(`/proc/${holder}`) ? undefined : true), 5000, 'the holder to end');
  assert.equal((JSON.parse(fs.readFileSync(sandboxFile, 'utf8')) as { pidHolder?: unknown }).pidHolder, undefined);
});

test('a container with a target joins the running target\'s PID namespace; a target that is not running is refused', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sbc = sandboxConfig(env.dir);
  const sb = await rt.runPodSandbox(sbc);
  const target = await run(rt, sb, sbc, { name: 'app', image: 'sleep', args: ['302'] });
  const dbg = await run(rt, sb, sbc, { name: 'dbg', image: 'sh', args: ['-c', `${LIST}; sleep 60`], pidNamespace: { mode: 'target', targetId: target } });
  const out = await logOf(rt, dbg, '=42=');
  assert.match(out, /^1 \S*sleep 302 $/m, 'the target\'s program is pid 1 of the namespace');
  assert.match(out, /^\d+ \S*sh -c for f in/m);
  // Stats still count the container's own processes only (its cgroup).
  assert.equal((await rt.containerStats(dbg))?.processCount, 2, 'sh and its sleep');

  // The namespace ends with its pid 1: the debug container with it, as with containerd.
  await rt.stopContainer(target, 0);
  const st = await eventually(async () => {
    const s = await rt.containerStatus(dbg);
    return s.state === 'Exited' ? s : undefined;
  }, 5000, 'the debug container to end');
  assert.equal(st.exitCode, 137);

  const err = await rt.createContainer(sb, containerConfig({ name: 'late', pidNamespace: { mode: 'target', targetId: target } }), sbc).catch((e: unknown) => e);
  assert.ok(err instanceof RuntimeError);
  assert.equal(err.reason, 'CreateContainerError');
  assert.match(err.message, new RegExp(`^invalid target container: container "${target}" is not running - in state Exited$`));
  const missing = await rt.createContainer(sb, containerConfig({ name: 'late', pidNamespace: { mode: 'target', targetId: 'nope' } }), sbc).catch((e: unknown) => e);
  assert.match((missing as Error).message, /container "nope" does not exist/);
});

test('without sharing, each container of a pod sees only its own processes', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sbc = sandboxConfig(env.dir);
  const sb = await rt.runPodSandbox(sbc);
  await run(rt, sb, sbc, { name: 'a', image: 'sleep', args: ['303'] });
  const b = await run(rt, sb, sbc, { name: 'b', image: 'sh', args: ['-c', `${LIST}; sleep 60`] });
  const out = await logOf(rt, b, '=42=');
  assert.doesNotMatch(out, /sleep 303/);
  assert.match(out, /^1 \S*sh -c for f in/m);
});
