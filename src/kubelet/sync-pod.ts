// The three syncs a pod worker runs (upstream kubelet.go SyncPod / SyncTerminatingPod /
// SyncTerminatedPod with kuberuntime_manager.go SyncPod): bring the runtime to the spec, stop a
// pod gracefully, and clean up after it. Each call is made by the pod's worker only, so two syncs
// of one pod never overlap; different pods sync concurrently.
import { podDnsConfig, type DnsSettings } from './dns-config.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Container as SpecContainer, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { EventRecorder } from '../client/record/index.js';
import { toMilli, toValue } from '../api/validation/quantity.js';
import type { ContainerConfig, LinuxResources, PodSandboxConfig, Runtime } from './runtime/types.js';
import { Backoff, formatGoDuration, realClock, type Clock } from './backoff.js';
import { containerImageAnnotation, containerKindAnnotation, containerLabels, restartCountAnnotation, sandboxLabels, terminationMessageFileAnnotation, type ContainerKind } from './container-labels.js';
import { computePodActions, type ProbeView } from './pod-actions.js';
import { formatPod, gracePeriodSeconds, isRestartableInit } from './pod-util.js';
import { containerName, getRuntimePodStatus, latestContainer, readySandbox, type RuntimePodStatus } from './runtime-pod.js';
import { generatePodStatus, type WaitingReason } from './status/pod-status.js';
import type { StatusManager } from './status/status-manager.js';
import type { EnvProvider, HookRunner, Prober, VolumeHost } from './sync-deps.js';
import { createTerminationMessageFile, TerminationMessages } from './termination-message.js';

export interface PodSyncerOptions {
  runtime: Runtime;
  rootDir: string;
  nodeName: string;
  hostIP: string;
  recorder: EventRecorder;
  log: Logger;
  status: StatusManager;
  env: EnvProvider;
  volumes: VolumeHost;
  prober: Prober;
  hooks: HookRunner;
  backoff?: Backoff;
  clock?: Clock;
  /** Cluster DNS for pods' resolv.conf (dnsPolicy ClusterFirst); without it pods get the node's. */
  dns?: DnsSettings;
  /** Whether a new pod may start here (the eviction manager under node pressure); rejected pods fail. */
  admit?(pod: Pod): { admit: boolean; reason?: string; message?: string };
}

export interface SyncResult {
  /** The pod reached a terminal phase: the worker moves on to terminating it. */
  terminal: boolean;
  /** Sync again after this long (a container leaving back-off), besides PLEG events. */
  requeueAfterMs?: number;
}

const deadlineMessage = 'Pod was active on the node longer than the specified deadline';

export class PodSyncer {
  readonly backoff: Backoff;
  private readonly clock: Clock;
  /** uid → container name → why it is waiting (upstream ReasonCache). */
  private readonly reasons = new Map<string, Map<string, WaitingReason>>();
  private readonly volumePaths = new Map<string, Map<string, string>>();
  private readonly volumesRefreshedAt = new Map<string, number>();
  private readonly messages = new TerminationMessages();

  constructor(private readonly o: PodSyncerOptions) {
    this.clock = o.clock ?? realClock;
    this.backoff = o.backoff ?? new Backoff(10_000, 300_000, this.clock);
  }

