// The pod status the node agent reports (upstream kubelet_pods.go generateAPIPodStatus, getPhase,
// convertToAPIContainerStatuses and status/generate.go for conditions). Pure: everything it needs
// comes in the input, so tests drive it with a FakeRuntime's view.
import type { ContainerState, ContainerStatus as ApiContainerStatus, Container as SpecContainer, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../runtime/types.js';
import { isRestartableInit, podQosClass, restartPolicy } from '../pod-util.js';
import { latestContainer, previousContainer, readySandbox, type RuntimePodStatus } from '../runtime-pod.js';
import { metaTime } from './time.js';
import type { ContainerKind } from '../container-labels.js';

/** Why a container is not running, remembered by the sync (upstream ReasonCache). */
export interface WaitingReason {
  reason: string;
  message: string;
}

export interface PodStatusInput {
  pod: Pod;
  runtime: RuntimePodStatus;
  /** "process", "fake": container ids are reported as NAME://ID. */
  runtimeName: string;
  hostIP: string;
  now: number;
  waitingReason(containerName: string): WaitingReason | undefined;
  readiness(containerName: string): boolean;
  started(containerName: string): boolean;
  /** The termination message of an exited container (file or log tail), if any. */
  terminationMessage?(c: ContainerStatus, spec: SpecContainer): string | undefined;
  /** A terminal phase decided by the sync (activeDeadlineSeconds, failed init). */
  terminal?: { phase: 'Failed' | 'Succeeded'; reason?: string; message?: string };
}

/** Condition types the kubelet owns; others (DisruptionTarget, readiness gates) are kept as found. */
export const kubeletConditionTypes = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']);

export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const sandbox = readySandbox(input.runtime);
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const defaultReason = hasInit ? 'PodInitializing' : 'ContainerCreating';

  const initStatuses = (pod.spec?.initContainers ?? []).map((c) => containerStatus(input, c, defaultReason, 'init'));
  const statuses = (pod.spec?.containers ?? []).map((c) => containerStatus(input, c, defaultReason, 'regular'));
  const ephemeral = pod.spec?.ephemeralContainers ?? [];

  let phase = getPhase(pod, initStatuses, statuses);
  let reason: string | undefined;
  let message: string | undefined;
  if (input.terminal) {
    phase = input.terminal.phase;
    reason = input.terminal.reason;
    message = input.terminal.message;
  } else if (old.phase === 'Succeeded' || old.phase === 'Failed') {
    // A terminal phase never goes back (upstream checks this in the status manager).
    phase = old.phase;
    reason = old.reason;
    message = old.message;
  }

  const ip = sandbox?.ip || old.podIP;
  const ips = sandbox ? [sandbox.ip, ...sandbox.additionalIps].filter(Boolean) : undefined;
  const status: PodStatus = {
    phase,
    conditions: conditions(input, phase, initStatuses, statuses, !!sandbox),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? metaTime(input.now),
    initContainerStatuses: hasInit ? initStatuses : undefined,
    containerStatuses: statuses,
    qosClass: old.qosClass ?? podQosClass(pod),
  };
  if (ip) {
    status.podIP = ip;
    status.podIPs = ips?.length ? ips.map((x) => ({ ip: x })) : (old.podIPs ?? [{ ip }]);
  }
  if (reason) status.reason = reason;
  if (message) status.message = message;
  if (!hasInit) delete status.initContainerStatuses;
  // Ephemeral containers count for nothing above (phase, conditions); they are only reported.
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral.map((c) => containerStatus(input, c, defaultReason, 'ephemeral'));
  return status;
}

function previousStatuses(pod: Pod, kind: ContainerKind): ApiContainerStatus[] {
  const s = pod.status;
  return (kind === 'init' ? s?.initContainerStatuses : kind === 'ephemeral' ? s?.ephemeralContainerStatuses : s?.containerStatuses) ?? [];
}

function containerStatus(input: PodStatusInput, c: SpecContainer, defaultReason: string, kind: ContainerKind): ApiContainerStatus {
  const init = kind === 'init';
  const latest = latestContainer(input.runtime, c.name);
  const previous = previousContainer(input.runtime, c.name);
  const old = previousStatuses(input.pod, kind).find((s) => s.name === c.name);
  const out: ApiContainerStatus = {
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: false,
    restartCount: latest?.metadata.attempt ?? old?.restartCount ?? 0,
    started: false,
    state: { waiting: { reason: defaultReason } },
  };
  // Upstream's prober sets started (and ready) on regular and init statuses only.
  if (kind === 'ephemeral') delete out.started;
  if (!latest) {
    const waiting = input.waitingReason(c.name);
    if (waiting) out.state = { waiting: { reason: waiting.reason, message: waiting.message || undefined } };
    if (old?.lastState?.terminated) out.lastState = old.lastState;
    else out.lastState = {};
    return out;
  }
  out.containerID = `${input.runtimeName}://${latest.id}`;
  out.imageID = latest.image || c.image || '';
  if (previous && previous.state === 'Exited') out.lastState = { terminated: terminated(input, previous, c) };
  else out.lastState = {};
  switch (latest.state) {
    case 'Running':
      out.state = { running: { startedAt: metaTime(latest.startedAt || latest.createdAt) } };
      if (kind === 'ephemeral') break;
      out.started = input.started(c.name);
      // Regular and sidecar containers report readiness; a plain init container never is "ready" while running.
      out.ready = (!init || isRestartableInit(c)) && out.started && input.readiness(c.name);
      break;
    case 'Exited': {
      const t = terminated(input, latest, c);
      const waiting = input.waitingReason(c.name);
      if (waiting) {
        // Waiting to be restarted (CrashLoopBackOff…): the exit becomes the last state.
        out.state = { waiting: { reason: waiting.reason, message: waiting.message || undefined } };
        out.lastState = { terminated: t };
      } else {
        out.state = { terminated: t };
      }
      // A plain init container that completed counts as ready, as upstream reports it.
      out.ready = init && !isRestartableInit(c) && latest.exitCode === 0 && !waiting;
      break;
    }
    default: {
      const waiting = input.waitingReason(c.name);
      out.state = { waiting: { reason: waiting?.reason ?? defaultReason, message: waiting?.message || undefined } };
    }
  }
  return out;
}

