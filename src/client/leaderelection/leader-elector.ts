// Leader election as client-go tools/leaderelection (leaderelection.go). Safety rests on three rules:
// - a candidate takes the lock only when the record it observed has not changed for a full lease
//   duration, measured on its OWN clock from when it observed it (never the holder's timestamps,
//   so clock skew between machines does not matter);
// - every write is an optimistic-concurrency update, so of two candidates racing for an expired
//   lease only one succeeds;
// - the leader stops leading when it cannot renew within renewDeadline, which is shorter than the
//   lease duration, so it has stepped down before anyone else may take over.
import { createLogger, type Logger } from '../../util/log.js';
import { gauge } from '../../util/metrics.js';
import { realClock, sleep, type Clock } from '../clock.js';
import { rawRecord, type ResourceLock } from './lease-lock.js';
import type { LeaderElectionRecord } from './record.js';

export interface LeaderCallbacks {
  /** Runs when this candidate becomes leader; signal aborts when it stops leading. Not awaited. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Runs when run() ends, whether or not this candidate ever led (as upstream). */
  onStoppedLeading(): void;
  /** Runs whenever the observed leader changes, including to this candidate. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: ResourceLock;
  callbacks: LeaderCallbacks;
  /** How long non-leaders wait after the last observed change before taking over. Default 15 s. */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failed renewal before it steps down. Default 10 s. */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** On cancel, clear the holder so another candidate takes over at once. Default false. */
  releaseOnCancel?: boolean;
  /** Label of leader_election_master_status. Default: the lock's description. */
  name?: string;
  clock?: Clock;
  log?: Logger;
  /** Random numbers in [0, 1) for retry jitter; tests pass () => 0. */
  random?: () => number;
}

export const defaultLeaseDurationMs = 15_000;
export const defaultRenewDeadlineMs = 10_000;
export const defaultRetryPeriodMs = 2_000;
const jitterFactor = 1.2;

const masterStatus = () =>
  gauge({
    name: 'leader_election_master_status',
    help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
    labelNames: ['name'] as const,
  });

export class LeaderElector {
  private readonly lock: ResourceLock;
  private readonly callbacks: LeaderCallbacks;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;

  /** The last record read or written, and when (on our clock) it last changed. */
  private observedRecord?: LeaderElectionRecord;
  private observedRaw?: string;
  private observedTime = 0;
  private reportedLeader = '';

  constructor(config: LeaderElectionConfig) {
    this.lock = config.lock;
    this.callbacks = config.callbacks;
    this.leaseDurationMs = config.leaseDurationMs ?? defaultLeaseDurationMs;
    this.renewDeadlineMs = config.renewDeadlineMs ?? defaultRenewDeadlineMs;
    this.retryPeriodMs = config.retryPeriodMs ?? defaultRetryPeriodMs;
    this.releaseOnCancel = config.releaseOnCancel ?? false;
    this.name = config.name ?? config.lock.describe();
    this.clock = config.clock ?? realClock;
    this.log = (config.log ?? createLogger('leaderelection')).child({ lock: config.lock.describe(), identity: config.lock.identity() });
    this.random = config.random ?? Math.random;
    validate(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs, config.lock.identity());
  }

  /** Whether the last observed record names this candidate. */
  isLeader(): boolean {
    return this.observedRecord?.holderIdentity === this.lock.identity();
  }

