// One prober worker: one probe kind of one container (upstream pkg/kubelet/prober/worker.go).
// It runs the probe every periodSeconds while the container runs, turns results into a state
// only after successThreshold/failureThreshold consecutive equal results, and holds off after a
// liveness or startup failure until the runtime reports a new container (the restart).
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock, TimerHandle } from '../../client/clock.js';
import type { ProbeOutcome } from './probes/result.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeState = 'Success' | 'Failure' | 'Unknown';

/** What the kind's state is before the first result (upstream initialValue). */
const initialState: Record<ProbeKind, ProbeState> = { liveness: 'Success', readiness: 'Failure', startup: 'Unknown' };

const kindName: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** Upstream retries a probe that errored (not one that failed) this many times in one run. */
const maxProbeRetries = 3;

export interface ContainerRunState {
  containerId?: string;
  running: boolean;
  /** ms since epoch the current container started. */
  startedAt?: number;
  podIP: string;
}

export interface WorkerHost {
  clock: Clock;
  /** The container's current state as the kubelet last reported it. */
  state(): ContainerRunState | undefined;
  /** Whether the container passed its startup probe (or has none). */
  started(): boolean;
  run(probe: Probe, containerId: string, podIP: string): Promise<ProbeOutcome>;
  /** Events: Unhealthy / ProbeWarning about the container. */
  event(reason: string, message: string): void;
  /** The state changed (the kubelet should resync the pod). */
  changed(): void;
  logError(err: unknown, msg: string): void;
}

export class ProbeWorker {
  state: ProbeState;
  /** The last failing output (for livenessFailed). */
  failureMessage: string | undefined;
  private containerId: string | undefined;
  private lastResult: ProbeState = 'Unknown';
  private resultRun = 0;
  private onHold = false;
  /** The one pending tick; `generation` tells a tick whether it is still the current one. */
  private timer: TimerHandle | undefined;
  private generation = 0;
  private busy = false;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    public pod: Pod,
    readonly container: Container,
    readonly spec: Probe,
    private readonly host: WorkerHost,
  ) {
    this.state = initialState[kind];
  }

  get periodMs(): number {
    return Math.max(1, this.spec.periodSeconds ?? 10) * 1000;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** The state for this container id (a new id resets it to the initial state). */
  stateFor(containerId: string | undefined): ProbeState {
    return containerId && containerId === this.containerId ? this.state : initialState[this.kind];
  }

  /**
   * Probes now (or when initialDelaySeconds has passed) instead of at the next period; the
   * period then counts from that probe.
   */
  trigger(): void {
    const s = this.host.state();
    const delayMs = (this.spec.initialDelaySeconds ?? 0) * 1000;
    this.schedule(s?.startedAt !== undefined ? Math.max(0, s.startedAt + delayMs - this.host.clock.now()) : 0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    const generation = ++this.generation;
    this.timer = this.host.clock.setTimeout(async () => {
      await this.doProbe();
      if (generation === this.generation) this.schedule(this.periodMs);
    }, ms);
  }

  private set(state: ProbeState): void {
    if (this.state === state) return;
    this.state = state;
    this.host.changed();
  }

  /** One tick (upstream worker.doProbe). */
  async doProbe(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      await this.probeOnce();
    } catch (err) {
      this.host.logError(err, 'probe worker failed');
    } finally {
      this.busy = false;
    }
  }

  private async probeOnce(): Promise<void> {
    const s = this.host.state();
    if (!s?.containerId) return; // not created yet
    if (s.containerId !== this.containerId) {
      this.containerId = s.containerId;
      this.lastResult = 'Unknown';
      this.resultRun = 0;
      this.onHold = false;
      this.failureMessage = undefined;
      this.set(initialState[this.kind]);
    }
    if (this.onHold || !s.running) return;
    // A terminating pod is not restarted for failing liveness or startup probes.
    if (this.pod.metadata?.deletionTimestamp && this.kind !== 'readiness') {
      this.set('Success');
      return;
    }
    const delayMs = (this.spec.initialDelaySeconds ?? 0) * 1000;
    if (s.startedAt !== undefined && Math.trunc((this.host.clock.now() - s.startedAt) / 1000) * 1000 < delayMs) return;
    // Startup gates the other kinds; once started, the startup worker idles.
    if (this.host.started() ? this.kind === 'startup' : this.kind !== 'startup') return;

    const containerId = s.containerId;
    let outcome: ProbeOutcome | undefined;
    let lastErr: unknown;
    for (let i = 0; i < maxProbeRetries && !outcome; i++) {
      try {
        outcome = await this.host.run(this.spec, containerId, s.podIP);
      } catch (err) {
        lastErr = err;
      }
    }
    if (this.stopped || this.containerId !== containerId) return;
    if (!outcome) {
      // Could not probe at all: reported, but not counted.
      this.host.event('Unhealthy', `${kindName[this.kind]} probe errored and resulted in unknown state: ${(lastErr as Error)?.message ?? String(lastErr)}`);
      return;
    }
    let result: ProbeState;
    if (outcome.result === 'Failure') {
      this.host.event('Unhealthy', `${kindName[this.kind]} probe failed: ${outcome.output}`);
      result = 'Failure';
    } else {
      if (outcome.result === 'Warning') this.host.event('ProbeWarning', `${kindName[this.kind]} probe warning: ${outcome.output}`);
      result = 'Success';
    }

    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    const threshold = result === 'Failure' ? (this.spec.failureThreshold ?? 3) : (this.spec.successThreshold ?? 1);
    if (this.resultRun < threshold) return;
    if (result === 'Failure' && this.kind !== 'readiness') {
      // The container will be restarted: stop probing until a new container id appears.
      this.failureMessage = `${kindName[this.kind]} probe failed: ${outcome.output}`;
      this.onHold = true;
      this.resultRun = 0;
    }
    this.set(result);
  }
}
