// The scheduling queue (upstream internal/queue/scheduling_queue.go, with queueing hints):
// - activeQ: pods ready to be tried, ordered by the profiles' QueueSort (priority, then arrival);
// - backoffQ: pods that failed and wait out their backoff (1 s doubling per attempt, 10 s max);
//   with upstream's SchedulerPopFromBackoffQ (KEP-5142, on by default since 1.33) backoff ends on
//   whole seconds, and when activeQ is empty the scheduler takes the pod whose backoff ends first
//   rather than sit idle. Pods failed by an error wait in a second heap that is never popped
//   early;
// - unschedulable pool: pods rejected by plugins, moved back only by cluster events those
//   plugins registered for (and whose hint says Queue), or after 5 minutes regardless;
// - gated pods (PreEnqueue said no) wait in the pool until an update lets them in.
// A popped pod is "in flight" until done(): events arriving meanwhile are recorded and replayed
// for it if it comes back unschedulable, so an event racing the scheduling cycle is not lost.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { newPodInfo, type PodInfo } from '../framework/pod-info.js';
import { QueueingHint, type ClusterEvent, type QueuedPodInfo, type QueueingHintFn } from '../framework/types.js';
import type { Status } from '../framework/status.js';
import { Events, isWildCard, matches, podSchedulingPropertiesChange, type LabeledEvent } from './events.js';
import { KeyedHeap } from './keyed-heap.js';
import { RingQueue } from '../../util/ring-queue.js';
import { Nominator } from './nominator.js';
import { queueIncomingPods } from '../metrics.js';
import { keyedCounter } from '../../util/metrics.js';

export const DEFAULT_POD_INITIAL_BACKOFF_MS = 1000;
export const DEFAULT_POD_MAX_BACKOFF_MS = 10_000;
/** Upstream podMaxInUnschedulablePodsDuration. */
export const DEFAULT_POD_MAX_IN_UNSCHEDULABLE_MS = 5 * 60 * 1000;
/**
 * Upstream backoffQOrderingWindowDuration: with pop-from-backoffQ, backoff expiries are cut to
 * whole seconds, pods ending in the same second are ordered as activeQ orders them, and the flush
 * runs at each whole second so that a window leaves the queue in one go.
 */
export const BACKOFF_ORDERING_WINDOW_MS = 1000;

/** A registered event of one plugin, with its hint. */
export interface RegisteredHint {
  event: ClusterEvent;
  plugin: string;
  hint?: QueueingHintFn;
}

export type QueueName = 'activeQ' | 'backoffQ' | 'unschedulablePods';

type Strategy = 'skip' | 'afterBackoff' | 'immediately';

interface InFlightEvent {
  seq: number;
  event: LabeledEvent;
  oldObj: unknown;
  newObj: unknown;
  /** Only for this pod (ForceActivate of an in-flight pod). */
  podUid?: string;
}

export interface SchedulingQueueOptions {
  /** The QueueSort less (all profiles share one). */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** PreEnqueue of the pod's profile: null lets it in. */
  preEnqueue: (pod: Pod) => Status | null;
  /** Registered events with hints, per scheduler name. */
  hints: Map<string, RegisteredHint[]>;
  log: Logger;
  now?: () => number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulableMs?: number;
  /** Called when PreEnqueue gates a pod (the scheduler writes the SchedulingGated condition). */
  onGated?: (pod: Pod, status: Status) => void;
  /** Whether a pod is assumed or bound (the nominator ignores those). */
  isScheduled?: (pod: Pod) => boolean;
  /** Upstream's SchedulerPopFromBackoffQ feature (default true, as upstream since 1.33). */
  popFromBackoffQ?: boolean;
}

const uidOf = (p: Pod) => p.metadata?.uid ?? '';
const alignToWindow = (t: number) => t - (t % BACKOFF_ORDERING_WINDOW_MS);

/** What moved a pod into a queue, besides cluster events (upstream's queue event labels). */
const ScheduleAttemptFailure = 'ScheduleAttemptFailure';
const BackoffComplete = 'BackoffComplete';
const PopFromBackoffQ = 'PopFromBackoffQ';

