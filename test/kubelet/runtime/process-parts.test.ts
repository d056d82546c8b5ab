import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executableOfImage, hostPathOf, resolveExecutable } from '../../../src/kubelet/runtime/process/executable.js';
import { IpAllocator } from '../../../src/kubelet/runtime/process/ip-allocator.js';
import { resolvConf } from '../../../src/kubelet/runtime/process/host.js';
import { shellQuote } from '../../../src/kubelet/runtime/process/exec.js';
import { launchScript, Spawner } from '../../../src/kubelet/runtime/process/spawner.js';
import { SHIM_SCRIPT } from '../../../src/kubelet/runtime/process/shim.js';
import { fstabField } from '../../../src/kubelet/runtime/process/runtime.js';
import { JsonWriter, readJson } from '../../../src/kubelet/runtime/process/state.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-parts-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the image name without registry, tag or digest is the executable', () => {
  const cases: [string, string][] = [
    ['sleep', 'sleep'],
    ['sleep:latest', 'sleep'],
    ['docker.io/library/busybox:1.36', 'busybox'],
    ['localhost:5000/tools/node@sha256:abc', 'node'],
    ['/usr/bin/env', '/usr/bin/env'],
    ['./run.sh', './run.sh'],
  ];
  for (const [image, exe] of cases) assert.equal(executableOfImage(image), exe, image);
});

test('executables resolve on PATH, relative to the working directory, and through mounts', (t) => {
  const dir = tmp(t);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'data'), 'not executable', { mode: 0o644 });
  assert.match(resolveExecutable('sh') ?? '', /^\/.*\/sh$/);
  assert.equal(resolveExecutable('tool', { pathEnv: bin }), path.join(bin, 'tool'));
  assert.equal(resolveExecutable('tool'), undefined, 'not on the default PATH');
  assert.equal(resolveExecutable('data', { pathEnv: bin }), undefined, 'not executable');
  assert.equal(resolveExecutable('./tool', { cwd: bin }), path.join(bin, 'tool'));
  // /scripts/tool exists only inside the container, where bin is mounted at /scripts.
  const mounts = [{ hostPath: bin, containerPath: '/scripts' }];
  assert.equal(hostPathOf('/scripts/tool', mounts), path.join(bin, 'tool'));
  assert.equal(hostPathOf('/scriptsX/tool', mounts), '/scriptsX/tool');
  assert.equal(resolveExecutable('/scripts/tool', { mounts }), '/scripts/tool');
  assert.equal(resolveExecutable('tool', { pathEnv: '/scripts', mounts }), '/scripts/tool');
  assert.equal(resolveExecutable(''), undefined);
});

test('pod IPs skip the network address, never repeat one in use, and the cursor survives a new allocator', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'ipam.json');
  const a = new IpAllocator('127.1.0.0/30', file);
  const first = a.allocate([]);
  assert.equal(first, '127.1.0.1');
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { next: 1 });
  const second = new IpAllocator('127.1.0.0/30', file).allocate([first]);
  assert.equal(second, '127.1.0.2');
  assert.throws(() => a.allocate([first, second]), /no free pod IP/);
  assert.equal(a.allocate([second]), '127.1.0.1', 'a released address comes back when the range wraps');
  assert.throws(() => new IpAllocator('10.0.0.0/33', file), /invalid pod CIDR/);
});

test('resolv.conf and shell quoting', () => {
  assert.equal(resolvConf({ servers: ['10.96.0.10'], searches: ['a.svc', 'svc'], options: ['ndots:5'] }), 'search a.svc svc\nnameserver 10.96.0.10\noptions ndots:5\n');
  assert.equal(shellQuote(['echo', "it's", 'a b', '$HOME']), `echo 'it'\\''s' 'a b' '$HOME'`);
});

test('records are written whole and in order: the last value given is the one on disk, and a forgotten record is not written again', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'rec.json');
  const w = new JsonWriter();
  const writes = Array.from({ length: 20 }, (_, i) => w.write(file, { n: i }));
  await Promise.all(writes);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { n: 19 });
  assert.deepEqual(fs.readdirSync(dir), ['rec.json'], 'no temp file is left');
  void w.write(file, { n: 20 });
  const queued = w.write(file, { n: 21 });
  await w.forget(file);
  await queued;
  assert.notEqual(JSON.parse(fs.readFileSync(file, 'utf8')).n, 21, 'the queued write was dropped');
  await w.write(path.join(dir, 'gone', 'rec.json'), { n: 1 });
  assert.equal(fs.existsSync(path.join(dir, 'gone')), false, 'a removed directory is not created again');
});