  /** Brings the runtime to the pod's spec; reports the status. */
  async syncPod(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    let rs = await getRuntimePodStatus(this.o.runtime, uid);

    const deadline = pod.spec?.activeDeadlineSeconds;
    const start = pod.status?.startTime ?? this.o.status.getPodStatus(uid)?.startTime;
    if (deadline !== undefined && start && this.clock.now() - Date.parse(start) >= deadline * 1000) {
      this.o.recorder.event(pod, 'Normal', 'DeadlineExceeded', deadlineMessage);
      this.setStatus(pod, rs, { phase: 'Failed', reason: 'DeadlineExceeded', message: deadlineMessage });
      return { terminal: true };
    }

    // A pod that never ran here is admitted first (upstream canAdmitPod); a rejected one fails.
    if (this.o.admit && !rs.sandboxes.length && !rs.containers.length && !pod.status?.startTime && !this.o.status.getPodStatus(uid)) {
      const verdict = this.o.admit(pod);
      if (!verdict.admit) {
        const reason = verdict.reason ?? 'UnexpectedAdmissionError';
        const message = verdict.message ?? 'the node rejected the pod';
        this.o.recorder.event(pod, 'Warning', reason, message);
        this.setStatus(pod, rs, { phase: 'Failed', reason, message: `Pod was rejected: ${message}` });
        return { terminal: true };
      }
    }
    const before = this.setStatus(pod, rs);
    if (before.phase === 'Succeeded' || before.phase === 'Failed') return { terminal: true };

    this.o.prober.addPod(pod);
    const paths = await this.ensureVolumes(pod);
    if (!paths) return { terminal: false, requeueAfterMs: 2000 };

    const probes = this.probeView(uid);
    const actions = computePodActions(pod, rs, probes);
    const grace = gracePeriodSeconds(pod);

    if (actions.killPod) {
      await this.killAll(pod, rs, grace, 'pod sandbox changed or pod done');
      for (const s of rs.sandboxes) if (s.state === 'Ready') await this.o.runtime.stopPodSandbox(s.id).catch(() => undefined);
    }
    for (const k of actions.containersToKill) {
      const spec = findSpec(pod, k.name);
      this.o.recorder.event(pod, 'Normal', 'Killing', k.message);
      await this.killContainer(pod, spec, k.id, grace);
    }

    let sandboxId = actions.sandboxId;
    const inits = pod.spec?.initContainers ?? [];
    const containers = pod.spec?.containers ?? [];
    // A pod being killed starts nothing in the sandbox it loses.
    const ephemeral = actions.killPod ? [] : actions.ephemeralContainersToStart.map((i) => ephemeralContainerSpec(pod, i));
    const starts = ephemeral.length > 0 || actions.initContainersToStart.length > 0 || (actions.initDone && actions.containersToStart.length > 0);
    if (!actions.createSandbox && !sandboxId) return { terminal: false };
    if (!actions.createSandbox && !starts) {
      // Nothing to create or start (most syncs of a running pod): no sandbox config to build, so
      // no read of the host's resolv.conf.
      return this.finishSync(pod, uid);
    }
    if (actions.createSandbox && (actions.initFailed || (!actions.initContainersToStart.length && !actions.containersToStart.length))) {
      rs = await getRuntimePodStatus(this.o.runtime, uid);
      const after = this.setStatus(pod, rs);
      return { terminal: after.phase === 'Succeeded' || after.phase === 'Failed' };
    }
    const sandboxConfig = this.sandboxConfig(pod, actions.createSandbox ? actions.attempt : (rs.sandboxes[0]?.metadata.attempt ?? 0));
    if (actions.createSandbox) {
      try {
        sandboxId = await this.o.runtime.runPodSandbox(sandboxConfig);
      } catch (err) {
        const msg = `Failed to create pod sandbox: ${messageOf(err)}`;
        this.o.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', msg);
        this.o.log.warn({ err, pod: formatPod(pod) }, 'cannot create pod sandbox');
        return { terminal: false, requeueAfterMs: 2000 };
      }
    }
    if (!sandboxId) return { terminal: false };
    const sandbox = await this.o.runtime.podSandboxStatus(sandboxId);
    const podIP = sandbox.ip;
    const podIPs = [sandbox.ip, ...sandbox.additionalIps].filter(Boolean);

    // Upstream starts ephemeral containers before init containers, so a debugging container runs
    // even while an init container keeps failing.
    for (const { container, targetContainerName } of ephemeral) {
      await this.startContainer(pod, container, 'ephemeral', sandboxId, sandboxConfig, rs, podIP, podIPs, paths, targetContainerName);
    }
    for (const i of actions.initContainersToStart) {
      await this.startContainer(pod, inits[i], 'init', sandboxId, sandboxConfig, rs, podIP, podIPs, paths);
    }
    if (actions.initDone) {
      await Promise.all(actions.containersToStart.map((i) => this.startContainer(pod, containers[i], 'regular', sandboxId, sandboxConfig, rs, podIP, podIPs, paths)));
    }
    return this.finishSync(pod, uid);
  }