  /** The identity of the last observed leader ("" if none). */
  getLeader(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  /**
   * For a health check: an error when this candidate believes it leads but has not managed to renew
   * for longer than the lease duration plus maxTolerableExpiredMs (it is stuck).
   */
  check(maxTolerableExpiredMs: number): Error | undefined {
    if (!this.isLeader()) return undefined;
    if (this.clock.now() - this.observedTime > this.leaseDurationMs + maxTolerableExpiredMs) {
      return new Error(`failed election to renew leadership on lease ${this.lock.describe()}`);
    }
    return undefined;
  }

  /**
   * Campaigns until signal aborts; while leading, renews and runs onStartedLeading. Resolves after
   * leadership is lost or signal aborts (and, with releaseOnCancel, after the lease is released).
   */
  async run(signal: AbortSignal): Promise<void> {
    try {
      if (!(await this.acquire(signal))) return;
      const leading = new AbortController();
      const stop = () => leading.abort();
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      masterStatus().set({ name: this.name }, 1);
      Promise.resolve()
        .then(() => this.callbacks.onStartedLeading(leading.signal))
        .catch((err: unknown) => this.log.error({ err }, 'onStartedLeading failed'));
      try {
        await this.renew(leading.signal);
      } finally {
        signal.removeEventListener('abort', stop);
        leading.abort();
        masterStatus().set({ name: this.name }, 0);
      }
      if (this.releaseOnCancel) await this.release();
    } finally {
      this.callbacks.onStoppedLeading();
    }
  }

  /** Tries every retry period (jittered) until the lock is ours; false when signal aborted first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info('attempting to acquire leader lease');
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew();
      this.maybeReportTransition();
      if (ok) {
        this.lock.recordEvent('became leader');
        this.log.info('successfully acquired lease');
        return true;
      }
      const wait = this.retryPeriodMs * (1 + this.random() * jitterFactor);
      if (!(await sleep(this.clock, wait, signal))) break;
    }
    return false;
  }

  /** Renews every retry period until a renewal fails for renewDeadline, or signal aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      for (;;) {
        renewed = await this.tryAcquireOrRenew();
        if (renewed || signal.aborted) break;
        const wait = Math.min(this.retryPeriodMs, deadline - this.clock.now());
        if (wait <= 0 || !(await sleep(this.clock, wait, signal)) || this.clock.now() >= deadline) break;
      }
      this.maybeReportTransition();
      if (!renewed) {
        this.lock.recordEvent('stopped leading');
        this.log.info('failed to renew lease: stopped leading');
        return;
      }
      if (!(await sleep(this.clock, this.retryPeriodMs, signal))) return;
    }
  }

  /** Gives the lease up (holder "" and a 1 s duration) so a waiting candidate takes over at once. */
  private async release(): Promise<boolean> {
    if (!this.isLeader()) return true;
    const now = this.clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      renewTime: now,
      acquireTime: now,
      leaderTransitions: this.observedRecord?.leaderTransitions ?? 0,
    };
    try {
      await this.lock.update(record);
    } catch (err) {
      this.log.error({ err }, 'failed to release lock');
      return false;
    }
    this.setObservedRecord(record);
    return true;
  }

  /** One attempt; true when this candidate holds the lock afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: this.lock.identity(),
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      renewTime: now,
      acquireTime: now,
      leaderTransitions: 0,
    };

    // 1. Fast path: the leader renews over the lease it last wrote, without reading it first.
    if (this.isLeader() && this.isLeaseValid(now)) {
      record.acquireTime = this.observedRecord!.acquireTime;
      record.leaderTransitions = this.observedRecord!.leaderTransitions;
      try {
        await this.lock.update(record);
        this.setObservedRecord(record);
        return true;
      } catch (err) {
        this.log.info({ err: String(err) }, 'failed to update lock optimistically, falling back to slow path');
      }
    }

    // 2. Read the lock, creating it if there is none.
    let current: Awaited<ReturnType<ResourceLock['get']>>;
    try {
      current = await this.lock.get();
    } catch (err) {
      this.log.error({ err }, 'error retrieving resource lock');
      return false;
    }
    if (!current) {
      try {
        await this.lock.create(record);
      } catch (err) {
        this.log.error({ err: String(err) }, 'error initially creating lock');
        return false;
      }
      this.setObservedRecord(record);
      return true;
    }

    // 3. A record exists: remember when it last changed, and respect an unexpired holder.
    if (this.observedRaw !== current.raw) {
      this.setObservedRecord(current.record, current.raw);
    }
    if (current.record.holderIdentity !== '' && this.isLeaseValid(now) && !this.isLeader()) {
      this.log.debug({ holder: current.record.holderIdentity }, 'lock is held and has not yet expired');
      return false;
    }

    // 4. Take or keep it.
    if (this.isLeader()) {
      record.acquireTime = current.record.acquireTime;
      record.leaderTransitions = current.record.leaderTransitions;
    } else {
      record.leaderTransitions = current.record.leaderTransitions + 1;
    }
    try {
      await this.lock.update(record);
    } catch (err) {
      this.log.info({ err: String(err) }, 'failed to update lock');
      return false;
    }
    this.setObservedRecord(record);
    return true;
  }

  private isLeaseValid(now: number): boolean {
    return this.observedTime + (this.observedRecord?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  private setObservedRecord(record: LeaderElectionRecord, raw = rawRecord(record)): void {
    this.observedRecord = record;
    this.observedRaw = raw;
    this.observedTime = this.clock.now();
  }

  private maybeReportTransition(): void {
    const holder = this.observedRecord?.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    const onNewLeader = this.callbacks.onNewLeader;
    if (onNewLeader) {
      Promise.resolve()
        .then(() => onNewLeader(holder))
        .catch((err: unknown) => this.log.error({ err }, 'onNewLeader failed'));
    }
  }
}

function validate(leaseMs: number, renewMs: number, retryMs: number, identity: string): void {
  if (leaseMs <= renewMs) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewMs <= jitterFactor * retryMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (leaseMs < 1000) throw new Error('leaseDuration must be at least one second (the Lease stores whole seconds)');
  if (retryMs < 1) throw new Error('retryPeriod must be greater than zero');
  if (!identity) throw new Error('lock identity is empty');
}

/** Runs one election (convenience for `new LeaderElector(config).run(signal)`). */
export function runLeaderElection(config: LeaderElectionConfig, signal: AbortSignal): Promise<void> {
  return new LeaderElector(config).run(signal);
}
