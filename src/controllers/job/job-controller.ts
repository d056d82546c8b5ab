// The Job controller (upstream pkg/controller/job): runs pods to completion. Each pod carries the
// batch.kubernetes.io/job-tracking finalizer; a finished pod is first recorded in
// status.uncountedTerminatedPods, then its finalizer is removed, then it moves into the
// succeeded/failed counters — so no pod is counted twice or lost, even across restarts or pod
// deletion. Failure (backoffLimit, activeDeadlineSeconds, podFailurePolicy) first sets
// FailureTarget and deletes active pods, then Failed once none are terminating; success sets
// SuccessCriteriaMet, then Complete (the 1.31+ ordering).
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { labelSelectorAsSelector } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import {
  ControllerRefManager,
  UIDTrackingExpectations,
  controllerUIDIndex,
  controllerUIDIndexFunc,
  getControllerOf,
  isPodReady,
  newControllerRef,
  newPodControl,
  objectKey,
  orphanIndexKey,
  recheckDeletionTimestamp,
  controllerRefResolver,
  ownersSelecting,
  podEventHandlers,
  slowStartBatch,
  slowStartInitialBatchSize,
  sortPodsForDeletion,
  type PodControl,
} from '../util/index.js';
import { defaultPodFailureBackoffMs, maxPodFailureBackoffMs, remainingBackoffMs, updateBackoffRecord, type BackoffRecord } from './backoff.js';
import {
  findCondition,
  isJobFinished,
  messageBackoffLimitExceeded,
  messageCompletionsReached,
  messageDeadlineExceeded,
  reasonBackoffLimitExceeded,
  reasonCompletionsReached,
  reasonDeadlineExceeded,
  reasonPodFailurePolicy,
  setCondition,
} from './conditions.js';
import { completionIndexAnnotation, completionIndexEnv, firstPendingIndexes, formatIndexes, parseIndexes, podCompletionIndex } from './indexes.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';
export const jobKind = { apiVersion: 'batch/v1', kind: 'Job' } as const;
/** Most pods created or deleted in one sync (upstream MaxPodCreateDeletePerSync). */
export const maxPodCreateDeletePerSync = 500;
/** Most UIDs added to uncountedTerminatedPods per status write (upstream MaxUncountedPods / 2). */
const maxUncountedPerUpdate = 500;

type JobObj = Job & KubeObject;
type PodObj = Pod & KubeObject;

export interface JobControllerOptions {
  workers?: number;
  clock?: Clock;
  /** Pod-recreate backoff base and cap (default 10 s and 6 min); tests shorten them. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  podControl?: PodControl;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const hasFinalizer = (p: Pod) => p.metadata?.finalizers?.includes(jobTrackingFinalizer) ?? false;
const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** When a pod finished: the latest container finishedAt, else `fallback`. */
function finishTime(pod: Pod, fallback: number): number {
  let t: number | undefined;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const f = s.state?.terminated?.finishedAt ? Date.parse(s.state.terminated.finishedAt) : NaN;
    if (!Number.isNaN(f)) t = Math.max(t ?? 0, f);
  }
  return t ?? fallback;
}

