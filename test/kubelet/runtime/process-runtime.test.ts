import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { readContainerLog } from '../../../src/kubelet/logs/reader.js';
import { RuntimeError } from '../../../src/kubelet/runtime/types.js';
import { containerConfig, eventually, isRoot, sandboxConfig, setup } from './process-helpers.js';

const rootOnly = isRoot ? false : 'needs root on Linux (namespaces and cgroups)';

test('a container runs the image name as the executable, ends with its exit code and reason, and its output is a CRI log', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const cases = [
    { config: containerConfig({ name: 'ok', image: 'true' }), code: 0, reason: 'Completed', log: '' },
    { config: containerConfig({ name: 'fail', image: 'sh', args: ['-c', 'echo hi; echo err >&2; exit 3'] }), code: 3, reason: 'Error', log: 'hi\nerr\n' },
    { config: containerConfig({ name: 'cmd', image: 'ignored:1.0', command: ['/bin/echo', 'from'], args: ['command'] }), code: 0, reason: 'Completed', log: 'from command\n' },
  ];
  for (const c of cases) {
    const id = await rt.createContainer(sb, c.config, sandboxConfig(env.dir));
    await rt.startContainer(id);
    const st = await eventually(async () => {
      const s = await rt.containerStatus(id);
      return s.state === 'Exited' ? s : undefined;
    }, 5000, c.config.name);
    assert.equal(st.exitCode, c.code, c.config.name);
    assert.equal(st.reason, c.reason, c.config.name);
    assert.ok(st.finishedAt >= st.startedAt && st.startedAt > 0);
    const raw = fs.readFileSync(st.logPath, 'utf8');
    for (const line of raw.split('\n').filter(Boolean)) assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (stdout|stderr) F /);
    const text = readContainerLog(st.logPath).toString();
    assert.deepEqual(text.split('\n').sort(), c.log.split('\n').sort(), c.config.name);
  }
});

test('env is exactly the configured variables plus PATH, and workingDir is the current directory', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(
    sb,
    containerConfig({ image: 'sh', args: ['-c', 'env | sort; pwd'], envs: [{ name: 'FOO', value: 'bar baz' }], workingDir: '/tmp' }),
    sandboxConfig(env.dir),
  );
  await rt.startContainer(id);
  const st = await eventually(async () => ((await rt.containerStatus(id)).state === 'Exited' ? rt.containerStatus(id) : undefined));
  const lines = readContainerLog(st.logPath).toString().trim().split('\n');
  assert.equal(lines.at(-1), '/tmp');
  // sh itself may add its own variables (PWD after cd, SHLVL in some shells); nothing of the agent leaks.
  const vars = lines.slice(0, -1).map((l) => l.split('=')[0]).filter((n) => !['PWD', 'SHLVL', 'OLDPWD', '_'].includes(n));
  assert.deepEqual(vars, ['FOO', 'PATH']);
  assert.ok(lines.includes('FOO=bar baz'));
});

test('variables named like the start and exec scripts\' own reach the program and exec with exactly their values', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const names = ['d', 'h', 'wd', 'p', 'src', 'dst', 'mode', 'kind', 'o', 'table', 'np', 'cpath', 'tab', 'me', 'pid', 'in', 'once', 'woke', 'code', 'cgroups', 'f'];
  const envs = names.map((name) => ({ name, value: `value of ${name}` }));
  // Two mounts, one inside the other: the init script mounts them one by one through its loop.
  const outer = path.join(env.dir, 'outer');
  const inner = path.join(env.dir, 'inner');
  fs.mkdirSync(outer);
  fs.mkdirSync(inner);
  const at = path.join(env.dir, 'at');
  const mounts = [{ hostPath: outer, containerPath: at }, { hostPath: inner, containerPath: path.join(at, 'sub') }];
  const script = names.map((n) => `echo "${n}=$${n}"`).join('; ');
  const id = await rt.createContainer(sb, containerConfig({ image: 'sh', args: ['-c', `${script}; sleep 60`], envs, mounts, workingDir: '/tmp' }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const st = await rt.containerStatus(id);
  const expected = names.map((n) => `${n}=value of ${n}`).join('\n');
  await eventually(() => (readContainerLog(st.logPath).toString().trim() === expected ? true : undefined), 5000, `container output: ${readContainerLog(st.logPath).toString()}`);
  const r = await rt.execSync(id, ['sh', '-c', script], 5000);
  assert.equal(r.stdout.toString().trim(), expected);
  await rt.stopContainer(id, 0);
});

test('pullImage resolves an executable on PATH and fails with ErrImagePull naming a missing one; a missing command fails the start with StartError', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const id = await rt.pullImage('docker.io/library/sleep:latest');
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.ok((await rt.listImages()).some((i) => i.repoTags.includes('docker.io/library/sleep:latest')));
  await assert.rejects(rt.pullImage('no-such-program-k8ts'), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.reason, 'ErrImagePull');
    assert.match(err.message, /"no-such-program-k8ts"/);
    return true;
  });
  assert.equal(await rt.imageStatus('no-such-program-k8ts'), undefined);
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const cid = await rt.createContainer(sb, containerConfig({ command: ['no-such-command-k8ts'] }), sandboxConfig(env.dir));
  await assert.rejects(rt.startContainer(cid), (err: unknown) => err instanceof RuntimeError && err.reason === 'RunContainerError');
  const st = await rt.containerStatus(cid);
  assert.equal(st.state, 'Exited');
  assert.equal(st.reason, 'StartError');
  assert.equal(st.exitCode, 128);
  assert.match(st.message, /no-such-command-k8ts.*not found/);
});

