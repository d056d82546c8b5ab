// The container runtime interface the node agent owns (modelled on CRI's RuntimeService and
// ImageService). The kubelet speaks only this; the process runtime implements it today, an OCI
// runtime (crun/runc with real images and pod network namespaces) later, and a fake one serves
// tests. Ids are opaque strings chosen by the runtime. Every method may throw RuntimeError.

export type SandboxState = 'Ready' | 'NotReady';
export type ContainerState = 'Created' | 'Running' | 'Exited' | 'Unknown';

export interface KeyValue {
  name: string;
  value: string;
}

export interface Mount {
  /** Path inside the container (for the process runtime: where the process sees it; see the runtime's docs). */
  containerPath: string;
  hostPath: string;
  readOnly?: boolean;
  /** The file or directory the mount replaces when `containerPath` is a file (subPath). */
  subPath?: boolean;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

export interface LinuxResources {
  /** CPU shares from requests (upstream: milliCPU * 1024 / 1000, min 2). */
  cpuShares?: number;
  /** CFS quota from limits (µs per period); period 100000 µs. */
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimitBytes?: number;
  /** pids.max for the sandbox. */
  pidsLimit?: number;
}

export interface PodSandboxConfig {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
  hostname: string;
  /** Directory for this pod's container logs: /var/log/pods/NS_NAME_UID equivalent under the agent's root. */
  logDirectory: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  portMappings: PortMapping[];
  /** Pod-level cgroup parent (QoS class + pod uid), when cgroups are in use. */
  cgroupParent?: string;
  /** resolv.conf contents for runtimes with their own mount namespace. */
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  /** hostNetwork / hostPID / hostIPC. */
  namespaceOptions?: { network?: 'pod' | 'node'; pid?: 'pod' | 'container' | 'node'; ipc?: 'pod' | 'node' };
  resources?: LinuxResources;
}

export interface PodSandbox {
  id: string;
  metadata: { name: string; namespace: string; uid: string; attempt: number };
  state: SandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  /** The pod's IP (status.podIP); additional IPs for dual stack. */
  ip: string;
  additionalIps: string[];
}

export interface ContainerConfig {
  name: string;
  attempt: number;
  /** Image reference as in the pod spec. */
  image: string;
  /** Entrypoint (container.command), already with $(VAR) expansion done by the kubelet. */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory: NAME/ATTEMPT.log. */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resources?: LinuxResources;
  /**
   * Whose PID namespace the container joins instead of getting its own (CRI's
   * NamespaceOption.pid): 'pod' — the sandbox's, shared by all its containers (shareProcessNamespace;
   * the sandbox must have namespaceOptions.pid 'pod'); 'target' — that of the running container
   * `targetId` (an ephemeral container's targetContainerName; CRI NamespaceMode TARGET). Absent:
   * the sandbox's namespaceOptions.pid decides ('node': the host's; otherwise its own).
   */
  pidNamespace?: { mode: 'pod' } | { mode: 'target'; targetId: string };
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  image: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus extends Container {
  /** ms since epoch; 0 when not yet. */
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** "OOMKilled", "Error", "Completed", "StartError", "ContainerCannotRun"… */
  reason: string;
  message: string;
  /** Absolute path of the CRI-format log file. */
  logPath: string;
  /** Host pid while running (process runtime); for stats and probes. */
  pid?: number;
}

export interface ContainerFilter {
  podSandboxId?: string;
  state?: ContainerState;
  labels?: Record<string, string>;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  timedOut: boolean;
}

/** A streaming exec/attach session (for kubectl exec/attach through the kubelet server). */
export interface StreamSession {
  stdin?: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  /** Absent with tty (stdout carries both). */
  stderr?: NodeJS.ReadableStream;
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number>;
  kill(): void;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  sizeBytes: number;
}

export interface ContainerStats {
  containerId: string;
  cpuUsageNanoCores?: number;
  cpuUsageCoreNanoSeconds?: number;
  memoryWorkingSetBytes?: number;
  memoryRssBytes?: number;
  /** Processes of the container, from its cgroup (cgroup.procs) when it has one: no /proc scan. */
  processCount?: number;
  timestamp: number;
}

export interface Runtime {
  /** "process", "oci", "fake" — reported in node.status.nodeInfo.containerRuntimeVersion as NAME://VERSION. */
  readonly name: string;
  version(): { runtimeName: string; runtimeVersion: string; runtimeApiVersion: string };

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (SIGKILL) and releases its IP; idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(filter?: { state?: SandboxState; labels?: Record<string, string> }): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds (0 = SIGKILL at once); resolves when the process is gone. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  containerStats?(id: string): Promise<ContainerStats | undefined>;

  /** Runs a command in the container's context (exec probes, lifecycle hooks). */
  execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult>;
  exec?(id: string, cmd: string[], opts: { stdin: boolean; tty: boolean }): Promise<StreamSession>;
  attach?(id: string, opts: { stdin: boolean; tty: boolean }): Promise<StreamSession>;
  /** Connects to a port in the pod's network (port-forward). */
  portForward?(podSandboxId: string, port: number): Promise<import('node:net').Socket>;

  /** Resolves the image (for the process runtime: the executable) or throws ImageError. */
  pullImage(image: string): Promise<string>;
  imageStatus(image: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<ImageInfo[]>;

  /**
   * Agent shutdown: stop watching containers and release the runtime's own resources (timers,
   * file watches) WITHOUT stopping containers, so that the next agent adopts them. Optional.
   */
  close?(): void;
}

export class RuntimeError extends Error {
  constructor(
    message: string,
    /** CRI-like reason the kubelet turns into a container waiting reason ("CreateContainerError", "ErrImagePull"…). */
    readonly reason: string = 'RuntimeError',
  ) {
    super(message);
  }
}
