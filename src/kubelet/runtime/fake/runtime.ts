// An in-memory Runtime for kubelet tests: sandboxes and containers are records, nothing runs.
// Tests steer it through plain fields and methods:
//   - exitContainer(idOrName, code) ends a running container (reason Completed/Error/OOMKilled);
//   - failStart / failCreate / failPull make the next matching call throw a RuntimeError;
//   - execHandler decides what execSync (exec probes, hooks) returns;
//   - writeLog appends CRI-format lines to a container's log file (when logs are on disk);
//   - calls records every method call ("startContainer c1"), and subscribe() reports each change,
//     so a test can await a state instead of sleeping.
// The clock is injectable; ids are "sb-N" and "ctr-N".
import * as net from 'node:net';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { CriLogWriter } from '../../logs/writer.js';
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

export interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  state: SandboxState;
  createdAt: number;
  ip: string;
}

export interface FakeContainer {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  sandboxConfig: PodSandboxConfig;
  status: ContainerStatus;
}

/** Matches a container by id or by its config name (and optionally the pod name). */
export type ContainerMatcher = string | ((c: FakeContainer) => boolean);

export interface FakeRuntimeOptions {
  now?: () => number;
  /** Pod IPs are 10.88.0.N unless this returns another. */
  ipFor?: (n: number) => string;
  /** Write container output given to writeLog to the log files (default true). */
  logsOnDisk?: boolean;
}

function matchLabels(labels: Record<string, string>, want?: Record<string, string>): boolean {
  return !want || Object.entries(want).every(([k, v]) => labels[k] === v);
}

export class FakeRuntime implements Runtime {
  readonly name = 'fake';
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  /** Every call, as "method arg" (first id or name), in order. */
  readonly calls: string[] = [];
  /** Images that pullImage accepts; undefined = every image except those in failPull. */
  knownImages: Set<string> | undefined;
  /** What execSync returns; default exit 0 with empty output. */
  execHandler: (c: FakeContainer, cmd: string[]) => ExecResult | Promise<ExecResult> = () => ({
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    exitCode: 0,
    timedOut: false,
  });
  /** The exit code of a container stopped by stopContainer (default 0 with a grace period, 137 without). */
  stopExitCode: (c: FakeContainer, timeoutSeconds: number) => number = (_c, t) => (t > 0 ? 0 : 137);
  /** Connects port-forward streams; default: refuses. */
  portForwardHandler: ((sandbox: FakeSandbox, port: number) => Promise<net.Socket>) | undefined;