test('stopContainer sends SIGTERM to the process group and the container ends with 128+15 when it exits on it', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(sb, containerConfig({ image: 'sh', args: ['-c', 'trap "echo bye; exit 143" TERM; echo ready; while :; do sleep 0.05; done'] }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const st0 = await rt.containerStatus(id);
  assert.equal(st0.state, 'Running');
  assert.ok(st0.pid && st0.pid > 0);
  await eventually(() => (readContainerLog(st0.logPath).toString().includes('ready') ? true : undefined));
  const started = Date.now();
  await rt.stopContainer(id, 10);
  assert.ok(Date.now() - started < 5000, 'did not wait for the grace period');
  const st = await rt.containerStatus(id);
  assert.equal(st.state, 'Exited');
  assert.equal(st.exitCode, 143);
  assert.match(readContainerLog(st.logPath).toString(), /bye/);
});

test('a container that ignores SIGTERM is SIGKILLed after the grace period (exit 137)', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(sb, containerConfig({ image: 'sh', args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'] }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const st0 = await rt.containerStatus(id);
  await eventually(() => (readContainerLog(st0.logPath).toString().includes('ready') ? true : undefined));
  const started = Date.now();
  await rt.stopContainer(id, 1);
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 5000, `took ${took} ms`);
  const st = await rt.containerStatus(id);
  assert.equal(st.exitCode, 137);
  assert.equal(st.reason, 'Error');
});

test('each sandbox gets a distinct IP from the pod CIDR; a container listening on it is reachable there and through portForward', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const a = await rt.runPodSandbox(sandboxConfig(env.dir));
  const b = await rt.runPodSandbox(sandboxConfig(env.dir));
  const ipA = (await rt.podSandboxStatus(a)).ip;
  const ipB = (await rt.podSandboxStatus(b)).ip;
  assert.match(ipA, /^127\.1\.\d+\.\d+$/);
  assert.notEqual(ipA, ipB);
  const script = `require('net').createServer((s) => s.end('hello from ' + process.env.POD_IP)).listen(8080, process.env.POD_IP, () => console.log('listening'))`;
  const id = await rt.createContainer(a, containerConfig({ image: 'node', args: ['-e', script], envs: [{ name: 'POD_IP', value: ipA }] }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const st = await rt.containerStatus(id);
  await eventually(() => (readContainerLog(st.logPath).toString().includes('listening') ? true : undefined), 10000, 'listening');
  const read = (s: net.Socket) => new Promise<string>((resolve) => {
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data));
  });
  assert.equal(await read(net.connect(8080, ipA)), `hello from ${ipA}`);
  assert.equal(await read(await rt.portForward!(a, 8080)), `hello from ${ipA}`);
  await rt.stopPodSandbox(a);
  assert.equal((await rt.podSandboxStatus(a)).state, 'NotReady');
  assert.equal((await rt.containerStatus(id)).state, 'Exited');
});

test('execSync runs with the container env and cwd and reports exit codes and timeouts; exec streams; stats are reported', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(sb, containerConfig({ image: 'sleep', args: ['60'], envs: [{ name: 'GREETING', value: 'hi' }], workingDir: '/tmp' }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const r = await rt.execSync(id, ['sh', '-c', 'echo $GREETING; pwd; exit 4'], 5000);
  assert.equal(r.stdout.toString(), 'hi\n/tmp\n');
  assert.equal(r.exitCode, 4);
  assert.equal(r.timedOut, false);
  const stats = await rt.containerStats!(id);
  assert.ok(stats && (stats.memoryWorkingSetBytes ?? 0) > 0, 'memory is reported');
  assert.equal(typeof stats.cpuUsageCoreNanoSeconds, 'number');
  const slow = await rt.execSync(id, ['sleep', '10'], 200);
  assert.equal(slow.timedOut, true);
  const s = await rt.exec!(id, ['sh', '-c', 'read x; echo got $x; echo e >&2; exit 2'], { stdin: true, tty: false });
  let out = '';
  let err = '';
  s.stdout.on('data', (d: Buffer) => (out += d));
  s.stderr!.on('data', (d: Buffer) => (err += d));
  s.stdin!.write('line\n');
  assert.equal(await s.exited, 2);
  await eventually(() => (out === 'got line\n' ? true : undefined), 2000, 'stdout');
  assert.equal(err, 'e\n');
  await rt.stopContainer(id, 0);
});

test('exec with a tty runs under a pseudo-terminal', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(sb, containerConfig({ image: 'sleep', args: ['60'] }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const s = await rt.exec!(id, ['sh', '-c', 'sleep 0.3; if [ -t 0 ]; then echo tty; stty size; fi'], { stdin: true, tty: true });
  s.resize(100, 30);
  let out = '';
  s.stdout.on('data', (d: Buffer) => (out += d));
  assert.equal(await s.exited, 0);
  await eventually(() => (out.includes('tty') ? true : undefined), 2000, 'tty output');
  assert.match(out, /30 100/);
  await rt.stopContainer(id, 0);
});

test('attach streams the output of a running container and writes to its stdin', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(sb, containerConfig({ image: 'sh', args: ['-c', 'while read l; do echo "echo $l"; done'], stdin: true }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const s = await rt.attach!(id, { stdin: true, tty: false });
  let out = '';
  s.stdout.on('data', (d: Buffer) => (out += d));
  s.stdin!.write('one\n');
  await eventually(() => (out.includes('echo one\n') ? true : undefined), 5000, 'echo');
  s.kill();
  await rt.stopContainer(id, 0);
  assert.match(readContainerLog((await rt.containerStatus(id)).logPath).toString(), /echo one/);
});

test('a new runtime over the same rootDir lists the running container and learns the exit code of one that ended meanwhile', async (t) => {
  const env = setup(t);
  const first = env.make();
  const sb = await first.runPodSandbox(sandboxConfig(env.dir));
  const ip = (await first.podSandboxStatus(sb)).ip;
  const running = await first.createContainer(sb, containerConfig({ name: 'long', image: 'sleep', args: ['60'] }), sandboxConfig(env.dir));
  const ending = await first.createContainer(sb, containerConfig({ name: 'short', image: 'sh', args: ['-c', 'echo before; read x < /dev/null; sleep 0.3; echo after; exit 7'] }), sandboxConfig(env.dir));
  await first.startContainer(running);
  await first.startContainer(ending);
  first.close(); // the agent goes away; its containers do not
  const endingDir = path.join(env.dir, 'root', 'containers', ending);
  await eventually(() => (fs.existsSync(path.join(endingDir, 'exit')) ? true : undefined), 5000, 'exit file');
  const second = env.make();
  const list = await second.listContainers({ state: 'Running' });
  assert.deepEqual(list.map((c) => c.id), [running]);
  const st = await second.containerStatus(ending);
  assert.equal(st.state, 'Exited');
  assert.equal(st.exitCode, 7);
  assert.equal(st.reason, 'Error');
  assert.equal(readContainerLog(st.logPath).toString(), 'before\nafter\n');
  assert.equal((await second.podSandboxStatus(sb)).ip, ip);
  const other = await second.runPodSandbox(sandboxConfig(env.dir));
  assert.notEqual((await second.podSandboxStatus(other)).ip, ip, 'a restarted runtime does not hand out a used IP');
  await second.stopContainer(running, 0);
  assert.equal((await second.containerStatus(running)).exitCode, 137);
});

test('the log of a chatty container rotates at the configured size', async (t) => {
  const env = setup(t);
  const rt = env.make({ logRotation: { maxSizeBytes: 4096, maxFiles: 3 } });
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(sb, containerConfig({ image: 'sh', args: ['-c', 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done'] }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const st = await eventually(async () => {
    const s = await rt.containerStatus(id);
    return s.state === 'Exited' ? s : undefined;
  });
  const dir = path.dirname(st.logPath);
  const files = fs.readdirSync(dir);
  assert.equal(files.length, 3, files.join(' '));
  for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size <= 4096);
  const lines = readContainerLog(st.logPath).toString().trim().split('\n');
  assert.equal(lines.at(-1), 'line 499');
  await rt.removeContainer(id);
  assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], [], 'removing the container removes its logs');
});

test('as root, a container has its own hostname, PID namespace and bind mounts', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  const rt = env.make();
  assert.ok(rt.usesNamespaces);
  const sb = await rt.runPodSandbox(
    sandboxConfig(env.dir, { hostname: 'my-pod-host', dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] } }),
  );
  const vol = path.join(env.dir, 'vol');
  fs.mkdirSync(vol);
  fs.writeFileSync(path.join(vol, 'key'), 'value');
  const mountAt = path.join(env.dir, 'inside', 'config');
  const id = await rt.createContainer(
    sb,
    containerConfig({
      image: 'sh',
      args: ['-c', `cat /proc/sys/kernel/hostname; echo pid=$$; ls /proc | grep -c '^[0-9]'; cat ${mountAt}/key; echo; touch ${mountAt}/x 2>/dev/null || echo read-only; grep nameserver /etc/resolv.conf; sleep 60`],
      mounts: [{ hostPath: vol, containerPath: mountAt, readOnly: true }],
    }),
    sandboxConfig(env.dir),
  );
  await rt.startContainer(id);
  const st = await rt.containerStatus(id);
  await eventually(() => (readContainerLog(st.logPath).toString().includes('nameserver') ? true : undefined), 5000, 'output');
  const lines = readContainerLog(st.logPath).toString().trim().split('\n');
  assert.equal(lines[0], 'my-pod-host');
  assert.equal(lines[1], 'pid=1');
  assert.ok(Number(lines[2]) <= 4, `few processes visible: ${lines[2]}`);
  assert.equal(lines[3], 'value');
  assert.equal(lines[4], 'read-only');
  assert.equal(lines[5], 'nameserver 10.96.0.10');
  assert.deepEqual(fs.readdirSync(mountAt), [], 'the bind mount is not visible on the host');
  const r = await rt.execSync(id, ['sh', '-c', `hostname; cat ${mountAt}/key`], 5000);
  assert.equal(r.stdout.toString(), 'my-pod-host\nvalue');
  // The resolv.conf is one read-only file shared by the containers that get the same one.
  const w = await rt.execSync(id, ['sh', '-c', 'echo x >> /etc/resolv.conf 2>/dev/null || echo read-only'], 5000);
  assert.equal(w.stdout.toString(), 'read-only\n');
  const id2 = await rt.createContainer(sb, containerConfig({ name: 'd', image: 'sh', args: ['-c', 'cat /etc/resolv.conf; sleep 60'] }), sandboxConfig(env.dir));
  await rt.startContainer(id2);
  const st2 = await rt.containerStatus(id2);
  await eventually(() => (readContainerLog(st2.logPath).toString().includes('ndots') ? true : undefined), 5000, 'resolv.conf of the second container');
  assert.equal(fs.readdirSync(path.join(env.dir, 'root', 'resolv')).length, 1, 'one file for both');
  await rt.stopContainer(id, 0);
  await rt.stopContainer(id2, 0);
});

