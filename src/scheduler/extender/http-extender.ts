// An HTTP(S) scheduler extender (upstream pkg/scheduler/extender.go HTTPExtender), speaking
// k8s.io/kube-scheduler/extender/v1 so extenders written for kube-scheduler work unchanged.
// Each verb is a POST of JSON to <urlPrefix>/<verb>; a non-200 answer or an Error field is an
// error. Whether an error fails the pod or is skipped (ignorable) is the scheduler's decision.
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { Extender, NodeInfoLister, NodeScore } from '../framework/types.js';
import { extenderTimeoutMs, type ExtenderConfig } from './config.js';
import { newJsonPoster, type JsonPoster } from './transport.js';
import { field, type ExtenderArgs, type ExtenderBindingArgs, type ExtenderPreemptionArgs, type MetaVictims, type Victims } from './wire.js';

export type VictimsMap = Map<string, { pods: Pod[]; numPDBViolations: number }>;

const asRecord = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (typeof v === 'object' && v !== null) for (const [k, s] of Object.entries(v)) out[k] = String(s);
  return out;
};

export class HTTPExtender implements Extender {
  private readonly url: string;
  private readonly managedResources: Set<string>;
  private readonly poster: JsonPoster;

  constructor(readonly config: ExtenderConfig) {
    if (!config.urlPrefix) throw new Error('extender urlPrefix is required');
    this.url = config.urlPrefix;
    this.managedResources = new Set((config.managedResources ?? []).map((r) => r.name));
    this.poster = newJsonPoster(config, extenderTimeoutMs(config));
  }

  /** The urlPrefix identifies the extender (upstream Name()). */
  name(): string {
    return this.url;
  }

  isIgnorable(): boolean {
    return this.config.ignorable ?? false;
  }

  isFilter(): boolean {
    return !!this.config.filterVerb;
  }

  isPrioritizer(): boolean {
    return !!this.config.prioritizeVerb;
  }

  isBinder(): boolean {
    return !!this.config.bindVerb;
  }

  supportsPreemption(): boolean {
    return !!this.config.preemptVerb;
  }

  /** True when the extender manages no resources, or the pod requests or limits one it manages. */
  isInterested(pod: Pod): boolean {
    if (this.managedResources.size === 0) return true;
    const uses = (cs: Container[] | undefined) =>
      (cs ?? []).some((c) => Object.keys(c.resources?.requests ?? {}).some((r) => this.managedResources.has(r)) || Object.keys(c.resources?.limits ?? {}).some((r) => this.managedResources.has(r)));
    return uses(pod.spec?.containers) || uses(pod.spec?.initContainers);
  }

  private args(pod: Pod, nodes: NodeInfo[]): ExtenderArgs {
    if (this.config.nodeCacheCapable) return { Pod: pod, Nodes: null, NodeNames: nodes.map((n) => n.name) };
    return { Pod: pod, Nodes: { metadata: {}, items: nodes.map((n) => n.node).filter((n): n is Node => !!n) }, NodeNames: null };
  }

  async filter(pod: Pod, nodes: NodeInfo[]): Promise<{ nodes: NodeInfo[]; failedNodes: Map<string, string>; failedAndUnresolvable: Map<string, string> }> {
    if (!this.config.filterVerb) return { nodes, failedNodes: new Map(), failedAndUnresolvable: new Map() };
    const result = await this.send(this.config.filterVerb, this.args(pod, nodes));
    const error = field(result, 'Error');
    if (typeof error === 'string' && error) throw new Error(error);
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const pick = (name: string) => {
      const n = byName.get(name);
      if (!n) throw new Error(`extender ${JSON.stringify(this.url)} claims a filtered node ${JSON.stringify(name)} which is not found in the input node list`);
      return n;
    };
    let passed: NodeInfo[] = [];
    const names = field(result, 'NodeNames');
    const list = field(result, 'Nodes');
    if (this.config.nodeCacheCapable && Array.isArray(names)) {
      passed = names.map((n) => pick(String(n)));
    } else if (list && typeof list === 'object') {
      const items = field(list, 'items');
      passed = (Array.isArray(items) ? (items as Node[]) : []).map((n) => pick(n.metadata?.name ?? ''));
    }
    return {
      nodes: passed,
      failedNodes: new Map(Object.entries(asRecord(field(result, 'FailedNodes')))),
      failedAndUnresolvable: new Map(Object.entries(asRecord(field(result, 'FailedAndUnresolvableNodes')))),
    };
  }