test('a fresh record is written in place (no temp file), replaced whole when it exists, and dropped when its directory is gone', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'rec.json');
  const w = new JsonWriter();
  const first = w.write(file, { n: 0 }, true);
  const queued = w.write(file, { n: 1 });
  await Promise.all([first, queued]);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { n: 1 }, 'a write queued behind the fresh one replaces it');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'records may hold secrets');
  await w.write(file, { n: 2 }, true);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { n: 2 }, 'a "fresh" record that exists is replaced whole');
  assert.deepEqual(fs.readdirSync(dir), ['rec.json'], 'no temp file is left');
  await w.write(path.join(dir, 'gone', 'rec.json'), { n: 1 }, true);
  assert.equal(fs.existsSync(path.join(dir, 'gone')), false, 'a removed directory is not created again');
  // A torn fresh record (a crash in the middle of its write) reads as no record at all.
  fs.writeFileSync(file, '{"n":2');
  assert.equal(readJson(file), undefined);
});

test("the launch script writes the init script's input files before it sources the shim, and ends when it cannot", (t) => {
  const dir = tmp(t);
  const shim = path.join(dir, 'shim.sh');
  fs.writeFileSync(shim, 'echo "$cgroups|$*|$(cenv; /usr/bin/env)" > "$d/ran"\n');
  const mounts = "/host/a b\t/in/it's\tro\tdir\n/x\t/y\trw\tfile\n";
  const fstab = '%s \\040 -n\n';
  fs.writeFileSync(path.join(dir, 'launch'), launchScript(dir, shim, '/usr/bin/env', { A: 'b' }, ['sleep', '1'], ['/cg/procs'], { mounts, fstab }));
  const r = spawnSync('/bin/sh', ['-c', '. "$1"', 'sh', path.join(dir, 'launch')]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(fs.readFileSync(path.join(dir, 'mounts'), 'utf8'), mounts);
  assert.equal(fs.readFileSync(path.join(dir, 'fstab'), 'utf8'), fstab);
  // argv[0] found on PATH: through `env -i`, and cenv does nothing.
  assert.match(fs.readFileSync(path.join(dir, 'ran'), 'utf8'), /^\/cg\/procs\|\/usr\/bin\/env -i -- A=b sleep 1\|(?!.*A=b)/s);
  // An absolute argv[0] and names the shell can export: argv alone, and cenv exports the variables.
  fs.writeFileSync(path.join(dir, 'launch'), launchScript(dir, shim, '/usr/bin/env', { A: "b c'd", _X1: '' }, ['/bin/sleep', '1'], ['/cg/procs']));
  assert.equal(spawnSync('/bin/sh', ['-c', '. "$1"', 'sh', path.join(dir, 'launch')]).status, 0);
  const ran = fs.readFileSync(path.join(dir, 'ran'), 'utf8');
  assert.match(ran, /^\/cg\/procs\|\/bin\/sleep 1\|/);
  assert.deepEqual(ran.split('\n').filter((l) => /^(A|_X1)=/.test(l)).sort(), ["A=b c'd", '_X1=']);
  // A file that cannot be written ends the launch before the shim runs.
  fs.rmSync(path.join(dir, 'ran'));
  fs.mkdirSync(path.join(dir, 'blocked'));
  fs.writeFileSync(path.join(dir, 'launch'), launchScript(dir, shim, '/usr/bin/env', {}, ['true'], [], { blocked: 'x' }));
  assert.equal(spawnSync('/bin/sh', ['-c', '. "$1"', 'sh', path.join(dir, 'launch')]).status, 125);
  assert.equal(fs.existsSync(path.join(dir, 'ran')), false);
  assert.throws(() => launchScript(dir, shim, '/usr/bin/env', {}, ['true'], [], { '../x': 'y' }), /launch file name/);
});

// Names the shell can export go through the shim's cenv; any other name (Kubernetes allows every
// printable name without '=') through `env -i`: the program gets exactly the env either way.
const spawnerEnvs: Record<string, Record<string, string>> = {
  'shell names': { PATH: '/usr/bin:/bin', MY_VAR: "it's a \"test\" $HOME `x`", MULTI: 'a\nb', EMPTY: '', d: 'not the shim\'s', me: '', cenv: 'y' },
  'other names': { PATH: '/usr/bin:/bin', 'my.var': "it's", '1ST': 'a\nb', 'A-B': '', d: 'not the shim\'s' },
};

for (const [kind, env] of Object.entries(spawnerEnvs)) test(`the spawner sources a launch script that runs argv with exactly the given env (${kind}), and reports its start and the end of what it started`, async (t) => {
  const dir = tmp(t);
  const out = path.join(dir, 'out');
  // A shell as the program would drop names it cannot hold: with those, env itself is the program
  // (its output goes to DIR/stdout), as no init script runs here to drop the helper's PWD.
  const shellNames = kind === 'shell names';
  const argv = shellNames ? ['/bin/sh', '-c', 'unset PWD; env > "$1"; printf "%s|" "$@" >> "$1"; exec sleep 0.5', 'sh', out, 'two words', "qu'ote"] : ['/usr/bin/env'];
  const shim = path.join(dir, 'bin', 'shim.sh');
  fs.mkdirSync(path.dirname(shim), { recursive: true });
  fs.writeFileSync(shim, SHIM_SCRIPT);
  fs.writeFileSync(path.join(dir, 'launch'), launchScript(dir, shim, '/usr/bin/env', env, argv), { mode: 0o600 });
  const spawner = new Spawner(path.join(dir, 'bin', 'spawner.sh'));
  t.after(() => spawner.close());
  // The spawner never keeps the process alive by itself (the agent's own work does): hold it here.
  const keepAlive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(keepAlive));
  const reports: string[] = [];
  const ended = new Promise<void>((resolve) => {
    const h = spawner.spawn(dir, {
      onStart: (shim, pid) => reports.push(`start ${shim.pid} ${pid}`, shim.startTime ?? 'ended'),
      onExit: () => {
        assert.equal(h.reporting, false);
        reports.push('exit');
        resolve();
      },
    });
    assert.equal(h.reporting, true);
  });
  await ended;
  const text = fs.readFileSync(shellNames ? out : path.join(dir, 'stdout'), 'utf8');
  const [envText, args] = shellNames ? [text.slice(0, text.lastIndexOf('\n') + 1), text.slice(text.lastIndexOf('\n') + 1)] : [text, ''];
  if (shellNames) assert.equal(args, `${out}|two words|qu'ote|`);
  const expected = Object.entries(env).map(([k, v]) => `${k}=${v}\n`);
  assert.deepEqual(envText.match(/^[^=\n]+=(?:[^\n]|\n(?![^=\n]+=))*\n/gm)?.sort(), expected.sort());
  const shimPid = Number(fs.readFileSync(path.join(dir, 'shim'), 'utf8'));
  const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
  assert.ok(shimPid > 0 && pid > 0 && shimPid !== pid, 'the shim records its pid and the program\'s');
  assert.deepEqual(reports, [`start ${shimPid} ${pid}`, reports[1], 'exit'], 'the start is reported before the end');
  // The spawner reads the shim's start time when the report comes (the program above still runs
  // then); a shim that has ended already (env alone is quick) has none.
  assert.match(reports[1], shellNames ? /^\d+$/ : /^(\d+|ended)$/, 'with the shim\'s start time');
  assert.equal(fs.readFileSync(path.join(dir, 'exit'), 'utf8').trim(), '0');
});

test('a launch script that cannot be read is reported as ended, without a start', async (t) => {
  const dir = tmp(t);
  const spawner = new Spawner(path.join(dir, 'bin', 'spawner.sh'));
  t.after(() => spawner.close());
  const keepAlive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(keepAlive));
  let startedReported = false;
  await new Promise<void>((resolve) => spawner.spawn(path.join(dir, 'missing'), { onStart: () => (startedReported = true), onExit: resolve }));
  assert.equal(startedReported, false);
});

test('fstab fields escape space, tab, newline and backslash as fstab(5) octal', () => {
  assert.equal(fstabField('/plain/path'), '/plain/path');
  assert.equal(fstabField('/a b\tc\nd\\e'), '/a\\040b\\011c\\012d\\134e');
});
