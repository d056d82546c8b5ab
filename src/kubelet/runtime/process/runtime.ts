// The process runtime: every container is a host process (see executable.ts for which program runs).
//
// Per container a small shell shim (shim.ts) starts the program in its own session and process
// group, appends its output to raw files that a LogPump turns into the CRI log, and records its exit
// status; all state lives under rootDir (state.ts), so a new ProcessRuntime over the same rootDir
// (an agent restart) adopts running containers and learns how the others ended.
//
// Isolation: as root on Linux (and unless `namespaces: false`), each container gets private mount,
// UTS and IPC namespaces and — unless the pod uses hostPID — a PID namespace with a fresh /proc:
// its own (the program is pid 1, so, as in a real container, it ignores SIGTERM unless it handles
// it), or the pod's (shareProcessNamespace) or a target container's (an ephemeral container's
// targetContainerName), shared with the other containers there (see pid-namespace.ts);
// the hostname is the sandbox's; every Mount is bind-mounted at its containerPath inside the mount
// namespace (the mount point is created on the host file system if missing). Network is the host's:
// the pod's IP is a distinct loopback address from `podCidr` (containers listen on $POD_IP, set by
// the kubelet). Containers and pods get cgroups (cgroups.ts) with their limits; a container killed
// by the cgroup's OOM killer ends with reason OOMKilled.
//
// Fallback (not root, or no unshare): plain processes in their own process group; a Mount whose
// containerPath does not exist is exposed as a symlink to its hostPath when the parent directory is
// writable (otherwise it is only reachable at its hostPath); no hostname, no PID view, no limits.
//
// The start path (sandbox, create, start) shares the event loop with the API server in `k8ts up`,
// where a hundred pods started at once make the main thread the bottleneck. Files and directories
// are created with fs.promises, records through a JsonWriter: creating an inode costs ~100 µs of
// kernel time on ext4, which a pool thread then spends instead of the main thread (a promise call
// costs the main thread ~10–20 µs). Operations that create nothing (stat, existence checks,
// unlink, small reads) are synchronous: they cost the main thread about what a promise call does,
// and no pool thread besides. The shims are started by a helper process (spawner.ts), never forked
// from this one.
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Logger } from '../../../util/log.js';
import { CgroupManager, cgroupPids, cgroupStats, oomKillCount, procsFiles, removeCgroup } from '../../cgroups/cgroups.js';
import type { LogRotationOptions } from '../../logs/writer.js';
import { rotatedLogFiles } from '../../logs/writer.js';
import {
  RuntimeError,
  type Container,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type ImageInfo,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type Runtime,
  type SandboxState,
  type StreamSession,
} from '../types.js';
import { execArgv, resizePty, runSync, shellQuote, startSession, type ExecTarget } from './exec.js';
import { DEFAULT_PATH, executableOfImage, resolveExecutable } from './executable.js';
import { IpAllocator } from './ip-allocator.js';
import { LogPump } from './log-pump.js';
import { pidHolderAlive, startPidHolder, stopPidHolder } from './pid-namespace.js';
import { exposeAsSymlink, lastLine, procStats, resolvConf, which } from './host.js';
import { NS_INIT_SCRIPT, PLAIN_INIT_SCRIPT, SHIM_SCRIPT } from './shim.js';
import { launchScript, Spawner, type SpawnHandle } from './spawner.js';
import {
  childPids,
  JsonWriter,
  processAlive,
  processStartTime,
  processStartTimeAsync,
  readJson,
  type ContainerRecord,
  type SandboxRecord,
} from './state.js';

export interface ProcessRuntimeOptions {
  /** Where state lives (sandboxes, containers, exit codes, raw output). */
  rootDir: string;
  /** Pod IPs come from here (loopback). Default 127.1.0.0/16. */
  podCidr?: string;
  /** The IP of hostNetwork sandboxes. Default 127.0.0.1. */
  nodeIp?: string;
  /** Private namespaces per container. Default: when root on Linux with unshare and nsenter. */
  namespaces?: boolean;
  /** Cgroup manager (default: detected; disabled when not root). */
  cgroups?: CgroupManager;
  /** Rotation of the CRI logs. */
  logRotation?: LogRotationOptions;
  log?: Logger;
}

interface Tools {
  setsid: string;
  env: string;
  unshare?: string;
  nsenter?: string;
  script: string;
  sleep: string;
}

