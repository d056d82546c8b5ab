// What each node may read: the Node authorizer's graph (upstream: plugin/pkg/auth/authorizer/node
// graph.go), answered from the watch cache. Only the edge that changes all the time — which pods
// are bound to which node — is indexed, kept current as the cache applies pod events; the rest (a pod's
// references, a claim's volume, a volume's secrets) is read from the cached objects when a node
// asks, so the answer follows the objects as they are now.
//
// The index is built at a node's first request: a cluster whose nodes are not agents of this
// server (the scheduler benchmark's) pays nothing for it.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { VolumeAttachment } from 'kubernetes-types/storage/v1.js';
import type { StoredObject } from '../../api/object.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { CacheEvent, ResourceCache, WatchCache } from '../watch-cache.js';
import { podReferences } from '../../api/pod-references.js';

export type GraphObjectType = 'pods' | 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'persistentvolumes' | 'serviceaccounts' | 'volumeattachments';

function nodeOf(obj: StoredObject | undefined): string | undefined {
  const name = (obj as Pod | undefined)?.spec?.nodeName;
  return name || undefined;
}

function pvSecretRefs(pv: PersistentVolume): { namespace?: string; name?: string }[] {
  const s = pv.spec ?? {};
  return [
    s.csi?.nodePublishSecretRef,
    s.csi?.nodeStageSecretRef,
    s.csi?.nodeExpandSecretRef,
    s.csi?.controllerPublishSecretRef,
    s.csi?.controllerExpandSecretRef,
    s.cephfs?.secretRef,
    s.cinder?.secretRef,
    s.flexVolume?.secretRef,
    s.iscsi?.secretRef,
    s.rbd?.secretRef,
    s.scaleIO?.secretRef,
    s.storageos?.secretRef,
    s.azureFile ? { namespace: s.azureFile.secretNamespace, name: s.azureFile.secretName } : undefined,
  ].filter((r): r is { namespace?: string; name?: string } => r !== undefined);
}

export class NodeGraph {
  private readonly prefixes: Record<'pods' | 'persistentvolumeclaims' | 'persistentvolumes' | 'volumeattachments', string>;
  private readonly pods: ResourceCache;
  /** Node name → keys of the pods bound to it; undefined until a node first asks. */
  private podsByNode: Map<string, Set<string>> | undefined;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly cache: WatchCache,
    registry: ResourceRegistry,
  ) {
    const prefix = (group: string, plural: string) => {
      const entry = registry.find(group, 'v1', plural);
      if (!entry) throw new Error(`${plural} are not served`);
      return entry.prefix;
    };
    this.prefixes = {
      pods: prefix('', 'pods'),
      persistentvolumeclaims: prefix('', 'persistentvolumeclaims'),
      persistentvolumes: prefix('', 'persistentvolumes'),
      volumeattachments: prefix('storage.k8s.io', 'volumeattachments'),
    };
    this.pods = cache.resourceFor(this.prefixes.pods);
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.podsByNode = undefined;
  }

  /** Whether the object is related to the node: upstream's hasPathFrom over the graph's edges. */
  hasPath(node: string, type: GraphObjectType, namespace: string, name: string): boolean {
    if (type === 'pods') return this.index().get(node)?.has(`${this.prefixes.pods}${namespace}/${name}`) === true;
    if (type === 'volumeattachments') {
      const va = this.get('volumeattachments', `${this.prefixes.volumeattachments}${name}`) as VolumeAttachment | undefined;
      return va?.spec?.nodeName === node;
    }
    for (const pod of this.podsOn(node)) {
      if (this.podReaches(pod, type, namespace, name)) return true;
    }
    return false;
  }

  private podReaches(pod: Pod, type: GraphObjectType, namespace: string, name: string): boolean {
    const podNamespace = pod.metadata?.namespace ?? '';
    const refs = podReferences(pod);
    switch (type) {
      case 'secrets':
        if (podNamespace === namespace && refs.secrets.includes(name)) return true;
        // node ← pod ← claim ← volume ← secret
        return refs.claims.some((claim) => {
          const pv = this.volumeOfClaim(podNamespace, claim);
          return pv !== undefined && pvSecretRefs(pv).some((r) => r.name === name && (r.namespace ?? '') === namespace);
        });
      case 'configmaps':
        return podNamespace === namespace && refs.configMaps.includes(name);
      case 'persistentvolumeclaims':
        return podNamespace === namespace && refs.claims.includes(name);
      case 'persistentvolumes':
        return refs.claims.some((claim) => this.volumeOfClaim(podNamespace, claim)?.metadata?.name === name);
      case 'serviceaccounts':
        return podNamespace === namespace && (pod.spec?.serviceAccountName || 'default') === name;
      default:
        return false;
    }
  }

  private volumeOfClaim(namespace: string, claim: string): PersistentVolume | undefined {
    const pvc = this.get('persistentvolumeclaims', `${this.prefixes.persistentvolumeclaims}${namespace}/${claim}`) as PersistentVolumeClaim | undefined;
    const volume = pvc?.spec?.volumeName;
    return volume ? (this.get('persistentvolumes', `${this.prefixes.persistentvolumes}${volume}`) as PersistentVolume | undefined) : undefined;
  }

  private get(kind: keyof NodeGraph['prefixes'], key: string): unknown {
    return this.cache.resourceFor(this.prefixes[kind]).objects.get(key);
  }

  private *podsOn(node: string): Generator<Pod> {
    const keys = this.index().get(node);
    if (!keys) return;
    for (const key of keys) {
      const pod = this.pods.objects.get(key);
      if (pod) yield pod as unknown as Pod;
    }
  }

  private index(): Map<string, Set<string>> {
    if (this.podsByNode) return this.podsByNode;
    const byNode = new Map<string, Set<string>>();
    this.podsByNode = byNode;
    for (const [key, pod] of this.pods.objects) this.bind(key, nodeOf(pod));
    // Kept in step with `objects`, not with watchers (which hear of an event a turn later): a
    // request that finds a pod in the cache finds it here too.
    this.stopWatch = this.pods.observe((ev) => this.onPodEvent(ev));
    return byNode;
  }

  private onPodEvent(ev: CacheEvent): void {
    const before = nodeOf(ev.prevObject);
    const after = ev.type === 'DELETED' ? undefined : nodeOf(ev.object);
    if (before === after) return;
    if (before) this.unbind(ev.key, before);
    this.bind(ev.key, after);
  }

  private bind(key: string, node: string | undefined): void {
    if (!node) return;
    const byNode = this.podsByNode!;
    let keys = byNode.get(node);
    if (!keys) byNode.set(node, (keys = new Set()));
    keys.add(key);
  }

  private unbind(key: string, node: string): void {
    const keys = this.podsByNode!.get(node);
    keys?.delete(key);
    if (keys?.size === 0) this.podsByNode!.delete(node);
  }
}
