import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeRuntime } from '../../../src/kubelet/runtime/fake/runtime.js';
import { createRuntime } from '../../../src/kubelet/runtime/registry.js';
import { RuntimeError } from '../../../src/kubelet/runtime/types.js';
import { readContainerLog } from '../../../src/kubelet/logs/reader.js';
import { containerConfig, sandboxConfig } from './process-helpers.js';

test('the fake runtime runs the CRI lifecycle in memory and records the calls', async () => {
  const rt = new FakeRuntime({ now: () => 1000 });
  const sbConfig = sandboxConfig('/nonexistent');
  const sb = await rt.runPodSandbox(sbConfig);
  assert.match((await rt.podSandboxStatus(sb)).ip, /^10\.88\./);
  const id = await rt.createContainer(sb, containerConfig({ name: 'app' }), sbConfig);
  assert.equal((await rt.containerStatus(id)).state, 'Created');
  await rt.startContainer(id);
  assert.deepEqual((await rt.listContainers({ state: 'Running' })).map((c) => c.id), [id]);
  await rt.stopContainer(id, 30);
  const st = await rt.containerStatus(id);
  assert.deepEqual([st.state, st.exitCode, st.reason, st.finishedAt], ['Exited', 0, 'Completed', 1000]);
  await rt.removePodSandbox(sb);
  assert.deepEqual(await rt.listContainers(), []);
  assert.deepEqual(rt.calls, [
    `runPodSandbox ${sbConfig.name}`,
    'createContainer app',
    'startContainer app',
    'stopContainer app 30',
    `stopPodSandbox ${sb}`,
    `removePodSandbox ${sb}`,
  ]);
});

test('tests steer the fake: exits with codes and OOM, start/create/pull failures, exec results, and waitFor', async () => {
  const rt = new FakeRuntime();
  const sbConfig = sandboxConfig('/nonexistent');
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(sb, containerConfig({ name: 'app' }), sbConfig);
  await rt.startContainer(id);
  const exited = rt.waitFor(() => rt.containers.get(id)?.status.state === 'Exited');
  rt.exitContainer('app', 3);
  await exited;
  assert.deepEqual([(await rt.containerStatus(id)).exitCode, (await rt.containerStatus(id)).reason], [3, 'Error']);

  const oom = await rt.createContainer(sb, containerConfig({ name: 'hog' }), sbConfig);
  await rt.startContainer(oom);
  rt.exitContainer(oom, 137, { oomKilled: true });
  assert.equal((await rt.containerStatus(oom)).reason, 'OOMKilled');

  rt.failStart('bad', 'exec: "x": executable file not found in $PATH');
  const bad = await rt.createContainer(sb, containerConfig({ name: 'bad' }), sbConfig);
  await assert.rejects(rt.startContainer(bad), (e: unknown) => e instanceof RuntimeError && e.reason === 'RunContainerError');
  assert.equal((await rt.containerStatus(bad)).reason, 'StartError');

  rt.failCreate('nope');
  await assert.rejects(rt.createContainer(sb, containerConfig({ name: 'nope' }), sbConfig), /failed to create/);

  rt.failPull('missing:1');
  await assert.rejects(rt.pullImage('missing:1'), (e: unknown) => e instanceof RuntimeError && e.reason === 'ErrImagePull');
  assert.match(await rt.pullImage('sleep'), /^sha256:/);

  const probe = await rt.createContainer(sb, containerConfig({ name: 'probe' }), sbConfig);
  await rt.startContainer(probe);
  rt.execHandler = (_c, cmd) => ({ stdout: Buffer.from(cmd.join(' ')), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'false' ? 1 : 0, timedOut: false });
  assert.equal((await rt.execSync(probe, ['false'], 1000)).exitCode, 1);
  assert.equal((await rt.execSync(probe, ['cat', '/ready'], 1000)).stdout.toString(), 'cat /ready');
});

test('the fake writes CRI logs that the log reader reads, and the registry makes runtimes by name', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-fake-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rt = new FakeRuntime();
  const sbConfig = sandboxConfig(dir);
  const sb = await rt.runPodSandbox(sbConfig);
  const id = await rt.createContainer(sb, containerConfig({ name: 'app' }), sbConfig);
  await rt.startContainer(id);
  rt.writeLog('app', 'stdout', 'hello\n');
  rt.writeLog('app', 'stderr', 'oops\n');
  assert.equal(readContainerLog((await rt.containerStatus(id)).logPath).toString(), 'hello\noops\n');
  assert.equal(createRuntime('fake', { rootDir: dir }).name, 'fake');
  assert.equal(createRuntime('process', { rootDir: path.join(dir, 'proc') }).name, 'process');
  assert.throws(() => createRuntime('docker', { rootDir: dir }), /unknown container runtime "docker"/);
});