function terminated(input: PodStatusInput, s: ContainerStatus, c: SpecContainer): NonNullable<ContainerState['terminated']> {
  const msg = input.terminationMessage?.(s, c) ?? (s.message || undefined);
  return {
    exitCode: s.exitCode,
    reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'),
    message: msg || undefined,
    startedAt: s.startedAt ? metaTime(s.startedAt) : undefined,
    finishedAt: s.finishedAt ? metaTime(s.finishedAt) : undefined,
    containerID: `${input.runtimeName}://${s.id}`,
  };
}

/** upstream getPhase (with sidecar containers). */
export function getPhase(pod: Pod, initStatuses: ApiContainerStatus[], statuses: ApiContainerStatus[]): PodStatus['phase'] {
  const policy = restartPolicy(pod);
  let pendingInit = 0;
  let failedInit = 0;
  (pod.spec?.initContainers ?? []).forEach((c, i) => {
    const s = initStatuses[i];
    if (isRestartableInit(c)) {
      if (!s?.started) pendingInit++;
      return;
    }
    if (s?.state?.terminated?.exitCode === 0) return;
    if (s?.state?.terminated) {
      failedInit++;
      return;
    }
    if (s?.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0) failedInit++;
    pendingInit++;
  });
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (pendingInit > 0 && running === 0 && stopped === 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'OnFailure') return 'Running';
    return 'Failed';
  }
  return 'Pending';
}

function conditions(input: PodStatusInput, phase: PodStatus['phase'], inits: ApiContainerStatus[], statuses: ApiContainerStatus[], sandboxReady: boolean): PodCondition[] {
  const { pod } = input;
  const now = metaTime(input.now);
  const old = pod.status?.conditions ?? [];
  const make = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const prev = old.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    const cond: PodCondition = { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now };
    if (reason) cond.reason = reason;
    if (message) cond.message = message;
    return cond;
  };
  const completed = phase === 'Succeeded';

  const pendingInit = (pod.spec?.initContainers ?? [])
    .filter((c, i) => (isRestartableInit(c) ? !inits[i]?.started : inits[i]?.state?.terminated?.exitCode !== 0 && !initRanBefore(statuses)))
    .map((c) => c.name);
  const initialized = pendingInit.length === 0 || completed;
  const unready = (pod.spec?.containers ?? []).filter((_, i) => !statuses[i]?.ready).map((c) => c.name);
  const unreadyInit = (pod.spec?.initContainers ?? []).filter((c, i) => isRestartableInit(c) && !inits[i]?.ready).map((c) => c.name);
  const allUnready = [...unreadyInit, ...unready];
  const containersReady = allUnready.length === 0 && !completed;

  let readyReason: string | undefined;
  let readyMessage: string | undefined;
  if (completed) readyReason = 'PodCompleted';
  else if (!containersReady) {
    readyReason = 'ContainersNotReady';
    readyMessage = `containers with unready status: [${allUnready.join(' ')}]`;
  }
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType).filter((t) => old.find((c) => c.type === t)?.status !== 'True');
  const podReady = containersReady && gates.length === 0;
  let podReadyReason = readyReason;
  let podReadyMessage = readyMessage;
  if (containersReady && gates.length) {
    podReadyReason = 'ReadinessGatesNotReady';
    podReadyMessage = `corresponding condition of pod readiness gate "${gates[0]}" does not exist.`;
  }

  const out: PodCondition[] = [
    make('PodReadyToStartContainers', sandboxReady),
    make('Initialized', initialized, initialized ? (completed && pendingInit.length ? 'PodCompleted' : undefined) : 'ContainersNotInitialized', initialized ? undefined : `containers with incomplete status: [${pendingInit.join(' ')}]`),
    make('Ready', podReady, podReadyReason, podReadyMessage),
    make('ContainersReady', containersReady, readyReason, readyMessage),
  ];
  const scheduled = old.find((c) => c.type === 'PodScheduled');
  out.push(scheduled ?? make('PodScheduled', true));
  // Conditions other components own stay as they are.
  for (const c of old) if (!kubeletConditionTypes.has(c.type)) out.push(c);
  return out;
}

/** Some regular container has started: init completed (its containers may have been collected). */
function initRanBefore(statuses: ApiContainerStatus[]): boolean {
  return statuses.some((s) => s.containerID);
}