const incomingPods = keyedCounter(queueIncomingPods);
/** scheduler_queue_incoming_pods_total{queue, event} += 1 (a series per pair, found by a string key). */
function countIncoming(queue: 'active' | 'backoff' | 'unschedulable', event: string): void {
  incomingPods.get(`${queue} ${event}`, () => ({ queue, event })).inc();
}
const qUid = (q: QueuedPodInfo) => uidOf(q.podInfo.pod);

/** A pod being scheduled: `seq` is the first in-flight event it must see. */
interface InFlightPod {
  uid: string;
  seq: number;
  qpi: QueuedPodInfo;
}

export class SchedulingQueue {
  readonly nominator: Nominator;
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  /** Pods rejected by plugins, waiting out their backoff (popped early when activeQ is empty). */
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  /** Pods failed by an error (no plugin rejected them): they always wait their backoff out. */
  private readonly errorBackoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly popFromBackoffQ: boolean;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, InFlightPod>();
  /**
   * The in-flight entries in pop order, from the oldest still in flight on (entries done since
   * wait here until they reach the front). Finding the oldest through the Map's first key would
   * walk over the slots of every deleted entry before it: a pod in flight per binding.
   */
  private readonly inFlightOrder = new RingQueue<InFlightPod>();
  private inFlightEvents: InFlightEvent[] = [];
  /** Index of the first live entry of inFlightEvents. */
  private eventsHead = 0;
  private seq = 0;
  private readonly now: () => number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private waiters: (() => void)[] = [];
  private closed = false;
  /** Every event any plugin registered (events nobody registered for are dropped early). */
  private readonly interesting: ClusterEvent[];

  constructor(private readonly opts: SchedulingQueueOptions) {
    this.now = opts.now ?? Date.now;
    this.initialBackoff = opts.podInitialBackoffMs ?? DEFAULT_POD_INITIAL_BACKOFF_MS;
    this.maxBackoff = opts.podMaxBackoffMs ?? DEFAULT_POD_MAX_BACKOFF_MS;
    this.maxInUnschedulable = opts.podMaxInUnschedulableMs ?? DEFAULT_POD_MAX_IN_UNSCHEDULABLE_MS;
    this.popFromBackoffQ = opts.popFromBackoffQ ?? true;
    this.activeQ = new KeyedHeap(qUid, opts.less);
    const byExpiry = (a: QueuedPodInfo, b: QueuedPodInfo) => this.backoffExpiry(a) < this.backoffExpiry(b);
    // Popped early in place of activeQ's head, the backoffQ's head should be the pod activeQ would pick among those of its window.
    const byExpiryThenLess = (a: QueuedPodInfo, b: QueuedPodInfo) => {
      const ea = this.backoffExpiry(a);
      const eb = this.backoffExpiry(b);
      return ea !== eb ? ea < eb : opts.less(a, b);
    };
    this.backoffQ = new KeyedHeap(qUid, this.popFromBackoffQ ? byExpiryThenLess : byExpiry);
    this.errorBackoffQ = new KeyedHeap(qUid, byExpiry);
    this.nominator = new Nominator(opts.isScheduled);
    this.interesting = [...opts.hints.values()].flatMap((hs) => hs.map((h) => h.event));
  }

  // ---- sizes (metrics, tests) ----------------------------------------------------------------

  counts(): Record<QueueName | 'gated', number> {
    let gated = 0;
    for (const q of this.unschedulable.values()) if (q.gated) gated++;
    return { activeQ: this.activeQ.size, backoffQ: this.backoffQ.size + this.errorBackoffQ.size, unschedulablePods: this.unschedulable.size - gated, gated };
  }

  /** Where the pod is waiting, if anywhere ('inFlight' while being scheduled). */
  whereIs(pod: Pod): QueueName | 'inFlight' | undefined {
    const uid = uidOf(pod);
    if (this.activeQ.has(uid)) return 'activeQ';
    if (this.backoffQ.has(uid) || this.errorBackoffQ.has(uid)) return 'backoffQ';
    if (this.unschedulable.has(uid)) return 'unschedulablePods';
    if (this.inFlight.has(uid)) return 'inFlight';
    return undefined;
  }