  /** Scores are the extender's (0–10) unscaled; the scheduler multiplies by weight × 100/10. */
  async prioritize(pod: Pod, nodes: NodeInfo[]): Promise<{ scores: NodeScore[]; weight: number }> {
    if (!this.config.prioritizeVerb) return { scores: nodes.map((n) => ({ name: n.name, score: 0 })), weight: 0 };
    const result = await this.send(this.config.prioritizeVerb, this.args(pod, nodes));
    const scores = (Array.isArray(result) ? result : []).map((h) => ({ name: String(field(h, 'Host') ?? ''), score: Number(field(h, 'Score') ?? 0) }));
    return { scores, weight: this.config.weight ?? 0 };
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    if (!this.config.bindVerb) throw new Error('unexpected empty bindVerb in extender');
    const args: ExtenderBindingArgs = {
      PodName: pod.metadata?.name ?? '',
      PodNamespace: pod.metadata?.namespace ?? '',
      PodUID: pod.metadata?.uid ?? '',
      Node: nodeName,
    };
    const result = await this.send(this.config.bindVerb, args);
    const error = field(result, 'Error');
    if (typeof error === 'string' && error) throw new Error(error);
  }

  async processPreemption(pod: Pod, victims: VictimsMap, nodes: NodeInfoLister): Promise<VictimsMap> {
    if (!this.config.preemptVerb) throw new Error(`preempt verb is not defined for extender ${this.url} but run into ProcessPreemption`);
    const args: ExtenderPreemptionArgs = { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: null };
    if (this.config.nodeCacheCapable) {
      const meta: Record<string, MetaVictims> = {};
      for (const [node, v] of victims) meta[node] = { Pods: v.pods.map((p) => ({ UID: p.metadata?.uid ?? '' })), NumPDBViolations: v.numPDBViolations };
      args.NodeNameToMetaVictims = meta;
    } else {
      const full: Record<string, Victims> = {};
      for (const [node, v] of victims) full[node] = { Pods: v.pods, NumPDBViolations: v.numPDBViolations };
      args.NodeNameToVictims = full;
    }
    const result = await this.send(this.config.preemptVerb, args);
    // The extender always answers with meta victims (UIDs); find the pods in our snapshot.
    const out: VictimsMap = new Map();
    const meta = field(result, 'NodeNameToMetaVictims');
    for (const [nodeName, mv] of Object.entries((meta ?? {}) as Record<string, unknown>)) {
      const nodeInfo = nodes.get(nodeName);
      if (!nodeInfo) throw new Error(`nodeinfo not found for node name ${JSON.stringify(nodeName)}`);
      const pods: Pod[] = [];
      const metaPods = field(mv, 'Pods');
      for (const mp of Array.isArray(metaPods) ? metaPods : []) {
        const uid = String(field(mp, 'UID') ?? '');
        const found = nodeInfo.pods.find((p) => p.pod.metadata?.uid === uid);
        if (!found) throw new Error(`extender: ${this.url} claims to preempt pod (UID: &{${uid}}) on node: ${nodeName}, but the pod is not found on that node`);
        pods.push(found.pod);
      }
      out.set(nodeName, { pods, numPDBViolations: Number(field(mv, 'NumPDBViolations') ?? 0) });
    }
    return out;
  }

  /** Releases the keep-alive connections. */
  close(): void {
    this.poster.close();
  }

  private async send(verb: string, args: unknown): Promise<unknown> {
    const url = `${this.url.replace(/\/+$/, '')}/${verb}`;
    const res = await this.poster.post(url, args);
    if (res.status !== 200) throw new Error(`failed ${verb} with extender at URL ${url}, code ${res.status}`);
    try {
      return JSON.parse(res.body) as unknown;
    } catch (e) {
      throw new Error(`decoding the answer of extender at URL ${url}: ${(e as Error).message}`);
    }
  }
}