  private readonly pullFailures = new Map<string, string>();
  private readonly startFailures: { match: ContainerMatcher; error: RuntimeError }[] = [];
  private readonly createFailures: { match: ContainerMatcher; error: RuntimeError }[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly writers = new Map<string, CriLogWriter>();
  private readonly images = new Map<string, ImageInfo>();
  private readonly now: () => number;
  private readonly ipFor: (n: number) => string;
  private nextId = 0;

  constructor(private readonly opts: FakeRuntimeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.ipFor = opts.ipFor ?? ((n) => `10.88.${Math.floor(n / 250)}.${(n % 250) + 2}`);
  }

  version() {
    return { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  // ---- steering ----

  /** Called after every change (state, call); returns an unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves when `check` holds (re-evaluated after each change). */
  waitFor(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.subscribe(() => {
        if (check()) {
          off();
          resolve();
        }
      });
    });
  }

  failPull(image: string, message = `image "${image}" not found`): void {
    this.pullFailures.set(image, message);
  }

  /** The next start of a matching container throws (once). */
  failStart(match: ContainerMatcher, message = 'failed to start', reason = 'RunContainerError'): void {
    this.startFailures.push({ match, error: new RuntimeError(message, reason) });
  }

  /** The next create of a container with this name throws (once). */
  failCreate(match: ContainerMatcher, message = 'failed to create', reason = 'CreateContainerError'): void {
    this.createFailures.push({ match, error: new RuntimeError(message, reason) });
  }

  /** The containers matching (running ones first). */
  find(match: ContainerMatcher): FakeContainer[] {
    const all = [...this.containers.values()].filter((c) => (typeof match === 'string' ? c.id === match || c.config.name === match : match(c)));
    return all.sort((a, b) => Number(b.status.state === 'Running') - Number(a.status.state === 'Running'));
  }

  /** Ends a running container as if its process exited. */
  exitContainer(match: ContainerMatcher, exitCode: number, opts: { reason?: string; message?: string; oomKilled?: boolean } = {}): FakeContainer {
    const c = this.find(match).find((x) => x.status.state === 'Running');
    if (!c) throw new Error(`no running container matches ${String(match)}`);
    this.end(c, exitCode, opts.reason ?? (opts.oomKilled ? 'OOMKilled' : undefined), opts.message);
    return c;
  }

  /** Appends output to a container's CRI log. */
  writeLog(match: ContainerMatcher, stream: 'stdout' | 'stderr', text: string): void {
    const c = this.find(match)[0];
    if (!c) throw new Error(`no container matches ${String(match)}`);
    if (this.opts.logsOnDisk === false) return;
    let w = this.writers.get(c.id);
    if (!w) {
      w = new CriLogWriter(c.status.logPath, {}, this.now);
      this.writers.set(c.id, w);
    }
    w.write(stream, Buffer.from(text));
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private record(call: string): void {
    this.calls.push(call);
    this.changed();
  }

  private end(c: FakeContainer, exitCode: number, reason?: string, message = ''): void {
    c.status.state = 'Exited';
    c.status.exitCode = exitCode;
    c.status.finishedAt = this.now();
    c.status.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.status.message = message;
    c.status.pid = undefined;
    this.writers.get(c.id)?.close();
    this.writers.delete(c.id);
    this.changed();
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const n = ++this.nextId;
    const id = `sb-${n}`;
    const hostNetwork = config.namespaceOptions?.network === 'node';
    this.sandboxes.set(id, { id, config, state: 'Ready', createdAt: this.now(), ip: hostNetwork ? '127.0.0.1' : this.ipFor(n) });
    this.record(`runPodSandbox ${config.name}`);
    return id;
  }

  private sandbox(id: string): FakeSandbox {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeError(`pod sandbox "${id}" not found`, 'NotFound');
    return s;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of this.containers.values()) if (c.podSandboxId === id && c.status.state === 'Running') this.end(c, 137);
    s.state = 'NotReady';
    this.record(`stopPodSandbox ${id}`);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const c of [...this.containers.values()]) if (c.podSandboxId === id) this.containers.delete(c.id);
    this.sandboxes.delete(id);
    this.record(`removePodSandbox ${id}`);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandbox(id);
    return { ...this.sandboxView(s), ip: s.ip, additionalIps: [] };
  }

  private sandboxView(s: FakeSandbox): PodSandbox {
    const c = s.config;
    return {
      id: s.id,
      metadata: { name: c.name, namespace: c.namespace, uid: c.uid, attempt: c.attempt },
      state: s.state,
      createdAt: s.createdAt,
      labels: c.labels,
      annotations: c.annotations,
    };
  }

