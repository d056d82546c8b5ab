// The stats provider: host readings from fixture files (cgroup v1, meminfo, pid limits), statfs of
// a real directory, and the /stats/summary shape for pods run by the fake runtime with real log
// files and emptyDir directories on disk.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { cgroupV1Memory, hostNodeSignals, memoryCgroupMount, meminfoMemory, pidLimits, processTreeCounter, statfsReading } from '../../../src/kubelet/stats/host-signals.js';
import { StatsProvider } from '../../../src/kubelet/stats/provider.js';
import type { NodeSignals } from '../../../src/kubelet/stats/types.js';
import { FakeRuntime } from '../../../src/kubelet/runtime/fake/runtime.js';
import { containerNameLabel, podUidLabel } from '../../../src/kubelet/container-labels.js';
import type { PodSandboxConfig } from '../../../src/kubelet/runtime/types.js';
import { makeSignalObservations } from '../../../src/kubelet/eviction/observations.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-stats-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('host signals', () => {
  const proc = join(dir, 'proc');
  write(join(proc, 'meminfo'), 'MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n');
  write(join(proc, 'loadavg'), '1.36 3.49 4.53 2/3518 3715089\n');
  write(join(proc, 'sys/kernel/pid_max'), '32768\n');
  write(join(proc, 'sys/kernel/threads-max'), '192735\n');
  const cg = join(dir, 'cgroup-memory');
  write(join(cg, 'memory.usage_in_bytes'), '2218450944\n');
  write(join(cg, 'memory.stat'), 'cache 10\ninactive_file 8192\ntotal_rss 1000\ntotal_inactive_file 401580032\n');
  write(join(proc, 'self/mountinfo'), `30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n34 30 0:31 / ${cg} rw,relatime - cgroup cgroup rw,memory\n`);

  it('cgroup v1: working set = usage − total_inactive_file against machine memory', () => {
    assert.deepEqual(cgroupV1Memory(cg, 8 * 2 ** 30), { capacityBytes: 8 * 2 ** 30, usageBytes: 2218450944, workingSetBytes: 2218450944 - 401580032, rssBytes: 1000 });
    assert.equal(memoryCgroupMount(join(proc, 'self/mountinfo')), cg);
  });

  it('without a readable memory cgroup, /proc/meminfo: working set = MemTotal − MemAvailable', () => {
    assert.deepEqual(meminfoMemory(proc), { capacityBytes: 1000 * 1024, workingSetBytes: 600 * 1024, usageBytes: 900 * 1024 });
    const s = hostNodeSignals({ procDir: proc, memoryCgroupDir: join(dir, 'missing') });
    assert.equal(s.memory()?.workingSetBytes, 600 * 1024);
  });

  it('the memory cgroup found in mountinfo is preferred', () => {
    const s = hostNodeSignals({ procDir: proc, memoryCapacityBytes: 4 * 2 ** 30 });
    assert.equal(s.memory()?.workingSetBytes, 2218450944 - 401580032);
  });

  it('pid limits: min(pid_max, threads-max) and the task count of /proc/loadavg', () => {
    assert.deepEqual(pidLimits(proc), { maxPid: 32768, running: 3518 });
  });

  it('statfs of a real directory gives capacity, availability and inodes', () => {
    const r = statfsReading(dir)!;
    assert.ok(r.capacityBytes > 0 && r.availableBytes <= r.capacityBytes && r.inodesFree <= r.inodes);
    assert.equal(statfsReading(join(dir, 'nope')), undefined);
  });

  it('process trees are counted from /proc (comm with spaces and parentheses parsed)', () => {
    const p = join(dir, 'proc-tree');
    const stat = (pid: number, comm: string, ppid: number) => write(join(p, String(pid), 'stat'), `${pid} (${comm}) S ${ppid} 1 1 0 -1\n`);
    stat(1, 'init', 0);
    stat(10, 'a b', 1);
    stat(11, 'x', 10);
    stat(12, 'y) S 99', 11);
    stat(20, 'z', 1);
    const count = processTreeCounter(p);
    assert.equal(count([10]), 3);
    assert.equal(count([10, 20]), 4);
    assert.equal(count([]), 0);
    assert.ok(processTreeCounter()([process.pid]) >= 1);
  });

  it('the real host is readable here (memory, fs, pids)', () => {
    const s = hostNodeSignals();
    assert.ok(s.memory()!.capacityBytes > 0);
    assert.ok(s.rlimit()!.maxPid > 0);
  });
});

