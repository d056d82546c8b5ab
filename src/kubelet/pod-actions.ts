// What one sync of a pod must do, computed from the spec and the runtime's view (upstream
// kuberuntime_manager.go computePodActions and computeInitContainerActions). Pure: the sync
// executes the answer. Order of execution: kill, create sandbox, start ephemeral containers,
// start init containers, start regular containers.
import type { Container as SpecContainer, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from './runtime/types.js';
import { isRestartableInit, restartPolicy } from './pod-util.js';
import { containerImageAnnotation } from './container-labels.js';
import { latestContainer, readySandbox, type RuntimePodStatus } from './runtime-pod.js';

export interface ProbeView {
  /** A failure message when the liveness (or startup) probe says restart. */
  livenessFailed(containerName: string): string | undefined;
  /** Startup probe passed (true when there is none). */
  started(containerName: string): boolean;
}

export interface ContainerToKill {
  id: string;
  name: string;
  message: string;
  reason: string;
}

export interface PodActions {
  /** Stop every container and the sandbox. */
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use when not creating one. */
  sandboxId?: string;
  /** Attempt number of a sandbox to create. */
  attempt: number;
  /** Indices into spec.initContainers to start now, in order. */
  initContainersToStart: number[];
  /** Indices into spec.containers to start now. */
  containersToStart: number[];
  /** Indices into spec.ephemeralContainers to start now (each once: they are never restarted). */
  ephemeralContainersToStart: number[];
  containersToKill: ContainerToKill[];
  /** Init containers have all completed (sidecars started): regular containers may run. */
  initDone: boolean;
  /** A non-restartable init container failed and the pod does not restart: the pod failed. */
  initFailed: boolean;
}

export const noProbes: ProbeView = { livenessFailed: () => undefined, started: () => true };

export function computePodActions(pod: Pod, status: RuntimePodStatus, probes: ProbeView = noProbes): PodActions {
  const spec = pod.spec;
  const inits = spec?.initContainers ?? [];
  const containers = spec?.containers ?? [];
  const actions: PodActions = { killPod: false, createSandbox: false, attempt: 0, initContainersToStart: [], containersToStart: [], ephemeralContainersToStart: [], containersToKill: [], initDone: false, initFailed: false };

  const sandbox = readySandbox(status);
  if (!sandbox) {
    const attempt = status.sandboxes.length ? status.sandboxes[0].metadata.attempt + 1 : 0;
    // A pod that never restarts and already ran does not get a new sandbox (upstream: its containers
    // would not be started again anyway).
    if (restartPolicy(pod) === 'Never' && attempt !== 0 && status.containers.length) {
      actions.killPod = status.sandboxes.length > 0;
      return actions;
    }
    actions.createSandbox = true;
    actions.attempt = attempt;
    // Containers of the old sandbox are gone with it; kill whatever still runs.
    actions.killPod = status.sandboxes.length > 0;
    if (inits.length) {
      // Start over from the first init container unless init already completed once.
      if (!initCompletedBefore(pod, status)) {
        actions.initContainersToStart = [0];
        return actions;
      }
    }
    actions.initDone = true;
    containers.forEach((c, i) => {
      const s = latestContainer(status, c.name);
      if (restartPolicy(pod) === 'OnFailure' && s?.state === 'Exited' && s.exitCode === 0) return;
      if (restartPolicy(pod) === 'Never' && s) return;
      actions.containersToStart.push(i);
    });
    return actions;
  }

  actions.sandboxId = sandbox.id;
  // Ephemeral containers start in the running sandbox, even before initialization completed;
  // one that ever ran (the runtime knows it by name) is never started again.
  (spec?.ephemeralContainers ?? []).forEach((c, i) => {
    if (!latestContainer(status, c.name)) actions.ephemeralContainersToStart.push(i);
  });
  computeInitContainerActions(pod, status, probes, actions);
  if (actions.initFailed) {
    actions.killPod = true;
    return actions;
  }
  if (!actions.initDone) return actions;

  let keep = 0;
  containers.forEach((c, i) => {
    const s = latestContainer(status, c.name);
    if (!s || s.state !== 'Running') {
      if (shouldRestart(pod, s)) actions.containersToStart.push(i);
      return;
    }
    const kill = killReason(c, s, probes);
    if (!kill) {
      keep++;
      return;
    }
    actions.containersToKill.push({ id: s.id, name: c.name, ...kill });
    if (restartPolicy(pod) !== 'Never') actions.containersToStart.push(i);
  });
  if (keep === 0 && actions.containersToStart.length === 0 && actions.containersToKill.length === 0) {
    // Nothing runs and nothing will: the pod is done (sidecars and the sandbox go too).
    actions.killPod = true;
  }
  return actions;
}

function computeInitContainerActions(pod: Pod, status: RuntimePodStatus, probes: ProbeView, actions: PodActions): void {
  const inits = pod.spec?.initContainers ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    const s = latestContainer(status, c.name);
    if (isRestartableInit(c)) {
      if (!s) {
        actions.initContainersToStart.push(i);
        return;
      }
      if (s.state === 'Running') {
        const kill = killReason(c, s, probes);
        if (kill) {
          actions.containersToKill.push({ id: s.id, name: c.name, ...kill });
          actions.initContainersToStart.push(i);
        }
        // The next init container waits until this sidecar has started.
        if (!probes.started(c.name) || kill) {
          if (!initCompletedBefore(pod, status)) return;
        }
        continue;
      }
      // A sidecar that exited is always restarted; it blocks init only before init completed.
      actions.initContainersToStart.push(i);
      if (!initCompletedBefore(pod, status)) return;
      continue;
    }
    if (!s) {
      if (initCompletedBefore(pod, status)) continue;
      actions.initContainersToStart.push(i);
      return;
    }
    if (s.state === 'Running' || s.state === 'Created') {
      const kill = killReason(c, s, probes);
      if (kill) {
        actions.containersToKill.push({ id: s.id, name: c.name, ...kill });
        actions.initContainersToStart.push(i);
      }
      return;
    }
    if (s.exitCode === 0) continue;
    if (restartPolicy(pod) === 'Never') {
      actions.initFailed = true;
      return;
    }
    actions.initContainersToStart.push(i);
    return;
  }
  actions.initDone = true;
}

/** Some regular container was ever created: init completed in an earlier sandbox or sync. */
function initCompletedBefore(pod: Pod, status: RuntimePodStatus): boolean {
  return (pod.spec?.containers ?? []).some((c) => latestContainer(status, c.name) !== undefined);
}

/** upstream ShouldContainerBeRestarted for a container that is not running. */
export function shouldRestart(pod: Pod, s: ContainerStatus | undefined): boolean {
  if (!s) return true;
  if (s.state === 'Running') return false;
  if (s.state === 'Unknown' || s.state === 'Created') return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

function killReason(c: SpecContainer, s: ContainerStatus, probes: ProbeView): { message: string; reason: string } | undefined {
  const failed = probes.livenessFailed(c.name);
  if (failed) return { message: `Container ${c.name} failed liveness probe, will be restarted`, reason: 'Unhealthy' };
  // The image the container was created from, as the spec named it (runtimes may report a resolved one).
  const image = s.annotations[containerImageAnnotation] ?? s.image;
  if (c.image && image && c.image !== image) return { message: `Container ${c.name} definition changed, will be restarted`, reason: 'Killing' };
  return undefined;
}