  queuedPodInfo(pod: Pod): QueuedPodInfo | undefined {
    const uid = uidOf(pod);
    return this.activeQ.get(uid) ?? this.backoffQ.get(uid) ?? this.errorBackoffQ.get(uid) ?? this.unschedulable.get(uid) ?? this.inFlight.get(uid)?.qpi;
  }

  // ---- informer events for unscheduled pods ------------------------------------------------

  /** A new pending pod: PreEnqueue decides between activeQ and the gated pool. */
  add(pod: Pod): void {
    if (this.whereIs(pod)) return this.update(this.queuedPodInfo(pod)!.podInfo.pod, pod);
    const now = this.now();
    const qpi: QueuedPodInfo = {
      podInfo: newPodInfo(pod),
      timestamp: now,
      attempts: 0,
      initialAttemptTimestamp: now,
      unschedulablePlugins: new Set(),
      pendingPlugins: new Set(),
      gated: false,
    };
    this.moveToActiveQ(qpi, Events.UnscheduledPodAdd.label);
    this.nominator.addFromStatus(qpi.podInfo);
  }

  update(oldPod: Pod, newPod: Pod): void {
    const uid = uidOf(newPod);
    const inFlight = this.inFlight.get(uid);
    if (inFlight) {
      // Replayed for it if this attempt fails; the failure handler re-reads the pod anyway.
      this.recordEvent(Events.UnscheduledPodUpdate, oldPod, newPod, uid);
      this.nominator.updateNominatedPod(oldPod, newPodInfo(newPod));
      return;
    }
    for (const heap of [this.activeQ, this.backoffQ, this.errorBackoffQ]) {
      const q = heap.get(uid);
      if (q) {
        q.podInfo = newPodInfo(newPod);
        heap.addOrUpdate(q);
        this.nominator.updateNominatedPod(oldPod, q.podInfo);
        return;
      }
    }
    const q = this.unschedulable.get(uid);
    if (!q) return this.add(newPod);
    q.podInfo = newPodInfo(newPod);
    this.nominator.updateNominatedPod(oldPod, q.podInfo);
    if (q.gated) {
      // A gated pod gets in as soon as PreEnqueue lets it (its gates were removed).
      this.unschedulable.delete(uid);
      this.moveToActiveQ(q, Events.UnscheduledPodUpdate.label);
      return;
    }
    for (const e of podSchedulingPropertiesChange('UnscheduledPod', newPod, oldPod)) {
      const strategy = this.isPodWorthRequeuing(q, e, oldPod, newPod);
      if (strategy === 'skip') continue;
      this.unschedulable.delete(uid);
      this.requeue(q, strategy, e.label);
      break;
    }
  }

  delete(pod: Pod): void {
    const uid = uidOf(pod);
    this.nominator.deleteNominatedPodIfExists(pod);
    this.activeQ.delete(uid);
    this.backoffQ.delete(uid);
    this.errorBackoffQ.delete(uid);
    this.unschedulable.delete(uid);
  }

  // ---- the scheduling loop -----------------------------------------------------------------

  /**
   * The next pod to schedule (now in flight): activeQ's head, else (pop-from-backoffQ) the
   * backoffQ's, whose backoff would end first; undefined if there is none.
   */
  pop(): QueuedPodInfo | undefined {
    let q = this.activeQ.pop();
    if (!q && this.popFromBackoffQ) {
      q = this.backoffQ.pop();
      if (q) countIncoming('active', PopFromBackoffQ);
    }
    if (!q) return undefined;
    q.attempts++;
    q.unschedulablePlugins.clear();
    q.pendingPlugins.clear();
    const entry: InFlightPod = { seq: this.seq, qpi: q, uid: qUid(q) };
    this.inFlight.set(entry.uid, entry);
    this.inFlightOrder.push(entry);
    return q;
  }