describe('stats summary', () => {
  it('reports node signals and per-pod memory, logs, emptyDir and ephemeral-storage in the stats/v1alpha1 shape', async () => {
    const rootDir = join(dir, 'agent');
    const runtime = new FakeRuntime({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    const pod: Pod = {
      metadata: { name: 'web', namespace: 'ns', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'app', image: 'x' }], volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory' } }] },
    };
    const logDirectory = join(rootDir, 'logs', 'ns_web_u1');
    const sb: PodSandboxConfig = { name: 'web', namespace: 'ns', uid: 'u1', attempt: 0, hostname: 'web', logDirectory, labels: { [podUidLabel]: 'u1' }, annotations: {}, portMappings: [] };
    const sbId = await runtime.runPodSandbox(sb);
    const cId = await runtime.createContainer(sbId, { name: 'app', attempt: 0, image: 'x', command: [], args: [], envs: [], mounts: [], logPath: 'app/0.log', labels: { [podUidLabel]: 'u1', [containerNameLabel]: 'app' }, annotations: {} }, sb);
    await runtime.startContainer(cId);
    write(join(logDirectory, 'app', '0.log'), 'x'.repeat(10_000));
    write(join(rootDir, 'pods', 'u1', 'volumes', 'kubernetes.io~empty-dir', 'scratch', 'data'), 'y'.repeat(50_000));

    const signals: NodeSignals = {
      memory: () => ({ capacityBytes: 8 * 2 ** 30, workingSetBytes: 6 * 2 ** 30 }),
      fs: () => ({ capacityBytes: 100 * 2 ** 30, availableBytes: 5 * 2 ** 30, usedBytes: 95 * 2 ** 30, inodes: 1000, inodesFree: 10 }),
      rlimit: () => ({ maxPid: 4096, running: 4000 }),
    };
    const provider = new StatsProvider({ nodeName: 'n1', rootDir, runtime, pods: () => [pod], signals, countProcesses: (pids) => pids.length * 3, now: () => Date.parse('2026-01-01T00:00:10Z') });
    const s = await provider.summary();
    assert.equal(s.node.nodeName, 'n1');
    assert.deepEqual(s.node.memory, { time: '2026-01-01T00:00:10Z', availableBytes: 2 * 2 ** 30, usageBytes: undefined, workingSetBytes: 6 * 2 ** 30, rssBytes: undefined });
    assert.equal(s.node.fs?.availableBytes, 5 * 2 ** 30);
    assert.equal(s.node.runtime?.imageFs?.inodesFree, 10);
    assert.deepEqual(s.node.rlimit, { time: '2026-01-01T00:00:10Z', maxpid: 4096, curproc: 4000 });

    assert.equal(s.pods.length, 1);
    const p = s.pods[0];
    assert.deepEqual(p.podRef, { name: 'web', namespace: 'ns', uid: 'u1' });
    assert.equal(p.containers[0].name, 'app');
    assert.equal(p.memory?.workingSetBytes, 1 << 20, "the fake runtime's working set");
    const logs = p.containers[0].logs!.usedBytes!;
    assert.ok(logs >= 10_000, `logs ${logs}`);
    assert.deepEqual(p.volume?.map((v) => v.name), ['scratch'], 'a memory-backed emptyDir uses no disk');
    const vol = p.volume![0].usedBytes!;
    assert.ok(vol >= 50_000, `volume ${vol}`);
    assert.equal(p['ephemeral-storage']?.usedBytes, logs + vol);
    assert.equal(p.process_stats?.process_count, 3, 'the process tree of the container\'s pid');

    // What the eviction manager observes from it.
    const { observations } = makeSignalObservations(s);
    assert.deepEqual(observations.get('memory.available'), { available: 2 * 2 ** 30, capacity: 8 * 2 ** 30, time: Date.parse('2026-01-01T00:00:10Z'), format: 'BinarySI' });
    assert.equal(observations.get('pid.available')?.available, 96);
    // JSON round trip keeps upstream's field names.
    const json = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
    assert.ok('ephemeral-storage' in (json.pods as Record<string, unknown>[])[0]);
  });
});

describe('process counts', () => {
  it('a container whose runtime counts its processes (its cgroup) is not looked up in /proc; one without is, by its pid tree', async () => {
    const rootDir = join(dir, 'agent-procs');
    const runtime = new FakeRuntime();
    const pods: Pod[] = [];
    const ids: string[] = [];
    for (const name of ['counted', 'scanned']) {
      const uid = `uid-${name}`;
      pods.push({ metadata: { name, namespace: 'ns', uid }, spec: { containers: [{ name: 'app', image: 'x' }] } });
      const sb: PodSandboxConfig = { name, namespace: 'ns', uid, attempt: 0, hostname: name, logDirectory: join(rootDir, 'logs', `ns_${name}_${uid}`), labels: { [podUidLabel]: uid }, annotations: {}, portMappings: [] };
      const sbId = await runtime.runPodSandbox(sb);
      const id = await runtime.createContainer(sbId, { name: 'app', attempt: 0, image: 'x', command: [], args: [], envs: [], mounts: [], logPath: 'app/0.log', labels: { [podUidLabel]: uid, [containerNameLabel]: 'app' }, annotations: {} }, sb);
      await runtime.startContainer(id);
      ids.push(id);
    }
    const stats = runtime.containerStats.bind(runtime);
    runtime.containerStats = async (id) => {
      const s = await stats(id);
      return s && id === ids[0] ? { ...s, processCount: 5 } : s;
    };
    const scanned: number[][] = [];
    const signals: NodeSignals = { memory: () => undefined, fs: () => undefined, rlimit: () => undefined };
    const provider = new StatsProvider({ nodeName: 'n1', rootDir, runtime, pods: () => pods, signals, countProcesses: (pids) => (scanned.push(pids), pids.length * 7) });
    const s = await provider.summary();
    const count = (name: string) => s.pods.find((p) => p.podRef.name === name)?.process_stats?.process_count;
    assert.equal(count('counted'), 5, "the runtime's count");
    assert.equal(count('scanned'), 7, 'the pid tree');
    const pid = (await runtime.containerStatus(ids[1])).pid!;
    assert.deepEqual(scanned, [[pid]], 'only the container without a count is looked up');
  });
});