  async listPodSandboxes(filter: { state?: SandboxState; labels?: Record<string, string> } = {}): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()]
      .filter((s) => (!filter.state || s.state === filter.state) && matchLabels(s.config.labels, filter.labels))
      .map((s) => this.sandboxView(s));
  }

  // ---- containers ----

  private takeFailure(list: { match: ContainerMatcher; error: RuntimeError }[], c: FakeContainer): RuntimeError | undefined {
    const i = list.findIndex((f) => (typeof f.match === 'string' ? f.match === c.id || f.match === c.config.name : f.match(c)));
    if (i < 0) return undefined;
    return list.splice(i, 1)[0].error;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const s = this.sandbox(podSandboxId);
    if (s.state !== 'Ready') throw new RuntimeError(`pod sandbox ${podSandboxId} is not ready`, 'CreateContainerError');
    const id = `ctr-${++this.nextId}`;
    const c: FakeContainer = {
      id,
      podSandboxId,
      config,
      sandboxConfig,
      status: {
        id,
        podSandboxId,
        metadata: { name: config.name, attempt: config.attempt },
        image: config.image,
        state: 'Created',
        createdAt: this.now(),
        labels: config.labels,
        annotations: config.annotations,
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        reason: '',
        message: '',
        logPath: path.join(s.config.logDirectory, config.logPath),
      },
    };
    const failure = this.takeFailure(this.createFailures, c);
    if (failure) {
      this.record(`createContainer ${config.name} (failed)`);
      throw failure;
    }
    this.containers.set(id, c);
    this.record(`createContainer ${config.name}`);
    return id;
  }

  private container(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(`container "${id}" not found`, 'NotFound');
    return c;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.container(id);
    if (c.status.state !== 'Created') throw new RuntimeError(`container ${id} is ${c.status.state}, not Created`, 'RunContainerError');
    const failure = this.takeFailure(this.startFailures, c);
    if (failure) {
      this.end(c, 128, 'StartError', failure.message);
      this.record(`startContainer ${c.config.name} (failed)`);
      throw failure;
    }
    c.status.state = 'Running';
    c.status.startedAt = this.now();
    c.status.pid = 10000 + this.nextId;
    this.record(`startContainer ${c.config.name}`);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.container(id);
    this.record(`stopContainer ${c.config.name} ${timeoutSeconds}`);
    if (c.status.state === 'Running' || c.status.state === 'Created') this.end(c, this.stopExitCode(c, timeoutSeconds));
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.status.state === 'Running') this.end(c, 137);
    this.containers.delete(id);
    this.record(`removeContainer ${c.config.name}`);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (filter.podSandboxId && c.podSandboxId !== filter.podSandboxId) continue;
      if (filter.state && c.status.state !== filter.state) continue;
      if (!matchLabels(c.config.labels, filter.labels)) continue;
      const { startedAt: _s, finishedAt: _f, exitCode: _e, reason: _r, message: _m, logPath: _l, pid: _p, ...view } = c.status;
      out.push({ ...view });
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return { ...this.container(id).status };
  }

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    const c = this.container(id);
    if (c.status.state !== 'Running') return undefined;
    return { containerId: id, cpuUsageCoreNanoSeconds: 0, cpuUsageNanoCores: 0, memoryWorkingSetBytes: 1 << 20, memoryRssBytes: 1 << 20, timestamp: this.now() };
  }

  async execSync(id: string, cmd: string[], _timeoutMs: number): Promise<ExecResult> {
    const c = this.container(id);
    this.record(`execSync ${c.config.name} ${cmd.join(' ')}`);
    if (c.status.state !== 'Running') throw new RuntimeError(`container ${id} is not running`, 'ContainerNotRunning');
    return this.execHandler(c, cmd);
  }

  /** A session whose output is what execHandler returns; stdin is accepted and dropped. */
  async exec(id: string, cmd: string[], opts: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    const result = await this.execSync(id, cmd, 0);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end(opts.tty ? Buffer.concat([result.stdout, result.stderr]) : result.stdout);
    stderr.end(result.stderr);
    return {
      stdin: opts.stdin ? new PassThrough() : undefined,
      stdout,
      stderr: opts.tty ? undefined : stderr,
      exited: Promise.resolve(result.exitCode),
      resize: () => {},
      kill: () => {},
    };
  }

  async portForward(podSandboxId: string, port: number): Promise<net.Socket> {
    const s = this.sandbox(podSandboxId);
    if (!this.portForwardHandler) throw new RuntimeError(`nothing listens on ${s.ip}:${port}`, 'PortForwardError');
    return this.portForwardHandler(s, port);
  }

  // ---- images ----

  async pullImage(image: string): Promise<string> {
    this.record(`pullImage ${image}`);
    const failure = this.pullFailures.get(image);
    if (failure !== undefined || (this.knownImages && !this.knownImages.has(image))) {
      throw new RuntimeError(failure ?? `image "${image}" not found`, 'ErrImagePull');
    }
    const info: ImageInfo = { id: `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`, repoTags: [image], sizeBytes: 1024 };
    this.images.set(image, info);
    return info.id;
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    return this.images.get(image);
  }

  async listImages(): Promise<ImageInfo[]> {
    return [...this.images.values()];
  }
}
