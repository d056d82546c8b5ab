// The collaborators the pod sync needs, as narrow interfaces owned here: the node agent wires the
// real env/volumes/prober/lifecycle modules; unit tests pass trivial ones.
import type { Container as SpecContainer, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { KeyValue, Mount, Runtime } from './runtime/types.js';

export interface EnvProvider {
  /** Throws an error with `reason` 'CreateContainerConfigError' when a required reference is missing. */
  environment(pod: Pod, container: SpecContainer, podIP: string, podIPs: string[]): Promise<KeyValue[]>;
  expand(cmd: string[], env: KeyValue[]): string[];
}

export interface VolumeHost {
  /** volume name → host path; throws (reason 'FailedMount') when a volume cannot be set up. */
  mountPodVolumes(pod: Pod): Promise<Map<string, string>>;
  containerMounts(pod: Pod, container: SpecContainer, volumePaths: Map<string, string>): Mount[];
  refreshPodVolumes(pod: Pod): Promise<void>;
  cleanupPodVolumes(podUid: string): Promise<void>;
}

export interface Prober {
  addPod(pod: Pod): void;
  removePod(podUid: string): void;
  setContainerState(podUid: string, containerName: string, s: { containerId?: string; running: boolean; startedAt?: number; podIP: string }): void;
  readiness(podUid: string, containerName: string): boolean;
  started(podUid: string, containerName: string): boolean;
  livenessFailed(podUid: string, containerName: string): string | undefined;
}

export type HookRunner = (h: LifecycleHandler, ctx: { runtime: Runtime; containerId: string; podIP: string; pod: Pod; container: SpecContainer; timeoutMs?: number }) => Promise<string | undefined>;

/** Without a prober every running container is started and ready (no probes run). */
export const noProber: Prober = {
  addPod: () => undefined,
  removePod: () => undefined,
  setContainerState: () => undefined,
  readiness: () => true,
  started: () => true,
  livenessFailed: () => undefined,
};

/** Plain env: the spec's literal values plus POD_IP-free basics; for tests without the env module. */
export const literalEnv: EnvProvider = {
  async environment(_pod, c) {
    return (c.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value ?? '' }));
  },
  expand: (cmd) => cmd,
};

export const noVolumes: VolumeHost = {
  mountPodVolumes: async () => new Map(),
  containerMounts: () => [],
  refreshPodVolumes: async () => undefined,
  cleanupPodVolumes: async () => undefined,
};

export const noHooks: HookRunner = async () => undefined;