  /** The end of every sync that got past the actions: the runtime as it is now, reported. */
  private async finishSync(pod: Pod, uid: string): Promise<SyncResult> {
    const rs = await getRuntimePodStatus(this.o.runtime, uid);
    this.updateProber(pod, rs);
    await this.collectOldContainers(pod, rs);
    const after = this.setStatus(pod, rs);
    return { terminal: after.phase === 'Succeeded' || after.phase === 'Failed', requeueAfterMs: this.nextBackoffExpiry(pod, rs) };
  }

  /**
   * Stops every container gracefully (preStop, SIGTERM, grace period, SIGKILL), then the sandbox.
   * `reportStatus` false is the agent's own shutdown: the pod should run again when it comes back.
   */
  async syncTerminatingPod(
    pod: Pod,
    opts: { gracePeriodSeconds?: number; reportStatus?: boolean; terminal?: { phase: 'Failed' | 'Succeeded'; reason?: string; message?: string }; condition?: PodCondition } = {},
  ): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const grace = gracePeriodSeconds(pod, opts.gracePeriodSeconds);
    let rs = await getRuntimePodStatus(this.o.runtime, uid);
    await this.killAll(pod, rs, grace, '');
    for (const s of rs.sandboxes) if (s.state === 'Ready') await this.o.runtime.stopPodSandbox(s.id).catch(() => undefined);
    this.o.prober.removePod(uid);
    if (opts.reportStatus === false) return;
    rs = await getRuntimePodStatus(this.o.runtime, uid);
    if (opts.terminal) {
      // Evicted (or otherwise ended by the agent): the phase and reason it was given, and its condition.
      const status = this.computeStatus(pod, rs, opts.terminal);
      const cond = opts.condition;
      if (cond) status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
      this.o.status.setPodStatus(pod, status);
      return;
    }
    const current = this.o.status.getPodStatus(uid)?.phase ?? pod.status?.phase;
    if (current === 'Succeeded' || current === 'Failed') {
      this.setStatus(pod, rs, { phase: current, reason: this.o.status.getPodStatus(uid)?.reason, message: this.o.status.getPodStatus(uid)?.message });
      return;
    }
    // A pod stopped because it was deleted ends in a terminal phase (upstream since 1.27).
    const exited = rs.containers.filter((c) => (pod.spec?.containers ?? []).some((s) => s.name === containerName(c)));
    const allOk = exited.length > 0 && (pod.spec?.containers ?? []).every((c) => latestContainer(rs, c.name)?.exitCode === 0);
    this.setStatus(pod, rs, { phase: allOk ? 'Succeeded' : 'Failed' });
  }

  /** After termination: release volumes; a deleted pod's API object goes once its status is written. */
  async syncTerminatedPod(pod: Pod, opts: { deleteApiObject: boolean }): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    await this.o.volumes.cleanupPodVolumes(uid).catch((err: unknown) => this.o.log.warn({ err, pod: formatPod(pod) }, 'cannot clean up volumes'));
    this.volumePaths.delete(uid);
    if (opts.deleteApiObject) this.o.status.deleteWhenWritten(pod);
  }

  /** The pod is gone from every source: remove its runtime objects and files. */
  async forgetPod(uid: string): Promise<void> {
    const rs = await getRuntimePodStatus(this.o.runtime, uid).catch(() => undefined);
    for (const c of rs?.containers ?? []) {
      if (c.state === 'Running') await this.o.runtime.stopContainer(c.id, 0).catch(() => undefined);
      await this.o.runtime.removeContainer(c.id).catch(() => undefined);
    }
    this.messages.forget((rs?.containers ?? []).map((c) => c.id));
    for (const s of rs?.sandboxes ?? []) {
      await this.o.runtime.stopPodSandbox(s.id).catch(() => undefined);
      await this.o.runtime.removePodSandbox(s.id).catch(() => undefined);
    }
    this.reasons.delete(uid);
    this.volumePaths.delete(uid);
    this.backoff.forgetPrefix(`${uid}/`);
    this.o.prober.removePod(uid);
    this.o.status.removePod(uid);
    rmSync(join(this.o.rootDir, 'pods', uid), { recursive: true, force: true });
  }

  /** The status the pod has now (also used by the workers before a sync). */
  computeStatus(pod: Pod, rs: RuntimePodStatus, terminal?: { phase: 'Failed' | 'Succeeded'; reason?: string; message?: string }): PodStatus {
    const uid = pod.metadata?.uid ?? '';
    const reasons = this.reasons.get(uid);
    const podWithLatest: Pod = { ...pod, status: this.o.status.getPodStatus(uid) ?? pod.status };
    return generatePodStatus({
      pod: podWithLatest,
      runtime: rs,
      runtimeName: this.o.runtime.name,
      hostIP: this.o.hostIP,
      now: this.clock.now(),
      waitingReason: (name) => reasons?.get(name),
      readiness: (name) => this.o.prober.readiness(uid, name),
      started: (name) => this.o.prober.started(uid, name),
      terminationMessage: (s, spec) => this.messages.read(s, spec),
      terminal,
    });
  }

  private setStatus(pod: Pod, rs: RuntimePodStatus, terminal?: { phase: 'Failed' | 'Succeeded'; reason?: string; message?: string }): PodStatus {
    const status = this.computeStatus(pod, rs, terminal);
    this.o.status.setPodStatus(pod, status);
    return status;
  }

  private probeView(uid: string): ProbeView {
    return {
      livenessFailed: (name) => this.o.prober.livenessFailed(uid, name),
      started: (name) => this.o.prober.started(uid, name),
    };
  }

  private async ensureVolumes(pod: Pod): Promise<Map<string, string> | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const have = this.volumePaths.get(uid);
    if (have) {
      const last = this.volumesRefreshedAt.get(uid) ?? 0;
      if (this.clock.now() - last > 10_000) {
        this.volumesRefreshedAt.set(uid, this.clock.now());
        await this.o.volumes.refreshPodVolumes(pod).catch((err: unknown) => this.o.log.warn({ err, pod: formatPod(pod) }, 'cannot refresh volumes'));
      }
      return have;
    }
    try {
      const paths = await this.o.volumes.mountPodVolumes(pod);
      this.volumePaths.set(uid, paths);
      this.volumesRefreshedAt.set(uid, this.clock.now());
      return paths;
    } catch (err) {
      const msg = messageOf(err);
      this.o.recorder.event(pod, 'Warning', 'FailedMount', msg);
      this.o.log.warn({ err, pod: formatPod(pod) }, 'cannot mount volumes');
      return undefined;
    }
  }

  private setReason(uid: string, name: string, r: WaitingReason | undefined): void {
    let m = this.reasons.get(uid);
    if (!r) {
      m?.delete(name);
      return;
    }
    if (!m) this.reasons.set(uid, (m = new Map()));
    m.set(name, r);
  }

  /** `targetContainerName`: an ephemeral container's, whose PID namespace it joins. */
  private async startContainer(pod: Pod, c: SpecContainer, kind: ContainerKind, sandboxId: string, sandboxConfig: PodSandboxConfig, rs: RuntimePodStatus, podIP: string, podIPs: string[], paths: Map<string, string>, targetContainerName?: string): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const prev = latestContainer(rs, c.name);
    const key = `${uid}/${c.name}`;
    if (prev && prev.state === 'Exited') {
      const finished = prev.finishedAt || prev.createdAt;
      if (this.backoff.isInBackOffSince(key, finished)) {
        const msg = `back-off ${formatGoDuration(this.backoff.get(key))} restarting failed container=${c.name} pod=${formatPod(pod)}`;
        this.setReason(uid, c.name, { reason: 'CrashLoopBackOff', message: msg });
        this.o.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`);
        return;
      }
      this.backoff.next(key, finished);
    }
    const attempt = prev ? prev.metadata.attempt + 1 : 0;
    const fail = (reason: string, message: string, eventMessage = `Error: ${message}`) => {
      this.setReason(uid, c.name, { reason, message });
      this.o.recorder.event(pod, 'Warning', 'Failed', eventMessage);
    };

    const image = c.image ?? '';
    try {
      await this.o.runtime.pullImage(image);
    } catch (err) {
      const msg = messageOf(err);
      this.setReason(uid, c.name, { reason: 'ErrImagePull', message: msg });
      this.o.recorder.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      this.o.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      return;
    }
    this.o.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);

    // The target must exist (upstream getTargetID); that it runs is the runtime's check (containerd's).
    const target = targetContainerName ? latestContainer(rs, targetContainerName) : undefined;
    if (targetContainerName && !target) {
      fail('CreateContainerConfigError', `unable to find target container ${targetContainerName}`);
      return;
    }

    let env;
    try {
      env = await this.o.env.environment(pod, c, podIP, podIPs);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? 'CreateContainerConfigError';
      fail(reason, messageOf(err));
      return;
    }
    let mounts;
    try {
      mounts = this.o.volumes.containerMounts(pod, c, paths);
    } catch (err) {
      fail('CreateContainerConfigError', messageOf(err));
      return;
    }
    const messageFile = await createTerminationMessageFile(this.o.rootDir, uid, c.name, attempt);
    mounts = [...mounts, { containerPath: c.terminationMessagePath ?? '/dev/termination-log', hostPath: messageFile }];

    const config: ContainerConfig = {
      name: c.name,
      attempt,
      image,
      command: this.o.env.expand(c.command ?? [], env),
      args: this.o.env.expand(c.args ?? [], env),
      workingDir: c.workingDir,
      envs: env,
      mounts,
      logPath: `${c.name}/${attempt}.log`,
      stdin: c.stdin,
      stdinOnce: c.stdinOnce,
      tty: c.tty,
      labels: containerLabels(pod, c),
      annotations: {
        [containerKindAnnotation]: kind,
        [containerImageAnnotation]: image,
        [restartCountAnnotation]: String(attempt),
        [terminationMessageFileAnnotation]: messageFile,
      },
      resources: containerResources(c),
      // CRI NamespaceOption.pid: TARGET for a debug container, POD with shareProcessNamespace.
      ...(target ? { pidNamespace: { mode: 'target', targetId: target.id } } : sandboxConfig.namespaceOptions?.pid === 'pod' ? { pidNamespace: { mode: 'pod' } } : {}),
    };
    let id: string;
    try {
      id = await this.o.runtime.createContainer(sandboxId, config, sandboxConfig);
    } catch (err) {
      fail((err as { reason?: string }).reason === 'RuntimeError' ? 'CreateContainerError' : ((err as { reason?: string }).reason ?? 'CreateContainerError'), messageOf(err));
      return;
    }
    this.o.recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await this.o.runtime.startContainer(id);
    } catch (err) {
      fail('RunContainerError', messageOf(err));
      return;
    }
    this.setReason(uid, c.name, undefined);
    this.o.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    // Ephemeral containers have no probes and no lifecycle hooks (validation refuses them).
    if (kind === 'ephemeral') return;
    this.o.prober.setContainerState(uid, c.name, { containerId: id, running: true, startedAt: this.clock.now(), podIP });

    if (c.lifecycle?.postStart) {
      const err = await this.o.hooks(c.lifecycle.postStart, { runtime: this.o.runtime, containerId: id, podIP, pod, container: c });
      if (err) {
        this.o.recorder.event(pod, 'Warning', 'FailedPostStartHook', err);
        this.o.recorder.event(pod, 'Normal', 'Killing', `FailedPostStartHook`);
        await this.o.runtime.stopContainer(id, gracePeriodSeconds(pod)).catch(() => undefined);
      }
    }
  }

  /** Stops one container: preStop hook within the grace period, then SIGTERM and SIGKILL at its end. */
  private async killContainer(pod: Pod, spec: SpecContainer | undefined, id: string, graceSeconds: number): Promise<void> {
    const started = this.clock.now();
    if (spec?.lifecycle?.preStop) {
      const sandbox = await this.sandboxIp(pod);
      const err = await this.o.hooks(spec.lifecycle.preStop, { runtime: this.o.runtime, containerId: id, podIP: sandbox, pod, container: spec, timeoutMs: graceSeconds * 1000 });
      if (err) this.o.recorder.event(pod, 'Warning', 'FailedPreStopHook', err);
    }
    const left = Math.max(0, Math.ceil(graceSeconds - (this.clock.now() - started) / 1000));
    // Upstream gives at least 2 s after a preStop hook that used up the grace period.
    const timeout = spec?.lifecycle?.preStop && graceSeconds > 0 ? Math.max(left, 2) : left;
    await this.o.runtime.stopContainer(id, timeout).catch((err: unknown) => this.o.log.warn({ err, pod: formatPod(pod) }, 'cannot stop container'));
  }

  /** Regular containers first, then sidecars in reverse order (upstream's termination order). */
  private async killAll(pod: Pod, rs: RuntimePodStatus, grace: number, _why: string): Promise<void> {
    const running = rs.containers.filter((c) => c.state === 'Running' || c.state === 'Created');
    const inits = pod.spec?.initContainers ?? [];
    const isInit = (name: string) => inits.some((c) => c.name === name);
    const regular = running.filter((c) => !isInit(containerName(c)));
    const sidecars = running.filter((c) => isInit(containerName(c)));
    const kill = async (c: (typeof running)[number]) => {
      const spec = findSpec(pod, containerName(c));
      if (c.state === 'Running') this.o.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${containerName(c)}`);
      await this.killContainer(pod, spec, c.id, grace);
    };
    await Promise.all(regular.map(kill));
    const order = [...inits].reverse().filter(isRestartableInit);
    for (const spec of order) {
      for (const c of sidecars.filter((s) => containerName(s) === spec.name)) await kill(c);
    }
    for (const c of sidecars.filter((s) => !order.some((o) => o.name === containerName(s)))) await kill(c);
  }

  private updateProber(pod: Pod, rs: RuntimePodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    const ip = readySandbox(rs)?.ip ?? '';
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const s = latestContainer(rs, c.name);
      if (!s) continue;
      this.o.prober.setContainerState(uid, c.name, { containerId: s.id, running: s.state === 'Running', startedAt: s.startedAt || undefined, podIP: ip });
    }
  }

  /** Keeps the newest two attempts of each container (current and --previous); removes older ones. */
  private async collectOldContainers(pod: Pod, rs: RuntimePodStatus): Promise<void> {
    const seen = new Map<string, number>();
    for (const c of rs.containers) {
      const name = containerName(c);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 2 && c.state === 'Exited') {
        await this.o.runtime.removeContainer(c.id).catch(() => undefined);
        this.messages.forget([c.id]);
        rmSync(join(this.o.rootDir, 'pods', pod.metadata?.uid ?? '', 'containers', name, `${c.metadata.attempt}-termination-log`), { force: true });
      }
    }
  }

  /** The soonest moment a container in back-off may be restarted. */
  private nextBackoffExpiry(pod: Pod, rs: RuntimePodStatus): number | undefined {
    const uid = pod.metadata?.uid ?? '';
    let soonest: number | undefined;
    for (const [name, r] of this.reasons.get(uid) ?? []) {
      if (r.reason !== 'CrashLoopBackOff') continue;
      const s = latestContainer(rs, name);
      if (!s) continue;
      const left = this.backoff.remaining(`${uid}/${name}`, s.finishedAt || s.createdAt);
      soonest = soonest === undefined ? left : Math.min(soonest, left);
    }
    if (soonest !== undefined) return Math.max(soonest, 10);
    // Re-check failed config (missing ConfigMap…) and image errors periodically.
    if (this.reasons.get(uid)?.size) return 2000;
    const deadline = pod.spec?.activeDeadlineSeconds;
    const start = this.o.status.getPodStatus(uid)?.startTime;
    if (deadline !== undefined && start) return Math.max(10, Date.parse(start) + deadline * 1000 - this.clock.now());
    return undefined;
  }

  private sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const m = pod.metadata ?? {};
    const spec = pod.spec ?? { containers: [] };
    return {
      name: m.name ?? '',
      namespace: m.namespace ?? 'default',
      uid: m.uid ?? '',
      attempt,
      hostname: spec.hostname ?? m.name ?? '',
      logDirectory: join(this.o.rootDir, 'logs', `${m.namespace ?? 'default'}_${m.name ?? ''}_${m.uid ?? ''}`),
      labels: sandboxLabels(pod),
      annotations: { ...(m.annotations ?? {}) },
      portMappings: (spec.containers ?? []).flatMap((c) =>
        (c.ports ?? []).map((p) => ({ protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP', containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP })),
      ),
      dnsConfig: podDnsConfig(pod, this.o.dns ?? { clusterDNS: [], clusterDomain: 'cluster.local' }),
      namespaceOptions: { network: spec.hostNetwork ? 'node' : 'pod', pid: spec.hostPID ? 'node' : spec.shareProcessNamespace ? 'pod' : 'container', ipc: spec.hostIPC ? 'node' : 'pod' },
    };
  }

  private async sandboxIp(pod: Pod): Promise<string> {
    const rs = await getRuntimePodStatus(this.o.runtime, pod.metadata?.uid ?? '').catch(() => undefined);
    return (rs && readySandbox(rs)?.ip) ?? '';
  }
}

/**
 * An ephemeral container as the container the runtime starts (upstream ephemeralContainerStartSpec),
 * and the container whose PID namespace it joins (targetContainerName).
 */
function ephemeralContainerSpec(pod: Pod, i: number): { container: SpecContainer; targetContainerName?: string } {
  const { targetContainerName, ...container } = pod.spec!.ephemeralContainers![i];
  return { container, targetContainerName: targetContainerName || undefined };
}

function findSpec(pod: Pod, name: string): SpecContainer | undefined {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
}

/** Container resources as cgroup settings (upstream kuberuntime_container_linux.go). */
export function containerResources(c: SpecContainer): LinuxResources | undefined {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const out: LinuxResources = {};
  const cpuReq = req.cpu ?? lim.cpu;
  if (cpuReq !== undefined) out.cpuShares = Math.max(2, Math.floor((toMilli(String(cpuReq)) * 1024) / 1000));
  if (lim.cpu !== undefined) {
    out.cpuPeriod = 100_000;
    out.cpuQuota = Math.max(1000, Math.floor((toMilli(String(lim.cpu)) * 100_000) / 1000));
  }
  if (lim.memory !== undefined) out.memoryLimitBytes = toValue(String(lim.memory));
  return Object.keys(out).length ? out : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