test('as root, mounts are made in order whether they are mounted all at once (paths with spaces) or one by one (a mount inside another)', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const vol = path.join(env.dir, 'vol with space');
  fs.mkdirSync(vol);
  fs.writeFileSync(path.join(vol, 'key'), 'outer\n');
  const file = path.join(env.dir, 'file');
  fs.writeFileSync(file, 'inner\n');
  const outer = path.join(env.dir, 'in side', 'data');
  const cases = [
    // Independent mount points: one `mount -a` over DIR/fstab.
    { mounts: [{ hostPath: vol, containerPath: outer, readOnly: true }, { hostPath: file, containerPath: path.join(env.dir, 'other', 'f') }], read: [`${outer}/key`, path.join(env.dir, 'other', 'f')], want: 'outer inner' },
    // The file is mounted inside the directory mount: made and mounted after it.
    { mounts: [{ hostPath: vol, containerPath: outer }, { hostPath: file, containerPath: `${outer}/sub/f`, readOnly: true }], read: [`${outer}/key`, `${outer}/sub/f`], want: 'outer inner' },
  ];
  for (const [i, c] of cases.entries()) {
    const id = await rt.createContainer(sb, containerConfig({ name: `c${i}`, image: 'sh', args: ['-c', `echo $(cat ${c.read.map((r) => `'${r}'`).join(' ')})`], mounts: c.mounts }), sandboxConfig(env.dir));
    await rt.startContainer(id);
    const st = await eventually(async () => ((await rt.containerStatus(id)).state === 'Exited' ? rt.containerStatus(id) : undefined), 5000, `case ${i}`);
    assert.equal(readContainerLog(st.logPath).toString().trim(), c.want, `case ${i}`);
    assert.equal(st.exitCode, 0, `case ${i}`);
    assert.equal(fs.existsSync(path.join(rt['containerDir'](id), 'fstab')), i === 0, `case ${i}: fstab written only for independent mounts`);
  }
});