  /** Resolves when pop() has a pod to give (or the queue closes / the signal aborts). */
  waitForPod(signal?: AbortSignal): Promise<void> {
    if (this.hasPoppable() || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private hasPoppable(): boolean {
    return this.activeQ.size > 0 || (this.popFromBackoffQ && this.backoffQ.size > 0);
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    if (!this.waiters.length) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** The pod's scheduling (and binding) finished: it is no longer in flight. */
  done(uid: string): void {
    const entry = this.inFlight.get(uid);
    if (!entry) return;
    const wasOldest = this.inFlightOrder.peek() === entry;
    this.inFlight.delete(uid);
    if (this.inFlight.size === 0) {
      this.inFlightEvents = [];
      this.eventsHead = 0;
      this.inFlightOrder.clear();
    } else if (wasOldest) {
      // The front is the oldest entry still in flight once the ones done are off it.
      let front = this.inFlightOrder.peek();
      while (front !== undefined && this.inFlight.get(front.uid) !== front) {
        this.inFlightOrder.shift();
        front = this.inFlightOrder.peek();
      }
      // Events older than the oldest pod still in flight can no longer matter: drop them
      // (compacting only when the dead prefix is large, so this stays O(1) amortized).
      const oldest = front!.seq;
      let i = this.eventsHead;
      while (i < this.inFlightEvents.length && this.inFlightEvents[i].seq < oldest) i++;
      this.eventsHead = i;
      if (i > 1024 && i * 2 > this.inFlightEvents.length) {
        this.inFlightEvents = this.inFlightEvents.slice(i);
        this.eventsHead = 0;
      }
    }
  }

  /**
   * A failed attempt (upstream AddUnschedulableIfNotPresent): replays the events that arrived
   * while it was in flight through its rejecting plugins' hints; otherwise it parks in the
   * unschedulable pool. A pod failed by an error (no rejecting plugin) goes to backoffQ.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo): QueueName {
    const uid = qUid(q);
    const where = this.whereIs(q.podInfo.pod);
    if (where && where !== 'inFlight') {
      this.done(uid);
      return where;
    }
    q.timestamp = this.now();
    const strategy = this.strategyForInFlightPod(q);
    this.done(uid);
    const queue = this.requeue(q, strategy, ScheduleAttemptFailure);
    this.nominator.addFromStatus(q.podInfo);
    return queue;
  }

  private strategyForInFlightPod(q: QueuedPodInfo): Strategy {
    if (q.unschedulablePlugins.size === 0 && q.pendingPlugins.size === 0) return 'afterBackoff';
    const entry = this.inFlight.get(qUid(q));
    if (!entry) return 'skip';
    let strategy: Strategy = 'skip';
    for (let i = this.eventsHead; i < this.inFlightEvents.length; i++) {
      const e = this.inFlightEvents[i];
      if (e.seq < entry.seq || (e.podUid !== undefined && e.podUid !== qUid(q))) continue;
      const s = this.isPodWorthRequeuing(q, e.event, e.oldObj, e.newObj);
      if (s === 'immediately') return s;
      if (s === 'afterBackoff') {
        strategy = s;
        if (q.pendingPlugins.size === 0) return s;
      }
    }
    return strategy;
  }

  // ---- cluster events ------------------------------------------------------------------------

  /**
   * A cluster event (upstream MoveAllToActiveOrBackoffQueue): every parked pod whose rejecting
   * plugins registered for it, and whose hints say Queue, moves to backoffQ or activeQ.
   */
  moveAllToActiveOrBackoffQueue(event: LabeledEvent, oldObj: unknown, newObj: unknown, preCheck?: (pod: Pod) => boolean): void {
    if (!isWildCard(event) && !this.interesting.some((r) => matches(r, event))) return;
    const moved: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) {
      if (preCheck && !preCheck(q.podInfo.pod)) continue;
      moved.push(q);
    }
    this.movePods(moved, event, oldObj, newObj);
    this.recordEvent(event, oldObj, newObj);
  }

  private movePods(pods: QueuedPodInfo[], event: LabeledEvent, oldObj: unknown, newObj: unknown): void {
    for (const q of pods) {
      // Gated pods only get in when they themselves are updated (upstream #124384).
      if (q.gated && q.unschedulablePlugins.has('SchedulingGates')) continue;
      const strategy = this.isPodWorthRequeuing(q, event, oldObj, newObj);
      if (strategy === 'skip') continue;
      this.unschedulable.delete(qUid(q));
      this.requeue(q, strategy, event.label);
    }
  }

  private recordEvent(event: LabeledEvent, oldObj: unknown, newObj: unknown, podUid?: string): void {
    if (this.inFlight.size === 0) return;
    this.inFlightEvents.push({ seq: this.seq++, event, oldObj, newObj, podUid });
  }

  /** Moves pods to activeQ now (upstream Activate: preemption victims gone, a plugin asks). */
  activate(pods: Pod[]): void {
    for (const pod of pods) {
      const uid = uidOf(pod);
      if (this.inFlight.has(uid)) {
        this.recordEvent(Events.ForceActivate, undefined, pod, uid);
        continue;
      }
      const q = this.unschedulable.get(uid) ?? this.backoffQ.get(uid) ?? this.errorBackoffQ.get(uid);
      if (!q) continue;
      this.unschedulable.delete(uid);
      this.backoffQ.delete(uid);
      this.errorBackoffQ.delete(uid);
      this.moveToActiveQ(q, Events.ForceActivate.label);
    }
  }

  /** Whether an event may make the pod schedulable, by its rejecting plugins' hints. */
  private isPodWorthRequeuing(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): Strategy {
    if (q.unschedulablePlugins.size === 0 && q.pendingPlugins.size === 0) return 'afterBackoff';
    if (isWildCard(event)) return 'afterBackoff';
    const hints = this.opts.hints.get(q.podInfo.pod.spec?.schedulerName ?? 'default-scheduler');
    if (!hints) return 'afterBackoff';
    let strategy: Strategy = 'skip';
    for (const h of hints) {
      if (!matches(h.event, event)) continue;
      if (!q.unschedulablePlugins.has(h.plugin) && !q.pendingPlugins.has(h.plugin)) continue;
      let hint = QueueingHint.Queue;
      if (h.hint) {
        try {
          hint = h.hint(this.opts.log, q.podInfo.pod, oldObj, newObj);
        } catch (err) {
          this.opts.log.debug({ err, plugin: h.plugin }, 'queueing hint failed; queueing the pod');
          hint = QueueingHint.Queue;
        }
      }
      if (hint === QueueingHint.Skip) continue;
      if (q.pendingPlugins.has(h.plugin)) return 'immediately';
      if (q.pendingPlugins.size === 0) return 'afterBackoff';
      strategy = 'afterBackoff';
    }
    return strategy;
  }

  /** Puts the pod where the strategy says; `event` is what moved it (for the incoming-pods metric). */
  private requeue(q: QueuedPodInfo, strategy: Strategy, event: string): QueueName {
    if (strategy === 'skip') {
      this.unschedulable.set(qUid(q), q);
      countIncoming('unschedulable', event);
      return 'unschedulablePods';
    }
    if (strategy === 'afterBackoff' && this.isBackingOff(q)) return this.moveToBackoffQ(q, event) ? 'backoffQ' : 'unschedulablePods';
    return this.moveToActiveQ(q, event) ? 'activeQ' : 'unschedulablePods';
  }

  /**
   * Into the backoff heap for its kind of failure. With pop-from-backoffQ, PreEnqueue runs here
   * rather than when the pod leaves (it may leave early, straight into a scheduling cycle): gated
   * → the unschedulable pool.
   */
  private moveToBackoffQ(q: QueuedPodInfo, event: string): boolean {
    if (this.popFromBackoffQ && this.gate(q, event)) return false;
    countIncoming('backoff', event);
    if (q.unschedulablePlugins.size === 0 && q.pendingPlugins.size === 0) {
      this.errorBackoffQ.addOrUpdate(q);
      return true;
    }
    this.backoffQ.addOrUpdate(q);
    if (this.popFromBackoffQ) this.wake();
    return true;
  }

  /** Runs PreEnqueue (unless the pod passed it on entering backoffQ): in → activeQ; gated → the unschedulable pool. */
  private moveToActiveQ(q: QueuedPodInfo, event: string, passedPreEnqueue = false): boolean {
    if (!passedPreEnqueue && this.gate(q, event)) return false;
    countIncoming('active', event);
    this.activeQ.addOrUpdate(q);
    this.wake();
    return true;
  }

  /** PreEnqueue: a gated pod goes to the unschedulable pool (true); else it is marked not gated. */
  private gate(q: QueuedPodInfo, event: string): boolean {
    const s = this.opts.preEnqueue(q.podInfo.pod);
    if (!s) {
      q.gated = false;
      return false;
    }
    const wasGated = q.gated;
    q.gated = true;
    if (s.plugin) q.unschedulablePlugins.add(s.plugin);
    this.unschedulable.set(qUid(q), q);
    countIncoming('unschedulable', event);
    if (!wasGated) this.opts.onGated?.(q.podInfo.pod, s);
    return true;
  }

  // ---- backoff and flushing ----------------------------------------------------------------

  backoffDuration(q: QueuedPodInfo): number {
    if (q.attempts === 0) return 0;
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.maxBackoff - d) return this.maxBackoff;
      d += d;
    }
    return Math.min(d, this.maxBackoff);
  }

