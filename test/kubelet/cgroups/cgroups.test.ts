import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import {
  CgroupManager,
  cgroupPids,
  cgroupStats,
  oomKillCount,
  podCgroupName,
  procsFiles,
  removeCgroup,
  sharesToWeight,
} from '../../../src/kubelet/cgroups/cgroups.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-cg-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// A fake cgroup file system in a temp dir: mountinfo lines pointing at plain directories.
function fakeFs(dir: string, kind: 'v1' | 'v2'): { mountinfo: string; selfCgroup: string } {
  const mountinfo = path.join(dir, 'mountinfo');
  const selfCgroup = path.join(dir, 'cgroup');
  if (kind === 'v1') {
    const lines: string[] = [];
    for (const [i, c] of ['cpu,cpuacct', 'memory', 'pids'].entries()) {
      const mp = path.join(dir, 'fs', c);
      fs.mkdirSync(mp, { recursive: true });
      lines.push(`${30 + i} 25 0:${26 + i} / ${mp} rw,nosuid - cgroup cgroup rw,${c}`);
    }
    fs.writeFileSync(mountinfo, `${lines.join('\n')}\n`);
    fs.writeFileSync(selfCgroup, '4:memory:/agent\n3:cpu,cpuacct:/\n2:pids:/\n');
  } else {
    const mp = path.join(dir, 'fs', 'unified');
    fs.mkdirSync(mp, { recursive: true });
    fs.writeFileSync(path.join(mp, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    fs.writeFileSync(mountinfo, `30 25 0:26 / ${mp} rw,nosuid - cgroup2 cgroup2 rw\n`);
    fs.writeFileSync(selfCgroup, '0::/agent.scope\n');
  }
  return { mountinfo, selfCgroup };
}

test('pod cgroup names follow the kubelet: Guaranteed under kubepods, the others under their QoS class', () => {
  assert.equal(podCgroupName('Guaranteed', 'u1'), 'kubepods/podu1');
  assert.equal(podCgroupName('Burstable', 'u1'), 'kubepods/burstable/podu1');
  assert.equal(podCgroupName('BestEffort', 'u1'), 'kubepods/besteffort/podu1');
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262144), 10000);
});

test('v1: the tree is created below the agent’s own cgroup in each hierarchy and the limits are written', { skip: !isRoot && 'needs root' }, (t) => {
  const dir = tmp(t);
  const mgr = new CgroupManager(fakeFs(dir, 'v1'));
  assert.equal(mgr.mode, 'v1');
  const p = mgr.create('kubepods/burstable/podu1', { cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, memoryLimitBytes: 64 << 20, pidsLimit: 100 })!;
  const cpu = path.join(dir, 'fs', 'cpu,cpuacct', 'kubepods/burstable/podu1');
  const mem = path.join(dir, 'fs', 'memory', 'agent', 'kubepods/burstable/podu1');
  assert.equal(p.dirs.cpu, cpu);
  assert.equal(p.dirs.cpuacct, cpu);
  assert.equal(p.dirs.memory, mem);
  assert.equal(fs.readFileSync(path.join(cpu, 'cpu.shares'), 'utf8'), '512');
  assert.equal(fs.readFileSync(path.join(cpu, 'cpu.cfs_quota_us'), 'utf8'), '50000');
  assert.equal(fs.readFileSync(path.join(cpu, 'cpu.cfs_period_us'), 'utf8'), '100000');
  assert.equal(fs.readFileSync(path.join(mem, 'memory.limit_in_bytes'), 'utf8'), String(64 << 20));
  assert.equal(fs.readFileSync(path.join(dir, 'fs', 'pids', 'kubepods/burstable/podu1', 'pids.max'), 'utf8'), '100');
  assert.equal(procsFiles(p).length, 3, 'cpu and cpuacct share a hierarchy');
  fs.writeFileSync(path.join(mem, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  assert.equal(oomKillCount(p), 2);
});

test('v2: controllers are enabled down the tree and the limits use the v2 files', { skip: !isRoot && 'needs root' }, (t) => {
  const dir = tmp(t);
  const mgr = new CgroupManager(fakeFs(dir, 'v2'));
  assert.equal(mgr.mode, 'v2');
  const p = mgr.create('kubepods/podu2', { cpuShares: 1024, cpuQuota: 20000, memoryLimitBytes: 1 << 20, pidsLimit: 10 })!;
  const root = path.join(dir, 'fs', 'unified');
  const d = path.join(root, 'kubepods/podu2');
  assert.equal(p.dirs.unified, d);
  assert.equal(fs.readFileSync(path.join(root, 'cgroup.subtree_control'), 'utf8'), '+cpu +memory +pids');
  assert.equal(fs.readFileSync(path.join(root, 'kubepods', 'cgroup.subtree_control'), 'utf8'), '+cpu +memory +pids');
  assert.equal(fs.readFileSync(path.join(d, 'cpu.weight'), 'utf8'), '39');
  assert.equal(fs.readFileSync(path.join(d, 'cpu.max'), 'utf8'), '20000 100000');
  assert.equal(fs.readFileSync(path.join(d, 'memory.max'), 'utf8'), String(1 << 20));
  assert.equal(fs.readFileSync(path.join(d, 'pids.max'), 'utf8'), '10');
  fs.writeFileSync(path.join(d, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  assert.equal(oomKillCount(p), 1);
  fs.writeFileSync(path.join(d, 'memory.current'), '1000');
  fs.writeFileSync(path.join(d, 'memory.stat'), 'anon 600\ninactive_file 300\n');
  fs.writeFileSync(path.join(d, 'cpu.stat'), 'usage_usec 5\n');
  assert.deepEqual(cgroupStats(p), { cpuUsageNs: 5000, memoryUsageBytes: 1000, memoryWorkingSetBytes: 700, memoryRssBytes: 600 });
});

test('disabled mode creates nothing and reports nothing', () => {
  const mgr = new CgroupManager({ mode: 'none' });
  assert.equal(mgr.mode, 'none');
  assert.equal(mgr.create('kubepods/podx', { memoryLimitBytes: 1 }), undefined);
  assert.equal(oomKillCount(undefined), 0);
  assert.deepEqual(procsFiles(undefined), []);
});

test('on this machine as root: a real cgroup takes a process, reports usage, and removal kills what is left', { skip: !isRoot && 'needs root' }, async (t) => {
  const mgr = new CgroupManager({ parent: `k8ts-test-${randomBytes(4).toString('hex')}` });
  if (mgr.mode === 'none') return t.skip('no cgroup file system');
  t.after(() => mgr.removeTree());
  const p = mgr.create('kubepods/podreal', { memoryLimitBytes: 64 << 20, pidsLimit: 50 })!;
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  for (const f of procsFiles(p)) fs.writeFileSync(f, String(child.pid));
  const exited = new Promise((r) => child.on('exit', r));
  assert.deepEqual(cgroupPids(p), [child.pid]);
  assert.equal(typeof cgroupStats(p).memoryUsageBytes, 'number');
  await removeCgroup(p);
  await exited;
  for (const d of Object.values(p.dirs)) assert.equal(fs.existsSync(d), false, d);
});