test('as root, a mount that cannot be made (a file over a directory) fails the start with StartError naming it, after `mount -a` failed', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const file = path.join(env.dir, 'file');
  fs.writeFileSync(file, 'x\n');
  const dir = path.join(env.dir, 'a dir');
  fs.mkdirSync(dir);
  const id = await rt.createContainer(sb, containerConfig({ image: 'sh', args: ['-c', 'echo ran'], mounts: [{ hostPath: file, containerPath: dir }] }), sandboxConfig(env.dir));
  await rt.startContainer(id);
  const st = await eventually(async () => ((await rt.containerStatus(id)).state === 'Exited' ? rt.containerStatus(id) : undefined), 5000, 'the start to fail');
  assert.equal(st.exitCode, 128);
  assert.equal(st.reason, 'StartError');
  assert.equal(readContainerLog(st.logPath).toString().trim().split('\n').at(-1), `k8ts: cannot mount ${file} at ${dir}`);
});

test('as root, a container over its memory limit is OOM-killed and reported as OOMKilled', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  if (env.cgroups.mode === 'none') return t.skip('no cgroups');
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(
    sb,
    containerConfig({ image: 'sh', args: ['-c', 'x=$(head -c 64000000 /dev/zero | tr "\\0" a); sleep 1'], resources: { memoryLimitBytes: 16 * 1024 * 1024 } }),
    sandboxConfig(env.dir),
  );
  await rt.startContainer(id);
  const st = await eventually(async () => {
    const s = await rt.containerStatus(id);
    return s.state === 'Exited' ? s : undefined;
  }, 10000, 'exit');
  assert.equal(st.reason, 'OOMKilled');
  assert.notEqual(st.exitCode, 0);
});