  /** When the pod's backoff ends; with pop-from-backoffQ, the start of that second's window. A pod never tried has none (0). */
  private backoffExpiry(q: QueuedPodInfo): number {
    if (q.attempts === 0) return 0;
    const t = q.timestamp + this.backoffDuration(q);
    return this.popFromBackoffQ ? alignToWindow(t) : t;
  }

  /** With windows, a pod whose backoff ends within the current second is still backing off: its window is flushed whole at the next second. */
  private isBackingOff(q: QueuedPodInfo): boolean {
    const now = this.now();
    return this.popFromBackoffQ ? this.backoffExpiry(q) >= alignToWindow(now) : this.backoffExpiry(q) > now;
  }

  /** Moves pods whose backoff ended to activeQ (upstream runs this every second; on whole seconds with pop-from-backoffQ). */
  flushBackoffQCompleted(): void {
    for (const heap of [this.backoffQ, this.errorBackoffQ]) {
      for (;;) {
        const q = heap.peek();
        if (!q || this.isBackingOff(q)) break;
        heap.pop();
        this.moveToActiveQ(q, BackoffComplete, this.popFromBackoffQ);
      }
    }
  }

  /** Pods parked longer than 5 minutes are retried (upstream runs this every 30 seconds). */
  flushUnschedulablePodsLeftover(): void {
    const now = this.now();
    const old: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) if (now - q.timestamp > this.maxInUnschedulable) old.push(q);
    if (old.length) this.movePods(old, Events.UnschedulableTimeout, undefined, undefined);
  }

  /** Starts the flush timers until the signal aborts. */
  run(signal: AbortSignal): void {
    let backoff: NodeJS.Timeout;
    // With windows, each flush lands just after a whole second, when a window has ended.
    const nextFlushIn = () => (this.popFromBackoffQ ? BACKOFF_ORDERING_WINDOW_MS - (this.now() % BACKOFF_ORDERING_WINDOW_MS) : 1000);
    const scheduleFlush = () => {
      backoff = setTimeout(() => {
        this.flushBackoffQCompleted();
        scheduleFlush();
      }, nextFlushIn());
      backoff.unref?.();
    };
    scheduleFlush();
    const leftover = setInterval(() => this.flushUnschedulablePodsLeftover(), 30_000);
    leftover.unref?.();
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(backoff);
        clearInterval(leftover);
        this.close();
      },
      { once: true },
    );
  }

  /** For the nominator's sake: a PodInfo for a pod (reused if queued). */
  podInfoFor(pod: Pod): PodInfo {
    return this.queuedPodInfo(pod)?.podInfo ?? newPodInfo(pod);
  }
}
