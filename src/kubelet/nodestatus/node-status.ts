// Registers this node and keeps its status current (upstream kubelet_node_status.go and
// nodestatus/setters.go): the Node is created (or reconciled if it exists), then its status is
// computed every `updateFrequencyMs` and patched when it changed or `reportFrequencyMs` (5 min)
// passed since the last report, as upstream's nodeStatusReportFrequency. Heartbeats in between
// are the Lease (lease.ts).
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { metaTime } from '../status/time.js';
import { allocatableList, capacityList, defaultEvictionHard, type EvictionHard, type ResourceList } from './allocatable.js';
import { goArch, goOs, machineCapacity, nodeAddresses, systemInfo } from './machine-info.js';

export interface NodeStatusOptions {
  client: Client;
  nodeName: string;
  rootDir: string;
  nodeIP: string;
  hostname: string;
  /** NAME://VERSION of the container runtime. */
  runtimeVersion: string;
  podCidrs: string[];
  reserved: ResourceList[];
  evictionHard?: EvictionHard;
  maxPods?: number;
  /** The kubelet API's port (status.daemonEndpoints), once known. */
  kubeletPort?(): number;
  labels?: Record<string, string>;
  log: Logger;
  updateFrequencyMs?: number;
  reportFrequencyMs?: number;
  now?: () => number;
}

type Pressure = { memory: boolean; disk: boolean; pid: boolean };

export class NodeStatusReporter {
  private node?: Node;
  private lastReported = 0;
  private lastJson = '';
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private updating?: Promise<void>;
  /** Set by the eviction manager when there is one; all false today. */
  pressure: Pressure = { memory: false, disk: false, pid: false };

  constructor(private readonly o: NodeStatusOptions) {}

  get uid(): string | undefined {
    return this.node?.metadata?.uid;
  }

  /** Creates or reconciles the Node, then posts its status (Ready). */
  async register(): Promise<Node> {
    const nodes = this.o.client.resource(resources.nodes);
    const want = this.initialNode();
    try {
      this.node = await nodes.create(want);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      const existing = await nodes.get(this.o.nodeName);
      const labels = { ...(existing.metadata?.labels ?? {}), ...want.metadata?.labels };
      const spec = { ...(existing.spec ?? {}) };
      if (!spec.podCIDR && want.spec?.podCIDR) {
        spec.podCIDR = want.spec.podCIDR;
        spec.podCIDRs = want.spec.podCIDRs;
      }
      this.node = await nodes.update({ ...existing, metadata: { ...existing.metadata, labels }, spec } as Node & KubeObject);
    }
    await this.update(true);
    return this.node;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.updating = this.update(false)
        .catch((err: unknown) => this.o.log.warn({ err }, 'cannot update node status'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.updateFrequencyMs ?? 10_000);
        });
    };
    this.timer = setTimeout(tick, this.o.updateFrequencyMs ?? 10_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.updating;
  }

  /** Computes the status; patches it when it changed or the report interval passed (or `force`). */
  async update(force: boolean): Promise<void> {
    const now = this.o.now?.() ?? Date.now();
    const status = this.computeStatus(now);
    const json = JSON.stringify(stripHeartbeats(status));
    if (!force && json === this.lastJson && now - this.lastReported < (this.o.reportFrequencyMs ?? 300_000)) return;
    const node = await this.o.client.resource(resources.nodes).patch(this.o.nodeName, { status }, { type: 'strategic', subresource: 'status' });
    this.node = node;
    this.lastJson = json;
    this.lastReported = now;
  }

  private initialNode(): Node & KubeObject {
    const os = goOs();
    const arch = goArch();
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.o.nodeName,
        labels: {
          'beta.kubernetes.io/arch': arch,
          'beta.kubernetes.io/os': os,
          'kubernetes.io/arch': arch,
          'kubernetes.io/hostname': this.o.hostname,
          'kubernetes.io/os': os,
          ...(this.o.labels ?? {}),
        },
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: this.o.podCidrs.length ? { podCIDR: this.o.podCidrs[0], podCIDRs: this.o.podCidrs } : {},
    };
  }

  private computeStatus(now: number): NodeStatus {
    const cap = machineCapacity(this.o.rootDir, this.o.maxPods);
    const time = metaTime(now);
    const old = this.node?.status?.conditions ?? [];
    const cond = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
      const prev = old.find((c) => c.type === type);
      return { type, status, lastHeartbeatTime: time, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : time, reason, message };
    };
    const p = this.pressure;
    return {
      capacity: capacityList(cap),
      allocatable: allocatableList(cap, this.o.reserved, this.o.evictionHard ?? defaultEvictionHard),
      conditions: [
        p.memory ? cond('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available') : cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        p.disk ? cond('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure') : cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        p.pid ? cond('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available') : cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: nodeAddresses(this.o.nodeIP, this.o.hostname),
      daemonEndpoints: { kubeletEndpoint: { Port: this.o.kubeletPort?.() ?? 10250 } },
      nodeInfo: systemInfo(this.o.runtimeVersion),
    };
  }
}

function stripHeartbeats(s: NodeStatus): unknown {
  return { ...s, conditions: s.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })), capacity: { ...s.capacity, 'ephemeral-storage': undefined }, allocatable: { ...s.allocatable, 'ephemeral-storage': undefined } };
}