test('as root, a container\'s process count comes from its cgroup and equals the program\'s process tree in /proc', { skip: rootOnly }, async (t) => {
  const env = setup(t);
  if (env.cgroups.mode === 'none') return t.skip('no cgroups');
  const { processTreeCounter } = await import('../../../src/kubelet/stats/host-signals.js');
  const rt = env.make();
  for (const pid of ['container', 'node'] as const) {
    const cfg = sandboxConfig(env.dir, { namespaceOptions: { network: 'pod', pid, ipc: 'pod' } });
    const sb = await rt.runPodSandbox(cfg);
    const id = await rt.createContainer(sb, containerConfig({ name: `count-${pid}`, image: 'sh', args: ['-c', 'sleep 60 & sleep 60 & wait'] }), cfg);
    await rt.startContainer(id);
    // sh and its two sleeps, once both are forked (the tree as the /proc scan counts it). Right
    // after the start the status may still give unshare's pid (its child not found yet): unshare,
    // sh and one sleep then also make a tree of 3, while the cgroup holds sh and that one sleep
    // besides unshare. So both counts are read together until they settle on the whole tree.
    const counts = await eventually(async () => {
      const st = await rt.containerStatus(id);
      const tree = st.pid ? processTreeCounter('/proc', 0)([st.pid]) : 0;
      const fromCgroup = (await rt.containerStats!(id))?.processCount;
      return tree === 3 && fromCgroup === 3 ? { tree, fromCgroup } : undefined;
    }, 5000, `tree of ${pid}`);
    assert.equal(counts.fromCgroup, counts.tree, `pid namespace ${pid}`);
    await rt.stopContainer(id, 0);
    assert.equal(await rt.containerStats!(id), undefined, 'an exited container has no stats');
  }
});

