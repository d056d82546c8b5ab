// The prober manager (upstream pkg/kubelet/prober/prober_manager.go): a worker per container per
// probe kind, fed with container states by the kubelet, answering readiness/started/liveness for
// the pod status and the restart decision. Every change of a probe state calls onUpdate(podUid)
// so the kubelet resyncs that pod; the answers are always for the container id last reported
// (a restarted container starts over: not ready, not started, live).
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Logger } from '../../util/log.js';
import type { Runtime } from '../runtime/types.js';
import { runProbe } from './run-probe.js';
import { ProbeWorker, type ContainerRunState, type ProbeKind } from './worker.js';

export type { ContainerRunState, ProbeKind } from './worker.js';

export interface ProberManagerOptions {
  runtime: Runtime;
  recorder?: EventRecorder;
  log: Logger;
  /** Called (synchronously, from a timer) when a probe state of the pod changes. */
  onUpdate(podUid: string): void;
  /** Injectable time for tests (default: real timers). */
  clock?: Clock;
}

interface ContainerEntry {
  container: Container;
  /** spec.containers or spec.initContainers (for event field paths). */
  field: 'containers' | 'initContainers';
  state?: ContainerRunState;
  workers: Partial<Record<ProbeKind, ProbeWorker>>;
}

interface PodEntry {
  pod: Pod;
  containers: Map<string, ContainerEntry>;
}

const probeField: Record<ProbeKind, 'livenessProbe' | 'readinessProbe' | 'startupProbe'> = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
};

export class ProberManager {
  private readonly pods = new Map<string, PodEntry>();
  private readonly clock: Clock;

  constructor(private readonly opts: ProberManagerOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /**
   * Starts workers for the pod's probed containers (regular containers and sidecars: init
   * containers with restartPolicy Always). Calling it again with a newer version of the pod
   * updates the pod (deletionTimestamp stops liveness/startup failures) and keeps the workers.
   */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const known = this.pods.get(uid);
    if (known) {
      known.pod = pod;
      for (const c of known.containers.values()) for (const w of Object.values(c.workers)) w.pod = pod;
      return;
    }
    const entry: PodEntry = { pod, containers: new Map() };
    this.pods.set(uid, entry);
    const add = (container: Container, field: ContainerEntry['field']) => {
      const c: ContainerEntry = { container, field, workers: {} };
      entry.containers.set(container.name, c);
      for (const kind of ['startup', 'readiness', 'liveness'] as ProbeKind[]) {
        const spec: Probe | undefined = container[probeField[kind]];
        if (!spec) continue;
        const w = new ProbeWorker(kind, pod, container, spec, this.host(uid, c, kind));
        c.workers[kind] = w;
        w.start();
      }
    };
    for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') add(c, 'initContainers');
    for (const c of pod.spec?.containers ?? []) add(c, 'containers');
  }

  removePod(podUid: string): void {
    const entry = this.pods.get(podUid);
    if (!entry) return;
    this.pods.delete(podUid);
    for (const c of entry.containers.values()) for (const w of Object.values(c.workers)) w.stop();
  }

  /** The kubelet reports a container's runtime state (after every sync or PLEG event). */
  setContainerState(podUid: string, containerName: string, s: ContainerRunState): void {
    const c = this.pods.get(podUid)?.containers.get(containerName);
    if (!c) return;
    const prev = c.state;
    c.state = { ...s };
    const newRun = s.running && (prev?.containerId !== s.containerId || !prev?.running);
    // A freshly started container is probed for startup and readiness at once (after
    // initialDelaySeconds) rather than up to a period later; upstream gets the same from its
    // manual readiness trigger on status updates.
    if (newRun) {
      if (c.workers.startup) c.workers.startup.trigger();
      else c.workers.readiness?.trigger();
    }
  }

  /** Ready: running, started, and the readiness probe (if any) succeeded for this container id. */
  readiness(podUid: string, containerName: string): boolean {
    const c = this.pods.get(podUid)?.containers.get(containerName);
    if (!c?.state?.running) return false;
    if (!this.isStarted(c)) return false;
    const w = c.workers.readiness;
    return !w || w.stateFor(c.state.containerId) === 'Success';
  }

  /** Started: running and the startup probe (if any) succeeded for this container id. */
  started(podUid: string, containerName: string): boolean {
    const c = this.pods.get(podUid)?.containers.get(containerName);
    return !!c?.state?.running && this.isStarted(c);
  }

  /**
   * Why the current container must be restarted: "Liveness probe failed: …" (or "Startup probe
   * failed: …") once failureThreshold was reached; undefined while it is healthy. Stays set
   * until a container with a new id is reported.
   */
  livenessFailed(podUid: string, containerName: string): string | undefined {
    const c = this.pods.get(podUid)?.containers.get(containerName);
    if (!c?.state?.containerId) return undefined;
    for (const kind of ['startup', 'liveness'] as const) {
      const w = c.workers[kind];
      if (w && w.stateFor(c.state.containerId) === 'Failure') return w.failureMessage;
    }
    return undefined;
  }

  /** The grace period to kill a container after a liveness/startup failure, when the probe sets one. */
  probeTerminationGracePeriod(podUid: string, containerName: string): number | undefined {
    const c = this.pods.get(podUid)?.containers.get(containerName);
    if (!c) return undefined;
    for (const kind of ['startup', 'liveness'] as const) {
      const w = c.workers[kind];
      if (w && c.state?.containerId && w.stateFor(c.state.containerId) === 'Failure') return w.spec.terminationGracePeriodSeconds ?? undefined;
    }
    return undefined;
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  private isStarted(c: ContainerEntry): boolean {
    const w = c.workers.startup;
    return !w || w.stateFor(c.state?.containerId) === 'Success';
  }

  private host(podUid: string, c: ContainerEntry, kind: ProbeKind) {
    const { runtime, recorder, log } = this.opts;
    return {
      clock: this.clock,
      state: () => c.state,
      started: () => this.isStarted(c),
      run: (probe: Probe, containerId: string, podIP: string) => runProbe(probe, { runtime, containerId, container: c.container, podIP }),
      event: (reason: string, message: string) => {
        const pod = this.pods.get(podUid)?.pod;
        if (!pod || !recorder) return;
        recorder.event(
          { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid, fieldPath: `spec.${c.field}{${c.container.name}}` },
          'Warning',
          reason,
          message,
        );
      },
      changed: () => {
        // Startup success opens the gate for readiness: probe it now rather than a period later.
        if (kind === 'startup' && c.workers.startup?.state === 'Success') c.workers.readiness?.trigger();
        if (this.pods.has(podUid)) this.opts.onUpdate(podUid);
      },
      logError: (err: unknown, msg: string) => log.error({ err, pod: podUid, container: c.container.name, probe: kind }, msg),
    };
  }
}