/** A path as an fstab field: space, tab, newline and backslash octal-escaped (fstab(5)). */
export function fstabField(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

function notFound(kind: string, id: string): RuntimeError {
  return new RuntimeError(`${kind} "${id}" not found`, 'NotFound');
}

/** Whether `labels` has every pair of `want` (a loop, not entries(): it runs for every record on every list). */
function matchLabels(labels: Record<string, string>, want?: Record<string, string>): boolean {
  for (const k in want) if (labels[k] !== want[k]) return false;
  return true;
}


/** How long containerStatus waits before looking for a program that unshare had not forked yet. */
const PROGRAM_PID_RETRY_MS = 250;

/** What unshare says when it cannot re-raise its child's SIGKILL on itself. */
const UNSHARE_SIGKILL_ERROR = 'unshare: sigprocmask unblock failed';

/** A started shim, as reported by the spawner (or read from its files). */
interface Started {
  shimPid?: number;
  shimStartTime?: string;
  pid: number;
  startedAt: number;
}

interface Live {
  pump: LogPump;
  /** Set when this runtime started the container: its shim's end is reported while `reporting`. */
  spawned?: SpawnHandle;
  /** Listeners of raw output (attach sessions). */
  listeners: Set<(stream: 'stdout' | 'stderr', data: Buffer) => void>;
}

export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  private readonly rootDir: string;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly live = new Map<string, Live>();
  private readonly exitWaiters = new Map<string, (() => void)[]>();
  /** When pollExit last looked at an adopted container's exit file. */
  private readonly exitPolledAt = new Map<string, number>();
  private readonly images = new Map<string, ImageInfo>();
  /** resolv.conf text hash → its shared file, once written (see resolvFile). */
  private readonly resolvFiles = new Map<string, Promise<string>>();
  private readonly cpuSamples = new Map<string, { ns: number; at: number; rate: number | undefined }>();
  /** Container id → the program's host pid below unshare (`of`), once found (see programPid). */
  private readonly programPids = new Map<string, { of: number; pid: number }>();
  /** Container id → when containerStatus last looked for the program's pid and did not find it. */
  private readonly programPidMissedAt = new Map<string, number>();
  private readonly ipam: IpAllocator;
  /** Addresses handed to sandboxes that are still being created. */
  private readonly allocating = new Set<string>();
  private readonly writer = new JsonWriter();
  private readonly spawner: Spawner;
  private readonly cgroups: CgroupManager;
  private readonly tools: Tools;
  private readonly namespaces: boolean;
  private readonly log?: Logger;
  private loaded: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.rootDir = path.resolve(opts.rootDir);
    this.log = opts.log;
    this.ipam = new IpAllocator(opts.podCidr ?? '127.1.0.0/16', path.join(this.rootDir, 'ipam.json'));
    this.cgroups = opts.cgroups ?? new CgroupManager({ log: opts.log });
    this.spawner = new Spawner(path.join(this.rootDir, 'bin', 'spawner.sh'), opts.log);
    this.tools = { setsid: which('setsid') ?? 'setsid', env: which('env') ?? '/usr/bin/env', unshare: which('unshare'), nsenter: which('nsenter'), script: which('script') ?? 'script', sleep: which('sleep') ?? 'sleep' };
    const root = typeof process.getuid === 'function' && process.getuid() === 0 && process.platform === 'linux';
    const possible = root && this.tools.unshare !== undefined && this.tools.nsenter !== undefined;
    this.namespaces = opts.namespaces ?? possible;
    if (this.namespaces && !possible) throw new Error('process runtime: namespaces need root on Linux with unshare and nsenter');
    if (!this.namespaces) this.log?.info('process runtime without namespaces: containers are plain processes (mounts as symlinks where possible)');
  }

  /** Whether close() was called (the runtime no longer tracks its containers). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether containers get private namespaces. */
  get usesNamespaces(): boolean {
    return this.namespaces;
  }

  version() {
    return { runtimeName: 'process', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  // ---- state ----

  private get shimPath(): string {
    return path.join(this.rootDir, 'bin', 'shim.sh');
  }

  private containerDir(id: string): string {
    return path.join(this.rootDir, 'containers', id);
  }

  private ensureLoaded(): Promise<void> {
    this.loaded ??= Promise.resolve().then(() => this.load());
    return this.loaded;
  }

  private load(): void {
    fs.mkdirSync(path.join(this.rootDir, 'bin'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(this.shimPath, SHIM_SCRIPT, { mode: 0o700 });
    fs.mkdirSync(path.join(this.rootDir, 'sandboxes'), { recursive: true });
    fs.mkdirSync(path.join(this.rootDir, 'containers'), { recursive: true });
    for (const name of fs.readdirSync(path.join(this.rootDir, 'sandboxes'))) {
      if (!name.endsWith('.json')) continue;
      const rec = readJson<SandboxRecord>(path.join(this.rootDir, 'sandboxes', name));
      if (rec) this.sandboxes.set(rec.id, rec);
    }
    for (const id of fs.readdirSync(path.join(this.rootDir, 'containers'))) {
      const rec = readJson<ContainerRecord>(path.join(this.containerDir(id), 'container.json'));
      if (!rec) continue;
      this.containers.set(rec.id, rec);
      if (rec.state === 'Running') {
        this.startPump(rec);
        this.checkExit(rec);
      }
    }
    this.log?.debug({ sandboxes: this.sandboxes.size, containers: this.containers.size }, 'process runtime state loaded');
  }

  private sandboxFile(id: string): string {
    return path.join(this.rootDir, 'sandboxes', `${id}.json`);
  }

  private containerFile(id: string): string {
    return path.join(this.containerDir(id), 'container.json');
  }

  /**
   * Persists the record; callers on the start path await it, others let it finish in the background.
   * `fresh`: the first write of a new record (see JsonWriter).
   */
  private saveSandbox(rec: SandboxRecord, fresh = false): Promise<void> {
    return this.writer.write(this.sandboxFile(rec.id), rec, fresh).catch((err: unknown) => this.log?.warn({ err, sandbox: rec.id }, 'cannot save sandbox record'));
  }

  private saveContainer(rec: ContainerRecord, fresh = false): Promise<void> {
    if (!this.containers.has(rec.id)) return Promise.resolve(); // removed meanwhile
    return this.writer.write(this.containerFile(rec.id), rec, fresh).catch((err: unknown) => this.log?.warn({ err, container: rec.id }, 'cannot save container record'));
  }

  /** Stops watching containers without touching them (agent shutdown; a new runtime adopts them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.spawner.close();
    for (const live of this.live.values()) live.pump.close(false);
    this.live.clear();
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    await this.ensureLoaded();
    const id = newId();
    this.spawner.warmUp();
    const hostNetwork = config.namespaceOptions?.network === 'node';
    const inUse = [...this.sandboxes.values()].map((s) => s.ip).filter(Boolean);
    const ip = hostNetwork ? (this.opts.nodeIp ?? '127.0.0.1') : this.ipam.allocate([...inUse, ...this.allocating]);
    const cgroupName = config.cgroupParent ?? `kubepods/pod${config.uid}`;
    const rec: SandboxRecord = { id, config, createdAt: Date.now(), state: 'Ready', ip, cgroupName };
    if (!hostNetwork) this.allocating.add(ip);
    try {
      // Side by side: on a busy machine each file system call waits its turn in libuv's pool.
      const [cgroup] = await Promise.all([
        this.cgroups.createAsync(cgroupName, config.resources).catch((err: unknown) => {
          throw new RuntimeError(`cannot create the pod cgroup ${cgroupName}: ${(err as Error).message}`, 'CreatePodSandboxError');
        }),
        fs.promises.mkdir(config.logDirectory, { recursive: true }),
      ]);
      rec.cgroup = cgroup;
      // shareProcessNamespace: the pod's PID namespace, which its containers join (pid-namespace.ts).
      if (this.namespaces && config.namespaceOptions?.pid === 'pod') {
        rec.pidHolder = await startPidHolder({ unshare: this.tools.unshare!, sleep: this.tools.sleep }).catch((err: unknown) => {
          void removeCgroup(cgroup, 2000, this.log);
          throw new RuntimeError(`cannot create the pod's PID namespace: ${(err as Error).message}`, 'CreatePodSandboxError');
        });
      }
      this.sandboxes.set(id, rec);
    } finally {
      this.allocating.delete(ip);
    }
    await this.saveSandbox(rec, true);
    return id;
  }

  private sandbox(id: string): SandboxRecord {
    const rec = this.sandboxes.get(id);
    if (!rec) throw notFound('pod sandbox', id);
    return rec;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.ensureLoaded();
    const rec = this.sandboxes.get(id);
    if (!rec) return;
    await Promise.all([...this.containers.values()].filter((c) => c.podSandboxId === id).map((c) => this.stopContainer(c.id, 0)));
    if (rec.pidHolder) stopPidHolder(rec.pidHolder);
    if (rec.state !== 'NotReady' || rec.ip || rec.pidHolder) {
      rec.pidHolder = undefined;
      rec.state = 'NotReady';
      if (rec.config.namespaceOptions?.network !== 'node') rec.ip = '';
      await this.saveSandbox(rec);
    }
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.ensureLoaded();
    const rec = this.sandboxes.get(id);
    if (!rec) return;
    await this.stopPodSandbox(id);
    for (const c of [...this.containers.values()]) if (c.podSandboxId === id) await this.removeContainer(c.id);
    await removeCgroup(rec.cgroup, 2000, this.log);
    this.sandboxes.delete(id);
    await this.writer.forget(this.sandboxFile(id));
    fs.rmSync(this.sandboxFile(id), { force: true });
    try {
      fs.rmdirSync(rec.config.logDirectory);
    } catch {
      // not empty or gone: the kubelet owns the rest
    }
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    await this.ensureLoaded();
    const rec = this.sandbox(id);
    return { ...this.sandboxView(rec), ip: rec.ip, additionalIps: [] };
  }

  private sandboxView(rec: SandboxRecord): PodSandbox {
    const c = rec.config;
    return {
      id: rec.id,
      metadata: { name: c.name, namespace: c.namespace, uid: c.uid, attempt: c.attempt },
      state: rec.state,
      createdAt: rec.createdAt,
      labels: c.labels,
      annotations: c.annotations,
    };
  }

  async listPodSandboxes(filter: { state?: SandboxState; labels?: Record<string, string> } = {}): Promise<PodSandbox[]> {
    await this.ensureLoaded();
    return [...this.sandboxes.values()]
      .filter((s) => (!filter.state || s.state === filter.state) && matchLabels(s.config.labels, filter.labels))
      .map((s) => this.sandboxView(s));
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    await this.ensureLoaded();
    const sandbox = this.sandbox(podSandboxId);
    if (sandbox.state !== 'Ready') throw new RuntimeError(`pod sandbox ${podSandboxId} is not ready`, 'CreateContainerError');
    const missing = config.mounts.find((m) => !fs.existsSync(m.hostPath));
    if (missing) throw new RuntimeError(`failed to mount ${missing.hostPath} at ${missing.containerPath}: no such file or directory`, 'CreateContainerError');
    const env: Record<string, string> = {};
    for (const kv of config.envs) env[kv.name] = kv.value;
    env.PATH ??= DEFAULT_PATH;
    const id = newId();
    const ns = sandboxConfig.namespaceOptions ?? sandbox.config.namespaceOptions;
    const target = this.pidTarget(podSandboxId, config, 'CreateContainerError');
    const rec: ContainerRecord = {
      id,
      podSandboxId,
      config,
      hostname: sandbox.config.hostname || sandboxConfig.hostname,
      createdAt: Date.now(),
      state: 'Created',
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      message: '',
      logPath: path.join(sandbox.config.logDirectory, config.logPath),
      namespaced: this.namespaces,
      // A target's namespace is the host's when the target runs in it (hostPID).
      pidNamespace: this.namespaces && (target ? target.pidNamespace : ns?.pid !== 'node'),
      env,
      cwd: config.workingDir || '/',
    };
    await fs.promises.mkdir(this.containerDir(id), { recursive: true, mode: 0o700 });
    this.containers.set(id, rec);
    await this.saveContainer(rec, true);
    return id;
  }

  private container(id: string): ContainerRecord {
    const rec = this.containers.get(id);
    if (!rec) throw notFound('container', id);
    return rec;
  }

  /**
   * The running container whose PID namespace `config` joins (NamespaceMode TARGET), checked as
   * containerd checks it (validateTargetContainer); undefined for any other mode.
   */
  private pidTarget(podSandboxId: string, config: ContainerConfig, reason: string): ContainerRecord | undefined {
    if (config.pidNamespace?.mode !== 'target') return undefined;
    const targetId = config.pidNamespace.targetId;
    const target = this.containers.get(targetId);
    if (!target) throw new RuntimeError(`invalid target container: container "${targetId}" does not exist`, reason);
    if (target.podSandboxId !== podSandboxId) throw new RuntimeError(`invalid target container: container "${targetId}" (sandbox ${target.podSandboxId}) does not belong to sandbox ${podSandboxId}`, reason);
    this.checkExit(target);
    if (target.state !== 'Running') throw new RuntimeError(`invalid target container: container "${targetId}" is not running - in state ${target.state}`, reason);
    return target;
  }

  /**
   * Host pid of a process in the PID namespace the container joins (see pid-namespace.ts), or
   * undefined when it gets its own (or none). Throws when that namespace is gone.
   */
  private async joinedPidNamespace(rec: ContainerRecord, sandbox: SandboxRecord): Promise<number | undefined> {
    const mode = rec.config.pidNamespace?.mode;
    if (!rec.pidNamespace || mode === undefined) return undefined;
    if (mode === 'pod') {
      if (!sandbox.pidHolder || !pidHolderAlive(sandbox.pidHolder)) throw new Error(`pod sandbox ${sandbox.id} has no shared PID namespace`);
      return sandbox.pidHolder.pid;
    }
    const target = this.pidTarget(rec.podSandboxId, rec.config, 'RunContainerError')!;
    const pid = await this.startedProgramPid(target);
    if (pid === undefined || target.state !== 'Running') throw new Error(`invalid target container: container "${target.id}" is not running - in state ${target.state}`);
    return pid;
  }

  async startContainer(id: string): Promise<void> {
    await this.ensureLoaded();
    const rec = this.container(id);
    if (rec.state !== 'Created') throw new RuntimeError(`container ${id} is ${rec.state}, not Created`, 'RunContainerError');
    const sandbox = this.sandbox(rec.podSandboxId);
    const dir = this.containerDir(id);
    const c = rec.config;
    // command[0] if set, else the image name (see executable.ts).
    const name = c.command.length > 0 ? c.command[0] : executableOfImage(c.image);
    const args = c.command.length > 0 ? [...c.command.slice(1), ...c.args] : c.args;
    const exe = resolveExecutable(name, { pathEnv: rec.env.PATH, cwd: rec.cwd, mounts: c.mounts });
    if (!exe) {
      const message = `exec: "${name}": executable file not found in $PATH`;
      this.finish(rec, 128, 'StartError', message);
      throw new RuntimeError(message, 'RunContainerError');
    }
    let files: Record<string, string>;
    let mountArgs: string[];
    try {
      // The log exists from the start, as with containerd, even if the program never writes.
      const log = fs.promises.mkdir(path.dirname(rec.logPath), { recursive: true }).then(() => fs.promises.writeFile(rec.logPath, '', { flag: 'a' }));
      [{ files, mountArgs }] = await Promise.all([this.prepare(rec, sandbox, dir), log]);
    } catch (err) {
      const message = `cannot prepare container: ${(err as Error).message}`;
      this.finish(rec, 128, 'StartError', message);
      throw new RuntimeError(message, 'RunContainerError');
    }
    let joinPid: number | undefined;
    try {
      joinPid = await this.joinedPidNamespace(rec, sandbox);
    } catch (err) {
      const message = (err as Error).message;
      this.finish(rec, 128, 'StartError', message);
      throw new RuntimeError(message, 'RunContainerError');
    }
    const argv = this.launchArgv(rec, dir, exe, args, mountArgs, joinPid);
    let spawned: SpawnHandle;
    let started: Started;
    try {
      // The launch script holds the env (secrets): 0600 in the 0700 directory, removed once started.
      await fs.promises.writeFile(path.join(dir, 'launch'), launchScript(dir, this.shimPath, this.tools.env, rec.env, argv, procsFiles(rec.cgroup), files), { mode: 0o600 });
      let report!: (r: Started | 'ended') => void;
      const reported = new Promise<Started | 'ended'>((resolve) => (report = resolve));
      // The spawner reports the start and the shim's end; until then (and while it lives) nobody polls.
      spawned = this.spawner.spawn(dir, {
        // The report comes as soon as the shim forked the program: its time is the start time.
        onStart: (shim, pid) => report({ shimPid: shim.pid, shimStartTime: shim.startTime, pid, startedAt: Date.now() }),
        onExit: () => {
          report('ended');
          this.checkExit(rec);
        },
      });
      started = await this.waitStarted(dir, spawned, reported);
    } catch (err) {
      const message = `cannot start the container shim: ${(err as Error).message}`;
      this.finish(rec, 128, 'StartError', message);
      throw new RuntimeError(message, 'RunContainerError');
    }
    try {
      fs.unlinkSync(path.join(dir, 'launch'));
    } catch {
      // removed with the container meanwhile
    }
    rec.shimPid = started.shimPid;
    rec.shimStartTime = started.shimStartTime ?? (started.shimPid ? await processStartTimeAsync(started.shimPid) : undefined);
    rec.pid = started.pid;
    rec.state = 'Running';
    rec.startedAt = started.startedAt;
    // The pump (with the spawner's handle) before the save: while the record is written, lists and
    // statuses see a Running container whose end the spawner reports, and do not poll its files.
    this.startPump(rec, spawned);
    await this.saveContainer(rec);
    // It may have ended already (the end was reported before the record said Running).
    if (!spawned.reporting) this.checkExit(rec);
  }

  /**
   * Waits for the spawner's report that the shim started the program. Should the spawner be gone
   * before it reports (it died; the shim may still run), DIR/pid, which the shim writes first, is
   * polled instead. The deadline is only for a shim that hangs, and generous: on a saturated machine
   * a burst of a hundred starts takes many seconds, and declaring a slow start failed only adds a
   * restart to the burst.
   */
  private async waitStarted(dir: string, spawned: SpawnHandle, reported: Promise<Started | 'ended'>): Promise<Started> {
    const read = (name: string) => fs.promises.readFile(path.join(dir, name), 'utf8').then((t) => Number(t.trim()), () => 0);
    // Without a report, from the files the shim writes first; the pid file's time is the start time.
    const fromFiles = async (): Promise<Started | undefined> => {
      const pid = await read('pid');
      if (!(pid > 0)) return undefined;
      const shimPid = await read('shim');
      const startedAt = Math.floor((await fs.promises.stat(path.join(dir, 'pid'))).mtimeMs);
      return { shimPid: shimPid > 0 ? shimPid : undefined, pid, startedAt };
    };
    const deadline = Date.now() + 30_000;
    let report: Started | 'ended' | undefined;
    void reported.then((r) => (report = r));
    let wait = 2;
    for (;;) {
      if (report === 'ended') {
        // Ended: it may have started the program first (and that ended too) or not started it at all.
        const s = await fromFiles();
        if (!s) throw new Error('the shim ended before it started the container');
        return s;
      }
      if (report) return report;
      if (!spawned.reporting && !this.closed) {
        const s = await fromFiles();
        if (s) return s;
      }
      if (Date.now() > deadline) throw new Error('timed out');
      // Woken by the report; the timer only matters once the spawner is gone.
      const timer = new Promise<void>((resolve) => setTimeout(resolve, spawned.reporting ? 1000 : wait));
      await Promise.race([reported, timer]);
      wait = Math.min(wait * 2, 100);
    }
  }

  // Prepares the shim's and init's inputs: cgroups, hostname, mounts, working directory, stdin FIFO.
  // Answers the init script's input file (fstab), which the launch script writes (see
  // launchScript: each file the agent created itself cost its main thread three round trips to the
  // thread pool and a pool thread an inode), and its mount arguments (TABLE N [KIND PATH]×N, see
  // NS_INIT_SCRIPT): the mount table, and when the mounts are all mounted at once (fstab) their
  // mount points, so that the init script need not read the table (the shell's `read` takes a byte
  // per system call) to make them.
  private async prepare(rec: ContainerRecord, sandbox: SandboxRecord, dir: string): Promise<{ files: Record<string, string>; mountArgs: string[] }> {
    const c = rec.config;
    const files: Record<string, string> = {};
    let table = '';
    const points: string[] = [];
    // The mount table first (it may throw): nothing has been started yet that would be left unawaited.
    let mounts: string[][] | undefined;
    if (rec.namespaced) {
      mounts = c.mounts.map((m) => {
        const kind = fs.statSync(m.hostPath).isDirectory() ? 'dir' : 'file';
        if (/[\t\n]/.test(m.hostPath + m.containerPath)) throw new Error(`mount path with a tab or newline: ${m.containerPath}`);
        return [m.hostPath, m.containerPath, m.readOnly ? 'ro' : 'rw', kind];
      });
      // The pod's DNS settings become its /etc/resolv.conf (as a CRI runtime writes it), unless the
      // pod uses the host network or mounts its own.
      const dns = sandbox.config.dnsConfig;
      const hostNetwork = sandbox.config.namespaceOptions?.network === 'node';
      if (dns && !hostNetwork && !c.mounts.some((m) => m.containerPath === '/etc/resolv.conf')) {
        mounts.push([await this.resolvFile(resolvConf(dns)), '/etc/resolv.conf', 'ro', 'file']);
      }
    }
    // The cgroups, hostname and working directory go to the shim and init as arguments (launchArgv);
    // everything here runs side by side (each call waits its turn in libuv's pool on a busy machine).
    const writes: Promise<void>[] = [];
    if (sandbox.cgroupName && this.cgroups.mode !== 'none') {
      writes.push(this.cgroups.createAsync(`${sandbox.cgroupName}/${rec.id}`, c.resources).then((cg) => void (rec.cgroup = cg)));
    }
    if (mounts) {
      const lines = mounts;
      table = lines.map((l) => `${l.join('\t')}\n`).join('');
      // One `mount -a` for all, unless a mount point lies inside another mount (see NS_INIT_SCRIPT).
      const targets = lines.map((l) => l[1].replace(/\/+$/, ''));
      const nested = targets.some((t, i) => targets.some((o, j) => i !== j && t.startsWith(`${o}/`)));
      if (lines.length > 0 && !nested) {
        files.fstab = lines.map(([src, dst, mode]) => `${fstabField(src)} ${fstabField(dst)} none ${mode === 'ro' ? 'bind,ro' : 'bind'} 0 0\n`).join('');
        for (const [, dst, , kind] of lines) points.push(kind, dst);
      }
    } else {
      writes.push(
        fs.promises.mkdir(rec.cwd, { recursive: true }).then(() => {
          for (const m of c.mounts) exposeAsSymlink(m.hostPath, m.containerPath, this.log);
        }),
      );
    }
    await Promise.all(writes);
    if (c.stdin) spawnSync('mkfifo', ['-m', '0600', path.join(dir, 'stdin')]);
    // The shim then holds the FIFO's writer only until the first attach session ends its stdin.
    if (c.stdin && c.stdinOnce && !c.tty) fs.writeFileSync(path.join(dir, 'stdin-once'), '');
    return { files, mountArgs: [table, String(points.length / 2), ...points] };
  }

  /**
   * A resolv.conf with this text, shared by every container that gets the same one (the pods of a
   * namespace with the default DNS policy): ROOT/resolv/HASH.conf, written whole (by rename) once
   * per agent run — after a restart with the same text, so a container that has the old one mounted
   * sees no change — and never modified: containers bind-mount it read-only. A file per container
   * cost each start a file creation. The files are few (one per distinct DNS configuration) and stay.
   */
  private resolvFile(text: string): Promise<string> {
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
    let file = this.resolvFiles.get(hash);
    if (!file) {
      const dest = path.join(this.rootDir, 'resolv', `${hash}.conf`);
      file = (async () => {
        await fs.promises.mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
        const tmp = `${dest}.${process.pid}.tmp`;
        await fs.promises.writeFile(tmp, text, { mode: 0o644 });
        fs.renameSync(tmp, dest);
        return dest;
      })();
      this.resolvFiles.set(hash, file);
      file.catch(() => this.resolvFiles.delete(hash));
    }
    return file;
  }

  /**
   * `mountArgs`: the init script's mount table and mount points (see prepare);
   * `joinPid`: a process whose PID namespace the container joins instead of getting its own.
   */
  private launchArgv(rec: ContainerRecord, dir: string, exe: string, argsIn: string[], mountArgs: string[], joinPid?: number): string[] {
    // tty: the program runs under `script`, which gives it a pseudo-terminal; the output (with the
    // terminal's echo of stdin) still goes to the log, and attach can resize the terminal.
    let args = argsIn;
    if (rec.config.tty) {
      args = ['-q', '-f', '-e', '-c', shellQuote([exe, ...argsIn]), '/dev/null'];
      exe = this.tools.script;
    }
    if (!rec.namespaced) return [this.tools.setsid, '/bin/sh', '-c', PLAIN_INIT_SCRIPT, 'k8ts-init', dir, rec.cwd, exe, ...args];
    const ns = rec.config && this.sandboxes.get(rec.podSandboxId)?.config.namespaceOptions;
    const flags = ['--mount'];
    if (ns?.network !== 'node') flags.push('--uts');
    if (ns?.ipc !== 'node') flags.push('--ipc');
    if (rec.pidNamespace) flags.push(...(joinPid === undefined ? ['--pid'] : []), '--fork', '--mount-proc', '--kill-child');
    // With hostNetwork the pod sees the node's hostname, as upstream ('' leaves it).
    const hostname = ns?.network === 'node' ? '' : rec.hostname;
    // A shared PID namespace: unshare's child is born in it (see pid-namespace.ts).
    const join = joinPid === undefined ? [] : [this.tools.nsenter!, '--target', String(joinPid), '--pid', '--no-fork', '--'];
    return [this.tools.setsid, ...join, this.tools.unshare!, ...flags, '/bin/sh', '-c', NS_INIT_SCRIPT, 'k8ts-init', dir, hostname, rec.cwd, ...mountArgs, exe, ...args];
  }

  private startPump(rec: ContainerRecord, spawned?: SpawnHandle): void {
    if (this.closed) return;
    const listeners = new Set<(stream: 'stdout' | 'stderr', data: Buffer) => void>();
    // A container this runtime has just started has no saved offsets (its directory is new).
    const pump = new LogPump(
      this.containerDir(rec.id),
      rec.logPath,
      this.opts.logRotation ?? {},
      () => this.pollExit(rec),
      (stream, data) => {
        for (const l of listeners) l(stream, data);
      },
      spawned === undefined,
    );
    this.live.set(rec.id, { pump, spawned, listeners });
    pump.start();
  }

  /** Learns whether a running container ended (its shim wrote the exit file, or the shim died). */
  /**
   * checkExit for the read paths (list, status), which the agent calls for every container on
   * every relist and sync: a container this runtime started has its end reported by the spawner,
   * so only adopted containers (and those whose spawner died) are looked at, at most once a
   * second each.
   * (Reading the exit and /proc files of every container on every call made a relist of 100
   * pods cost more than starting them.)
   */
  private pollExit(rec: ContainerRecord): void {
    if (rec.state !== 'Running' || this.closed) return;
    if (this.live.get(rec.id)?.spawned?.reporting) return;
    const now = Date.now();
    if ((this.exitPolledAt.get(rec.id) ?? 0) > now - 1000) return;
    this.exitPolledAt.set(rec.id, now);
    this.checkExit(rec);
  }

  private checkExit(rec: ContainerRecord): void {
    // A closed runtime leaves the record to the runtime that adopts the container.
    if (rec.state !== 'Running' || this.closed) return;
    const dir = this.containerDir(rec.id);
    const exitFile = path.join(dir, 'exit');
    const readExit = () => {
      try {
        return fs.readFileSync(exitFile, 'utf8').trim();
      } catch {
        return '';
      }
    };
    let text = readExit();
    const shimGone = () => rec.shimPid === undefined || processStartTime(rec.shimPid) !== rec.shimStartTime || !processAlive(rec.shimPid);
    // The shim may write the exit file and end between the read above and the liveness check:
    // read again once it is gone, before calling the status unknown.
    if (!text && shimGone()) text = readExit();
    if (text) {
      let finishedAt = Date.now();
      try {
        finishedAt = Math.floor(fs.statSync(exitFile).mtimeMs);
      } catch {
        // keep now
      }
      this.finish(rec, Number(text), undefined, '', finishedAt);
      return;
    }
    if (shimGone() && !(rec.pid !== undefined && processAlive(rec.pid))) {
      // The shim was killed without writing the exit status (and so was the program).
      this.finish(rec, 255, 'Unknown', 'the container ended while its exit status could not be recorded');
    }
  }

  // Records the end of a container: reason Completed (0), OOMKilled (the cgroup's OOM killer fired),
  // or Error; `reason` overrides (StartError, Unknown).
  private finish(rec: ContainerRecord, exitCode: number, reason?: string, message = '', finishedAt = Date.now()): void {
    const live = this.live.get(rec.id);
    live?.pump.close(true);
    this.live.delete(rec.id);
    this.programPids.delete(rec.id);
    this.programPidMissedAt.delete(rec.id);
    rec.state = 'Exited';
    rec.exitCode = exitCode;
    // startedAt is when the start was reported, which may be after a quick program already ended.
    rec.finishedAt = Math.max(finishedAt, rec.startedAt || 0);
    if (!rec.startedAt) rec.startedAt = 0;
    rec.reason = reason ?? (oomKillCount(rec.cgroup) > 0 ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error');
    rec.message = message;
    if (!reason && exitCode === 1 && rec.pidNamespace && lastLine(path.join(this.containerDir(rec.id), 'stderr')).startsWith(UNSHARE_SIGKILL_ERROR)) {
      // The program was SIGKILLed on its own (its shared namespace's pid 1 ended, or the OOM
      // killer chose it): unshare, forwarding that signal, fails and exits 1 (util-linux 2.38).
      rec.exitCode = 137;
    }
    if (!reason && exitCode === 128) {
      // The init script failed before the program ran (its message is the last log line).
      const lastErr = lastLine(path.join(this.containerDir(rec.id), 'stderr'));
      if (lastErr.startsWith('k8ts: ')) {
        rec.reason = 'StartError';
        rec.message = lastErr.slice(6);
      }
    }
    for (const f of ['stdout', 'stderr']) fs.rmSync(path.join(this.containerDir(rec.id), f), { force: true });
    this.saveContainer(rec);
    for (const w of this.exitWaiters.get(rec.id) ?? []) w();
    this.exitWaiters.delete(rec.id);
    // In a shared PID namespace the program's end does not end what it left behind (no pid 1 of its
    // own went): those are killed, as runc does for a container without its own PID namespace.
    // (Its cgroup's, not its process group's: that pid may be another's by now.)
    if (rec.pidNamespace && rec.config.pidNamespace) {
      for (const pid of cgroupPids(rec.cgroup)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    void removeCgroup(rec.cgroup, 2000, this.log);
  }

  private waitExit(rec: ContainerRecord, timeoutMs: number): Promise<boolean> {
    if (rec.state !== 'Running') return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(rec.state !== 'Running'), timeoutMs);
      // The exit file is written by another process; poll briefly in case no event arrives.
      const poll = setInterval(() => {
        this.checkExit(rec);
        if (rec.state !== 'Running') finish(true);
      }, 20);
      const list = this.exitWaiters.get(rec.id) ?? [];
      list.push(() => finish(true));
      this.exitWaiters.set(rec.id, list);
    });
  }

  /** Signals the container's shim itself (not the program), if it is still the process we started. */
  private signalShim(rec: ContainerRecord, signal: NodeJS.Signals): void {
    if (rec.state !== 'Running' || rec.shimPid === undefined || processStartTime(rec.shimPid) !== rec.shimStartTime) return;
    try {
      process.kill(rec.shimPid, signal);
    } catch {
      // gone
    }
  }

  private signal(rec: ContainerRecord, signal: NodeJS.Signals): void {
    if (rec.pid === undefined) return;
    try {
      process.kill(-rec.pid, signal);
    } catch {
      // gone
    }
    if (signal === 'SIGKILL') {
      for (const pid of cgroupPids(rec.cgroup)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.ensureLoaded();
    const rec = this.container(id);
    this.checkExit(rec);
    if (rec.state === 'Created') {
      this.finish(rec, 0, 'Completed');
      return;
    }
    if (rec.state !== 'Running') return;
    if (timeoutSeconds > 0) {
      this.signal(rec, 'SIGTERM');
      if (await this.waitExit(rec, timeoutSeconds * 1000)) return;
    }
    this.signal(rec, 'SIGKILL');
    if (!(await this.waitExit(rec, 10_000))) {
      throw new RuntimeError(`container ${id} did not end after SIGKILL`, 'StopContainerError');
    }
  }

  async removeContainer(id: string): Promise<void> {
    await this.ensureLoaded();
    const rec = this.containers.get(id);
    if (!rec) return;
    if (rec.state === 'Running') await this.stopContainer(id, 0);
    this.live.get(id)?.pump.close(true);
    this.live.delete(id);
    await removeCgroup(rec.cgroup, 2000, this.log);
    this.containers.delete(id);
    this.cpuSamples.delete(id);
    this.programPids.delete(id);
    this.exitPolledAt.delete(id);
    this.programPidMissedAt.delete(id);
    await this.writer.forget(this.containerFile(id));
    fs.rmSync(this.containerDir(id), { recursive: true, force: true });
    for (const f of [rec.logPath, ...rotatedLogFiles(rec.logPath)]) fs.rmSync(f, { force: true });
    try {
      fs.rmdirSync(path.dirname(rec.logPath)); // NAME/ of NAME/ATTEMPT.log, once no attempt is left
    } catch {
      // other attempts remain
    }
  }

  private containerView(rec: ContainerRecord): Container {
    return {
      id: rec.id,
      podSandboxId: rec.podSandboxId,
      metadata: { name: rec.config.name, attempt: rec.config.attempt },
      image: rec.config.image,
      state: rec.state,
      createdAt: rec.createdAt,
      labels: rec.config.labels,
      annotations: rec.config.annotations,
    };
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    await this.ensureLoaded();
    const out: Container[] = [];
    for (const rec of this.containers.values()) {
      // Only the listed containers are polled for an end (a list of one pod's is not a relist).
      if (filter.podSandboxId && rec.podSandboxId !== filter.podSandboxId) continue;
      if (!matchLabels(rec.config.labels, filter.labels)) continue;
      this.pollExit(rec);
      if (filter.state && rec.state !== filter.state) continue;
      out.push(this.containerView(rec));
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    await this.ensureLoaded();
    const rec = this.container(id);
    this.pollExit(rec);
    return {
      ...this.containerView(rec),
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
      exitCode: rec.exitCode,
      reason: rec.reason,
      message: rec.message,
      logPath: rec.logPath,
      // Right after the start, unshare may not have forked the program yet: its own pid until then.
      pid: rec.state === 'Running' ? (this.programPidForStatus(rec) ?? rec.pid) : undefined,
    };
  }

  /**
   * Host pid of the program: unshare's child with a PID namespace, else the process itself.
   * unshare forks that child once and it is the container's pid 1 until the end, so it is looked
   * up in /proc only until found (status reads happen on every sync of every pod).
   */
  private programPid(rec: ContainerRecord): number | undefined {
    if (rec.pid === undefined) return undefined;
    if (!rec.pidNamespace) return rec.pid;
    const known = this.programPids.get(rec.id);
    if (known?.of === rec.pid) return known.pid;
    const pid = childPids(rec.pid)[0];
    if (pid !== undefined) this.programPids.set(rec.id, { of: rec.pid, pid });
    return pid;
  }

  /**
   * programPid for containerStatus, which the agent calls on every sync of every pod: while
   * unshare has not forked the program yet (a burst of starts keeps the machine busy for seconds),
   * /proc is looked at again only after PROGRAM_PID_RETRY_MS, and the status meanwhile gives
   * unshare's pid, as it does before the fork. (exec and attach look every time: they need it.)
   */
  private programPidForStatus(rec: ContainerRecord): number | undefined {
    const known = this.programPids.get(rec.id);
    if (!rec.pidNamespace || (known && known.of === rec.pid)) return this.programPid(rec);
    const now = Date.now();
    if ((this.programPidMissedAt.get(rec.id) ?? 0) > now - PROGRAM_PID_RETRY_MS) return undefined;
    const pid = this.programPid(rec);
    if (pid === undefined) this.programPidMissedAt.set(rec.id, now);
    else this.programPidMissedAt.delete(rec.id);
    return pid;
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    await this.ensureLoaded();
    const rec = this.container(id);
    if (rec.state !== 'Running') return undefined;
    const now = Date.now();
    let cpuNs: number | undefined;
    let workingSet: number | undefined;
    let rss: number | undefined;
    let processCount: number | undefined;
    if (rec.cgroup) {
      const s = cgroupStats(rec.cgroup);
      cpuNs = s.cpuUsageNs;
      workingSet = s.memoryWorkingSetBytes;
      rss = s.memoryRssBytes;
      // With a PID namespace, unshare (the runtime's, not the container's) waits in the cgroup
      // above the container's pid 1: the count is the program's tree, as without a cgroup. A
      // container that runs has its process, even one that has not joined the cgroup yet.
      const n = cgroupPids(rec.cgroup).length;
      processCount = Math.max(1, rec.pidNamespace ? n - 1 : n);
    } else {
      const pid = this.programPid(rec);
      if (pid !== undefined) ({ cpuNs, rss } = procStats(pid));
      workingSet = rss;
    }
    // The rate needs two samples; a sample in the same millisecond keeps the previous rate.
    let nanoCores: number | undefined;
    const prev = this.cpuSamples.get(id);
    if (cpuNs !== undefined) {
      if (prev && now > prev.at) {
        nanoCores = Math.max(0, ((cpuNs - prev.ns) / (now - prev.at)) * 1e3);
        this.cpuSamples.set(id, { ns: cpuNs, at: now, rate: nanoCores });
      } else if (prev) {
        nanoCores = prev.rate;
      } else {
        this.cpuSamples.set(id, { ns: cpuNs, at: now, rate: undefined });
      }
    }
    return { containerId: id, cpuUsageCoreNanoSeconds: cpuNs, cpuUsageNanoCores: nanoCores, memoryWorkingSetBytes: workingSet, memoryRssBytes: rss, processCount, timestamp: now };
  }

  /**
   * The program's host pid, waiting up to 2 s while the container runs: right after its start,
   * unshare may not have forked the program yet. Undefined if it did not or the container ended.
   */
  private async startedProgramPid(rec: ContainerRecord): Promise<number | undefined> {
    const deadline = Date.now() + 2000;
    let pid: number | undefined;
    while ((pid = this.programPid(rec)) === undefined && rec.state === 'Running' && Date.now() < deadline) await sleep(5);
    return pid;
  }

  // ---- exec, attach, port-forward ----

  private async execTarget(rec: ContainerRecord): Promise<ExecTarget> {
    if (rec.state !== 'Running') throw new RuntimeError(`container ${rec.id} is not running`, 'ContainerNotRunning');
    let nsPid: number | undefined;
    if (rec.namespaced) {
      nsPid = await this.startedProgramPid(rec);
      if (nsPid === undefined) throw new RuntimeError(`container ${rec.id} has no process to enter`, 'ContainerNotRunning');
    }
    return { env: rec.env, cwd: rec.cwd, nsPid, pidNamespace: rec.pidNamespace, cgroupProcs: procsFiles(rec.cgroup) };
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    await this.ensureLoaded();
    const rec = this.container(id);
    this.checkExit(rec);
    const target = await this.execTarget(rec);
    return runSync(execArgv(target, cmd, { nsenter: this.tools.nsenter ?? 'nsenter' }), target.env, timeoutMs);
  }

  async exec(id: string, cmd: string[], opts: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    await this.ensureLoaded();
    const rec = this.container(id);
    this.checkExit(rec);
    const target = await this.execTarget(rec);
    return startSession(execArgv(target, cmd, { nsenter: this.tools.nsenter ?? 'nsenter' }), target.env, { ...opts, script: this.tools.script });
  }

  /**
   * Attaches to the program's output from now on (and its stdin when the container has stdin: true).
   * A container with tty: true runs under a pseudo-terminal (see launchArgv): its output is one
   * stream, and resize sets the terminal's size. kill() ends the session, not the container.
   * The container's stdin is a FIFO held open by its shim: it never sees EOF, except with stdinOnce
   * (and no tty), where the end of the first session's stdin closes it (see shim.ts), as containerd's.
   */
  async attach(id: string, opts: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    await this.ensureLoaded();
    const rec = this.container(id);
    this.checkExit(rec);
    const live = this.live.get(id);
    if (rec.state !== 'Running' || !live) throw new RuntimeError(`container ${id} is not running`, 'ContainerNotRunning');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const listener = (stream: 'stdout' | 'stderr', data: Buffer) => (stream === 'stdout' || opts.tty ? stdout : stderr).write(data);
    live.listeners.add(listener);
    let stdin: fs.WriteStream | undefined;
    if (opts.stdin && rec.config.stdin) {
      stdin = fs.createWriteStream(path.join(this.containerDir(id), 'stdin'), { flags: 'a' });
      stdin.on('error', () => {});
      // stdinOnce: the end of this session's stdin is the end of the container's (see shim.ts).
      // (Only shims that were given the marker trap SIGUSR1; to any other it would be fatal.)
      const once = path.join(this.containerDir(id), 'stdin-once');
      if (rec.config.stdinOnce && fs.existsSync(once)) stdin.on('close', () => this.signalShim(rec, 'SIGUSR1'));
    }
    let end!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (end = resolve));
    const detach = (code: number) => {
      live.listeners.delete(listener);
      stdout.end();
      stderr.end();
      stdin?.end();
      end(code);
    };
    const list = this.exitWaiters.get(id) ?? [];
    list.push(() => detach(rec.exitCode));
    this.exitWaiters.set(id, list);
    return {
      stdin,
      stdout,
      stderr: opts.tty ? undefined : stderr,
      exited,
      resize: (cols, rows) => {
        const pid = rec.config.tty && rec.state === 'Running' ? this.programPid(rec) : undefined;
        if (pid !== undefined) void resizePty(pid, cols, rows);
      },
      kill: () => detach(0),
    };
  }

  async portForward(podSandboxId: string, port: number): Promise<net.Socket> {
    await this.ensureLoaded();
    const rec = this.sandbox(podSandboxId);
    if (!rec.ip) throw new RuntimeError(`pod sandbox ${podSandboxId} has no IP`, 'PortForwardError');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: rec.ip, port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', (err) => reject(new RuntimeError(`failed to connect to ${rec.ip}:${port}: ${err.message}`, 'PortForwardError')));
    });
  }

  // ---- images: for this runtime, an image is an executable on the default PATH ----

  async pullImage(image: string): Promise<string> {
    const info = this.resolveImage(image);
    if (!info) {
      const name = executableOfImage(image);
      throw new RuntimeError(`executable "${name}" (image "${image}") not found on PATH ${DEFAULT_PATH}`, 'ErrImagePull');
    }
    this.images.set(image, info);
    return info.id;
  }

  private resolveImage(image: string): ImageInfo | undefined {
    const exe = resolveExecutable(executableOfImage(image));
    if (!exe) return undefined;
    const real = fs.realpathSync(exe);
    return { id: `sha256:${createHash('sha256').update(real).digest('hex')}`, repoTags: [image], sizeBytes: fs.statSync(real).size };
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    const info = this.resolveImage(image);
    if (!info) this.images.delete(image);
    return info;
  }

  async listImages(): Promise<ImageInfo[]> {
    return [...this.images.values()];
  }
}
