// Nodes and pods for scheduler tests, as API objects (what scheduler_perf creates: nodes with
// capacity and no node agent, pods with requests).
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function makeNode(name: string, s: NodeSpec = {}): Node & KubeObject {
  const capacity = { cpu: s.cpu ?? '4', memory: s.memory ?? '32Gi', pods: s.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { taints: s.taints, unschedulable: s.unschedulable },
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodSpecOpts {
  cpu?: string;
  memory?: string;
  schedulerName?: string;
  nodeName?: string;
  priority?: number;
  priorityClassName?: string;
  labels?: Record<string, string>;
  schedulingGates?: string[];
  nodeSelector?: Record<string, string>;
  namespace?: string;
}

export function makePod(name: string, o: PodSpecOpts = {}): Pod & KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', labels: o.labels, uid: undefined },
    spec: {
      schedulerName: o.schedulerName,
      nodeName: o.nodeName,
      priority: o.priority,
      priorityClassName: o.priorityClassName,
      nodeSelector: o.nodeSelector,
      schedulingGates: o.schedulingGates?.map((n) => ({ name: n })),
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: Object.keys(requests).length ? { requests } : undefined }],
    },
  };
}

let uidSeq = 0;
/** A pod as the scheduler sees it from the informer (with a uid), for unit tests. */
export function podWithUid(name: string, o: PodSpecOpts = {}): Pod {
  const p = makePod(name, o);
  return { ...p, metadata: { ...p.metadata, uid: `uid-${name}-${++uidSeq}`, resourceVersion: '1' } };
}