test('without namespaces (the non-root fallback) containers are plain processes and a mount appears as a symlink at its containerPath', async (t) => {
  const env = setup(t);
  const { CgroupManager } = await import('../../../src/kubelet/cgroups/cgroups.js');
  const rt = env.make({ namespaces: false, cgroups: new CgroupManager({ mode: 'none' }) });
  assert.equal(rt.usesNamespaces, false);
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir, { hostname: 'ignored-host' }));
  const vol = path.join(env.dir, 'vol');
  fs.mkdirSync(vol);
  fs.writeFileSync(path.join(vol, 'key'), 'value');
  const mountAt = path.join(env.dir, 'plain', 'config');
  const id = await rt.createContainer(
    sb,
    containerConfig({ image: 'sh', args: ['-c', `cat ${mountAt}/key; echo; echo pid=$$`], mounts: [{ hostPath: vol, containerPath: mountAt }] }),
    sandboxConfig(env.dir),
  );
  await rt.startContainer(id);
  const st = await eventually(async () => {
    const s = await rt.containerStatus(id);
    return s.state === 'Exited' ? s : undefined;
  });
  const lines = readContainerLog(st.logPath).toString().trim().split('\n');
  assert.equal(lines[0], 'value');
  assert.notEqual(lines[1], 'pid=1');
  assert.equal(fs.readlinkSync(mountAt), vol);
  assert.equal(st.exitCode, 0);
});

test('a container with tty runs under a pseudo-terminal that attach can write to and resize', async (t) => {
  const env = setup(t);
  const rt = env.make();
  const sb = await rt.runPodSandbox(sandboxConfig(env.dir));
  const id = await rt.createContainer(
    sb,
    containerConfig({ image: 'sh', args: ['-c', 'if [ -t 1 ]; then echo is-a-tty; fi; while read x; do echo "got $x"; stty size; done'], stdin: true, tty: true }),
    sandboxConfig(env.dir),
  );
  await rt.startContainer(id);
  const s = await rt.attach!(id, { stdin: true, tty: true });
  assert.equal(s.stderr, undefined);
  let out = '';
  s.stdout.on('data', (d: Buffer) => (out += d));
  const st = await rt.containerStatus(id);
  await eventually(() => (readContainerLog(st.logPath).toString().includes('is-a-tty') ? true : undefined), 5000, 'tty check');
  s.resize(100, 30);
  await eventually(() => {
    if (/30 100/.test(out)) return true;
    s.stdin!.write('ping\n');
    return undefined;
  }, 5000, 'resized terminal');
  assert.match(out, /got ping/);
  s.kill();
  await rt.stopContainer(id, 0);
});

test('stopping a sandbox releases its IP, a hostNetwork sandbox has the node IP, and removal forgets both', async (t) => {
  const env = setup(t);
  const rt = env.make({ podCidr: '127.1.7.0/30', nodeIp: '127.0.0.1' });
  const a = await rt.runPodSandbox(sandboxConfig(env.dir));
  const b = await rt.runPodSandbox(sandboxConfig(env.dir));
  await assert.rejects(rt.runPodSandbox(sandboxConfig(env.dir)), /no free pod IP/);
  const host = await rt.runPodSandbox(sandboxConfig(env.dir, { namespaceOptions: { network: 'node' } }));
  assert.equal((await rt.podSandboxStatus(host)).ip, '127.0.0.1');
  const released = (await rt.podSandboxStatus(a)).ip;
  await rt.stopPodSandbox(a);
  assert.equal((await rt.podSandboxStatus(a)).ip, '');
  const c = await rt.runPodSandbox(sandboxConfig(env.dir));
  assert.equal((await rt.podSandboxStatus(c)).ip, released);
  assert.deepEqual((await rt.listPodSandboxes({ state: 'Ready' })).map((s) => s.id).sort(), [b, host, c].sort());
  await rt.removePodSandbox(a);
  await assert.rejects(rt.podSandboxStatus(a), (e: unknown) => e instanceof RuntimeError && e.reason === 'NotFound');
});