export function newJobController(ctx: ControllerContext, opts: JobControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const backoffBase = opts.backoffBaseMs ?? defaultPodFailureBackoffMs;
  const backoffMax = opts.backoffMaxMs ?? maxPodFailureBackoffMs;
  const jobInformer = ctx.informers.for(resources.jobs);
  const podInformer = ctx.informers.for(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
  const jobIndexer = jobInformer.getIndexer();
  const podIndexer = podInformer.getIndexer();
  const queue = newRateLimitingQueue<string>({ name: 'job', clock });
  const orphanQueue = newRateLimitingQueue<string>({ name: 'job_orphan_pod', clock });
  const expectations = new UIDTrackingExpectations({ clock });
  /** Per job key: pod UIDs whose finalizer removal we sent but the informer has not shown yet. */
  const finalizerExpectations = new Map<string, Set<string>>();
  const backoffs = new Map<string, BackoffRecord>();
  const log = ctx.log.child({ controller: 'job' });
  const recorder = ctx.recorder('job-controller');
  const jobClient = ctx.client.resource(resources.jobs);
  const podClient = ctx.client.resource(resources.pods);
  const podControl = opts.podControl ?? newPodControl(ctx.client, recorder);

  const resolveControllerRef = controllerRefResolver(jobIndexer, jobKind);

  function finalizerRemovalObserved(jobKey: string, uid: string | undefined): void {
    if (uid) finalizerExpectations.get(jobKey)?.delete(uid);
  }

  jobInformer.addEventHandler({
    onAdd: (job) => queue.add(objectKey(job)),
    onUpdate: (old, cur) => {
      queue.add(objectKey(cur));
      // A new activeDeadlineSeconds or a resume restarts the deadline clock: look again then.
      const ads = cur.spec?.activeDeadlineSeconds;
      if (ads && ads !== old.spec?.activeDeadlineSeconds && cur.status?.startTime) {
        queue.addAfter(objectKey(cur), Math.max(0, Date.parse(cur.status.startTime) + ads * 1000 - clock.now()));
      }
    },
    onDelete: (obj) => {
      const job = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const key = isDeletedFinalStateUnknown(obj) ? obj.key : job && objectKey(job);
      if (!key) return;
      expectations.delete(key);
      finalizerExpectations.delete(key);
      backoffs.delete(key);
      // Pods still carrying our finalizer would never go away: release them.
      const uid = job?.metadata?.uid;
      if (uid) for (const p of podIndexer.byIndex(controllerUIDIndex, uid)) if (hasFinalizer(p)) orphanQueue.add(objectKey(p));
      queue.add(key);
    },
  });

  podInformer.addEventHandler(
    podEventHandlers<JobObj>({
      resolveControllerRef,
      ownersMatching: (pod) => ownersSelecting(jobIndexer, pod),
      expectations,
      enqueue: (key) => queue.add(key),
      onOwnedPod: (_job, key, pod) => {
        if (!hasFinalizer(pod)) finalizerRemovalObserved(key, pod.metadata?.uid);
      },
      onOwnedPodDeleted: (_job, key, pod) => finalizerRemovalObserved(key, pod.metadata?.uid),
      // Pods still carrying our finalizer without a live Job to count them: release them.
      onOrphanPod: (pod) => {
        if (hasFinalizer(pod)) orphanQueue.add(objectKey(pod));
      },
      onUnresolvedPod: (pod, ref) => {
        if (hasFinalizer(pod) && ref.kind === jobKind.kind) orphanQueue.add(objectKey(pod));
      },
    }),
  );

  async function removeFinalizer(pod: PodObj): Promise<void> {
    const finalizers = pod.metadata?.finalizers ?? [];
    if (!finalizers.includes(jobTrackingFinalizer)) return;
    // A JSON patch guarded by a test of the list, so a concurrent edit fails instead of being lost.
    const patch = [
      { op: 'test', path: '/metadata/uid', value: pod.metadata?.uid },
      { op: 'test', path: '/metadata/finalizers', value: finalizers },
      { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== jobTrackingFinalizer) },
    ];
    try {
      await podClient.patch(pod.metadata!.name!, patch, { namespace: pod.metadata?.namespace, type: 'json' });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** Releases an orphaned pod's finalizer once its Job is gone or finished (upstream syncOrphanPod). */
  async function syncOrphanPod(key: string): Promise<void> {
    const pod = podIndexer.getByKey(key);
    if (!pod || !hasFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref) {
      const job = resolveControllerRef(pod.metadata?.namespace, ref);
      if (job && !isJobFinished(job)) return; // its Job will count it
    }
    await removeFinalizer(pod);
  }

  function candidatePods(job: JobObj): PodObj[] {
    return [...podIndexer.byIndex(controllerUIDIndex, job.metadata!.uid!), ...podIndexer.byIndex(controllerUIDIndex, orphanIndexKey(job.metadata?.namespace)).filter((p) => !isTerminal(p) && !p.metadata?.deletionTimestamp)];
  }

  /**
   * Deletes pods; those deleted while carrying our finalizer are added to `uncountedFailed` (as
   * upstream, a pod the controller deletes counts as failed) and their finalizers released.
   */
  async function deletePods(job: JobObj, key: string, victims: PodObj[], uncountedFailed?: string[]): Promise<void> {
    if (!victims.length) return;
    expectations.expectDeletionsOf(key, victims.map(objectKey));
    const errors: unknown[] = [];
    await Promise.all(
      victims.map(async (pod) => {
        try {
          await podControl.deletePod(pod.metadata!.namespace!, pod.metadata!.name!, { ...job, ...jobKind });
          if (uncountedFailed && hasFinalizer(pod)) uncountedFailed.push(pod.metadata!.uid!);
        } catch (err) {
          expectations.deletionObservedOf(key, objectKey(pod));
          if (!isNotFound(err)) errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  async function createPods(job: JobObj, key: string, count: number, indexes: number[] | undefined): Promise<number> {
    const n = indexes ? indexes.length : count;
    if (n <= 0) return 0;
    expectations.expectCreations(key, n);
    const ref = newControllerRef(job, jobKind);
    const name = job.metadata!.name!;
    const template = structuredClone(job.spec!.template);
    template.metadata ??= {};
    template.metadata.finalizers = [...(template.metadata.finalizers ?? []).filter((f) => f !== jobTrackingFinalizer), jobTrackingFinalizer];
    const res = await slowStartBatch(n, slowStartInitialBatchSize, async (i) => {
      const index = indexes?.[i];
      await podControl.createPod(job.metadata!.namespace!, template, { ...job, ...jobKind }, ref, {
        generateName: index === undefined ? undefined : `${name}-${index}-`,
        mutate: index === undefined ? undefined : (pod) => addCompletionIndex(pod, name, index),
      });
    });
    for (let i = 0; i < n - res.successes; i++) expectations.creationObserved(key);
    if (res.error !== undefined) throw res.error;
    return res.successes;
  }

  async function sync(key: string): Promise<void> {
    const cached = jobIndexer.getByKey(key);
    if (!cached) {
      expectations.delete(key);
      finalizerExpectations.delete(key);
      backoffs.delete(key);
      return;
    }
    const job = structuredClone(cached);
    const now = clock.now();
    const nowStr = rfc3339(now);
    const spec = job.spec ?? ({} as NonNullable<Job['spec']>);
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const parallelism = spec.parallelism ?? 1;
    const backoffLimit = spec.backoffLimit ?? 6;
    const suspended = spec.suspend === true;

    let selector;
    try {
      selector = labelSelectorAsSelector(spec.selector);
    } catch (err) {
      log.error({ err, job: key }, 'invalid selector; not syncing');
      return;
    }
    const manager = new ControllerRefManager<PodObj>({
      controller: { ...job, ...jobKind },
      controllerKind: jobKind,
      selector,
      client: podClient,
      canAdopt: recheckDeletionTimestamp(() => jobClient.get(job.metadata!.name!, { namespace: job.metadata?.namespace }), job),
    });
    const pods = await manager.claim(candidatePods(job));

    if (isJobFinished(job)) {
      // Done: only finalizers are left to release.
      await Promise.all(pods.filter(hasFinalizer).map(removeFinalizer));
      backoffs.delete(key);
      return;
    }
    const satisfied = expectations.satisfied(key);

    const status: JobStatus = structuredClone(job.status ?? {});
    const conditions = status.conditions ?? [];
    const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
    const uncountedSet = new Set([...uncounted.succeeded, ...uncounted.failed]);
    const expectedRemoved = finalizerExpectations.get(key) ?? new Set<string>();

    // Newly finished pods: terminal (or, for failure without a podFailurePolicy, being deleted)
    // pods that still have our finalizer and are not recorded yet.
    const podsByUid = new Map(pods.map((p) => [p.metadata!.uid!, p]));
    const newSucceeded: PodObj[] = [];
    const newFailed: PodObj[] = [];
    let failJobMessage: string | undefined;
    const ignoredFailures = new Set<string>();
    for (const p of pods) {
      const uid = p.metadata!.uid!;
      if (!hasFinalizer(p) || uncountedSet.has(uid) || expectedRemoved.has(uid)) continue;
      if (p.status?.phase === 'Succeeded') newSucceeded.push(p);
      else if (p.status?.phase === 'Failed' || (p.metadata?.deletionTimestamp && !spec.podFailurePolicy)) {
        const m = p.status?.phase === 'Failed' ? matchPodFailurePolicy(spec.podFailurePolicy, p) : undefined;
        if (m?.action === 'Ignore') ignoredFailures.add(uid);
        else newFailed.push(p);
        if (m?.action === 'FailJob') failJobMessage ??= m.message;
      }
    }
    // Batch the uncounted list (upstream caps it so status stays small).
    const addSucceeded = newSucceeded.slice(0, maxUncountedPerUpdate);
    const addFailed = newFailed.slice(0, Math.max(0, maxUncountedPerUpdate - addSucceeded.length));
    if (addSucceeded.length + addFailed.length < newSucceeded.length + newFailed.length) queue.add(key);
    uncounted.succeeded.push(...addSucceeded.map((p) => p.metadata!.uid!));
    uncounted.failed.push(...addFailed.map((p) => p.metadata!.uid!));
    if (addSucceeded.length || addFailed.length) {
      backoffs.set(key, updateBackoffRecord(backoffs.get(key) ?? { failuresAfterLastSuccess: 0 }, addSucceeded.map((p) => finishTime(p, now)), addFailed.map((p) => finishTime(p, now))));
    }

    const completedIndexes = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();
    const uncountedSucceededIndexes = new Set<number>();
    if (indexed) {
      for (const uid of uncounted.succeeded) {
        const p = podsByUid.get(uid);
        const ix = p && podCompletionIndex(p);
        if (ix !== undefined && ix < (completions ?? 0)) uncountedSucceededIndexes.add(ix);
      }
    }
    const succeeded = (status.succeeded ?? 0) + uncounted.succeeded.length;
    const failed = (status.failed ?? 0) + uncounted.failed.length;

    let active = pods.filter((p) => !isTerminal(p) && !p.metadata?.deletionTimestamp);
    const terminating = () => pods.filter((p) => !isTerminal(p) && p.metadata?.deletionTimestamp).length;

    if (!status.startTime && !suspended) {
      status.startTime = nowStr;
      if (spec.activeDeadlineSeconds) queue.addAfter(key, spec.activeDeadlineSeconds * 1000);
    }

    // Failure first (FailureTarget is sticky), then success.
    const existingTarget = findCondition(job, 'FailureTarget');
    let failure: { reason: string; message: string } | undefined =
      existingTarget?.status === 'True' ? { reason: existingTarget.reason ?? '', message: existingTarget.message ?? '' } : undefined;
    if (!failure && failJobMessage) failure = { reason: reasonPodFailurePolicy, message: failJobMessage };
    if (!failure && (failed > backoffLimit || pastBackoffLimitOnFailure(job, active))) failure = { reason: reasonBackoffLimitExceeded, message: messageBackoffLimitExceeded };
    if (!failure && !suspended && spec.activeDeadlineSeconds && status.startTime) {
      const left = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now;
      if (left <= 0) failure = { reason: reasonDeadlineExceeded, message: messageDeadlineExceeded };
      else queue.addAfter(key, left); // look again when the deadline passes (upstream requeues the same way)
    }

    const allSucceededIndexes = new Set([...completedIndexes, ...uncountedSucceededIndexes]);
    let complete = false;
    if (!failure) {
      if (completions === undefined || completions === null) complete = succeeded > 0 && active.length === 0;
      else if (indexed) complete = allSucceededIndexes.size >= completions;
      else complete = succeeded >= completions;
      if (findCondition(job, 'SuccessCriteriaMet')?.status === 'True') complete = true;
    }

    let manageError: unknown;
    // Pods this sync created count as active (as upstream), before the cache shows them.
    let createdCount = 0;
    if (failure) {
      setCondition(conditions, 'FailureTarget', 'True', failure.reason, failure.message, nowStr);
      if (satisfied && active.length) {
        try {
          await deletePods(job, key, active, uncounted.failed);
        } catch (err) {
          manageError = err;
        }
      }
      active = [];
    } else if (complete) {
      setCondition(conditions, 'SuccessCriteriaMet', 'True', reasonCompletionsReached, messageCompletionsReached, nowStr);
      if (satisfied && active.length) {
        try {
          await deletePods(job, key, active, uncounted.failed);
        } catch (err) {
          manageError = err;
        }
      }
      active = [];
    } else if (suspended) {
      if (satisfied && active.length) {
        try {
          await deletePods(job, key, active, uncounted.failed);
        } catch (err) {
          manageError = err;
        }
      }
      active = [];
      if (setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowStr)) recorder.event({ ...job, ...jobKind }, 'Normal', 'Suspended', 'Job suspended');
    } else {
      if (findCondition(job, 'Suspended')?.status === 'True') {
        setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowStr);
        recorder.event({ ...job, ...jobKind }, 'Normal', 'Resumed', 'Job resumed');
        // A resumed Job's deadline starts over.
        status.startTime = nowStr;
        if (spec.activeDeadlineSeconds) queue.addAfter(key, spec.activeDeadlineSeconds * 1000);
      }
      if (satisfied) {
        try {
          ({ active, created: createdCount } = await manageJob(job, key, active, pods, succeeded, allSucceededIndexes, parallelism, completions, indexed, now));
        } catch (err) {
          manageError = err;
        }
      }
    }

    // Step 1: record the newly finished pods before touching their finalizers.
    const ready = active.filter(isPodReady).length;
    const writeStatus = async (s: JobStatus): Promise<void> => {
      if (sameStatus(s, job.status ?? {})) return;
      const updated = await jobClient.updateStatus({ ...job, status: s });
      job.metadata = updated.metadata;
      job.status = updated.status;
    };
    status.conditions = conditions.length ? conditions : undefined;
    status.active = active.length + createdCount;
    status.ready = ready;
    status.terminating = terminating();
    status.uncountedTerminatedPods = uncounted;
    try {
      await writeStatus(structuredClone(status));
    } catch (err) {
      if (isNotFound(err)) return;
      // A conflict means the cache is behind: retry with backoff (the rate limiter) once it caught up.
      throw err;
    }

    // Step 2: remove finalizers from recorded (and ignored) pods; those removed (or gone) are counted.
    const expected = finalizerExpectations.get(key) ?? new Set<string>();
    finalizerExpectations.set(key, expected);
    const toRelease = [...uncounted.succeeded, ...uncounted.failed, ...ignoredFailures];
    const released = new Set<string>();
    const errors: unknown[] = [];
    await Promise.all(
      toRelease.map(async (uid) => {
        const p = podsByUid.get(uid);
        if (!p || !hasFinalizer(p) || expected.has(uid)) {
          released.add(uid);
          return;
        }
        try {
          expected.add(uid);
          await removeFinalizer(p);
          released.add(uid);
        } catch (err) {
          expected.delete(uid);
          errors.push(err);
        }
      }),
    );

    // Step 3: move released UIDs into the counters (and completedIndexes).
    const counted = (list: string[]) => list.filter((u) => released.has(u));
    const movedSucceeded = counted(uncounted.succeeded);
    const movedFailed = counted(uncounted.failed);
    status.succeeded = (status.succeeded ?? 0) + movedSucceeded.length;
    status.failed = (status.failed ?? 0) + movedFailed.length;
    if (indexed) {
      for (const uid of movedSucceeded) {
        const p = podsByUid.get(uid);
        const ix = p && podCompletionIndex(p);
        if (ix !== undefined && ix < (completions ?? 0)) completedIndexes.add(ix);
      }
      status.completedIndexes = formatIndexes(completedIndexes);
    }
    uncounted.succeeded = uncounted.succeeded.filter((u) => !released.has(u));
    uncounted.failed = uncounted.failed.filter((u) => !released.has(u));
    status.uncountedTerminatedPods = uncounted;

    // Step 4: the terminal condition, once every pod is counted and none is terminating.
    let finishedEvent: [string, string, string] | undefined;
    if ((failure || complete) && uncounted.succeeded.length === 0 && uncounted.failed.length === 0 && status.terminating === 0 && active.length === 0 && !manageError) {
      if (failure) {
        setCondition(conditions, 'Failed', 'True', failure.reason, failure.message, nowStr);
        finishedEvent = ['Warning', failure.reason, failure.message];
      } else {
        setCondition(conditions, 'Complete', 'True', reasonCompletionsReached, messageCompletionsReached, nowStr);
        status.completionTime = nowStr;
        finishedEvent = ['Normal', 'Completed', 'Job completed'];
      }
      status.conditions = conditions;
    }
    try {
      await writeStatus(status);
    } catch (err) {
      if (isNotFound(err)) return;
      // A conflict means the cache is behind: retry with backoff (the rate limiter) once it caught up.
      throw err;
    }
    if (finishedEvent) recorder.event({ ...job, ...jobKind }, finishedEvent[0] as 'Normal' | 'Warning', finishedEvent[1], finishedEvent[2]);
    if (errors.length) throw errors[0];
    if (manageError) throw manageError;
  }

  /** Creates or deletes pods toward the wanted active count; returns the resulting active pods. */
  async function manageJob(
    job: JobObj,
    key: string,
    active: PodObj[],
    pods: PodObj[],
    succeeded: number,
    succeededIndexes: Set<number>,
    parallelism: number,
    completions: number | undefined,
    indexed: boolean,
    now: number,
  ): Promise<{ active: PodObj[]; created: number }> {
    let want: number;
    if (completions === undefined || completions === null) want = succeeded > 0 ? 0 : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - (indexed ? succeededIndexes.size : succeeded)));

    // Indexed: pods for an index already done, out of range, or a duplicate of another go first.
    let extra: PodObj[] = [];
    if (indexed) {
      const seen = new Set<number>();
      const keep: PodObj[] = [];
      for (const p of sortPodsForDeletion(active, active.map(() => 0), now).reverse()) {
        const ix = podCompletionIndex(p);
        if (ix === undefined || ix >= (completions ?? 0) || succeededIndexes.has(ix) || seen.has(ix)) extra.push(p);
        else {
          seen.add(ix);
          keep.push(p);
        }
      }
      active = keep;
    }
    if (active.length > want) {
      const ranked = sortPodsForDeletion(active, active.map(() => 0), now);
      extra = [...extra, ...ranked.slice(0, active.length - want)];
    }
    if (extra.length) {
      const victims = extra.slice(0, maxPodCreateDeletePerSync);
      await deletePods(job, key, victims);
      const gone = new Set(victims);
      return { active: active.filter((p) => !gone.has(p)), created: 0 };
    }
    const diff = Math.min(want - active.length, maxPodCreateDeletePerSync);
    if (diff <= 0) return { active, created: 0 };
    const wait = remainingBackoffMs(backoffs.get(key) ?? { failuresAfterLastSuccess: 0 }, now, backoffBase, backoffMax);
    if (wait > 0) {
      queue.addAfter(key, wait);
      return { active, created: 0 };
    }
    let indexes: number[] | undefined;
    if (indexed) {
      const held = new Set(active.map(podCompletionIndex).filter((i): i is number => i !== undefined));
      // An index whose pod is still terminating waits for it (no two pods per index at once).
      for (const p of pods) if (p.metadata?.deletionTimestamp && !isTerminal(p)) held.add(podCompletionIndex(p) ?? -1);
      indexes = firstPendingIndexes(completions ?? 0, succeededIndexes, held, diff);
    }
    const created = await createPods(job, key, diff, indexes);
    return { active, created };
  }

  return {
    name: 'job',
    run: (signal) =>
      Promise.all([
        runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log }),
        runWorkers(orphanQueue, 1, (key) => syncOrphanPod(key), signal, { log }),
      ]).then(() => undefined),
  };
}

/** Sets the completion index on a pod as upstream does: annotation, label, hostname, env. */
function addCompletionIndex(pod: Pod, jobName: string, index: number): void {
  pod.metadata ??= {};
  pod.metadata.annotations = { ...pod.metadata.annotations, [completionIndexAnnotation]: String(index) };
  pod.metadata.labels = { ...pod.metadata.labels, [completionIndexAnnotation]: String(index) };
  if (pod.spec) {
    if (!pod.spec.hostname) pod.spec.hostname = `${jobName}-${index}`;
    const env = { name: completionIndexEnv, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${completionIndexAnnotation}']` } } };
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      if (!c.env?.some((e) => e.name === completionIndexEnv)) c.env = [...(c.env ?? []), env];
    }
  }
}

/** Status equality ignoring how the server spells "nothing" (0, [], {}, absent) and key order. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === 0 || v === '' || v === null ? undefined : v;
}

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, active: Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of active) for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
