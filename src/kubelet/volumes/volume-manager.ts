// The node agent's volume manager: sets up a pod's volumes before its containers start, keeps
// configMap/secret/downwardAPI/projected contents current, turns volumeMounts into runtime
// mounts, and removes everything when the pod is gone. Directories follow upstream's layout:
//   ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME
// (hostPath volumes are the host path itself). Contents of API-backed volumes are written with
// the atomic writer, so an update swaps the whole set at once. Calls for one pod are serialized.
// ConfigMaps and Secrets are read from watches shared by every pod referencing them (upstream's
// default "Watch" change-detection strategy), not fetched per pod per sync.
import { lstatSync, mkdirSync, promises as fs } from 'node:fs';
import { join, normalize } from 'node:path';
import type { ConfigMap, Container, Pod, Secret, Volume, VolumeProjection } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import { canonicalQuantity, toValue } from '../../api/validation/quantity.js';
import type { Logger } from '../../util/log.js';
import type { KubeObject } from '../../api/object.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { Mount } from '../runtime/types.js';
import { expand, mappingFor } from '../env/expansion.js';
import { writeAtomic, type Payload } from './atomic-writer.js';
import { diskUsage, setUpEmptyDir, unmountAll } from './empty-dir.js';
import { aggregateMessage, VolumeError } from './errors.js';
import { checkHostPathType } from './host-path.js';
import { configMapPayload, defaultFileMode, downwardAPIPayload, secretPayload } from './payloads.js';
import { TokenManager } from './token-manager.js';
import { WatchedObjects } from './watched-objects.js';

export { VolumeError } from './errors.js';

export interface VolumeManagerOptions {
  rootDir: string;
  client: Client;
  nodeName: string;
  log: Logger;
  /** Defaults for container limits in downwardAPI resourceFieldRefs. */
  nodeAllocatable?: Record<string, string>;
  /** Time for token refresh decisions (tests). */
  clock?: Clock;
  /**
   * How ConfigMap/Secret changes reach volumes (upstream configMapAndSecretChangeDetectionStrategy):
   * 'Watch' (default) keeps one watch per referenced object; 'Get' reads the API on every sync.
   */
  changeDetection?: 'Watch' | 'Get';
}

export interface EmptyDirUsage {
  usedBytes: number;
  /** sizeLimit in bytes, when set. */
  limitBytes?: number;
  path: string;
}

type Plugin = 'empty-dir' | 'configmap' | 'secret' | 'downward-api' | 'projected' | 'host-path';

/** Volumes whose contents come from the API: mounted read-only into containers, as upstream. */
const readOnlyPlugins = new Set<Plugin>(['configmap', 'secret', 'downward-api', 'projected']);

function pluginOf(v: Volume): Plugin | undefined {
  if (v.emptyDir) return 'empty-dir';
  if (v.configMap) return 'configmap';
  if (v.secret) return 'secret';
  if (v.downwardAPI) return 'downward-api';
  if (v.projected) return 'projected';
  if (v.hostPath) return 'host-path';
  return undefined;
}

export class VolumeManager {
  private readonly tokens: TokenManager;
  private readonly clock: Clock;
  private readonly configMaps: WatchedObjects<ConfigMap & KubeObject> | undefined;
  private readonly secrets: WatchedObjects<Secret & KubeObject> | undefined;
  /** Per-pod chain that serializes mount/refresh/cleanup of one pod. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: VolumeManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.tokens = new TokenManager(opts.client, this.clock);
    if ((opts.changeDetection ?? 'Watch') === 'Watch') {
      this.configMaps = new WatchedObjects((ns) => opts.client.resource(resources.configMaps, ns), 'configmap', opts.log);
      this.secrets = new WatchedObjects((ns) => opts.client.resource(resources.secrets, ns), 'secret', opts.log);
    }
  }

  /** Stops the watches on ConfigMaps and Secrets. */
  stop(): void {
    this.configMaps?.stop();
    this.secrets?.stop();
  }

  /** Objects watched for the node's pods (tests). */
  get watchedObjects(): { configMaps: number; secrets: number } {
    return { configMaps: this.configMaps?.watchCount ?? 0, secrets: this.secrets?.watchCount ?? 0 };
  }

  /** upstream RegisterPod: the ConfigMaps and Secrets the pod's volumes use are watched from now on. */
  private registerPod(pod: Pod): void {
    const uid = uidOf(pod);
    const ns = pod.metadata?.namespace ?? 'default';
    const cms = new Set<string>();
    const secrets = new Set<string>();
    for (const v of pod.spec?.volumes ?? []) {
      if (v.configMap?.name) cms.add(v.configMap.name);
      if (v.secret?.secretName) secrets.add(v.secret.secretName);
      for (const s of v.projected?.sources ?? []) {
        if (s.configMap?.name) cms.add(s.configMap.name);
        if (s.secret?.name) secrets.add(s.secret.name);
      }
    }
    this.configMaps?.registerPod(uid, ns, cms);
    this.secrets?.registerPod(uid, ns, secrets);
  }

  podDir(podUid: string): string {
    return join(this.opts.rootDir, 'pods', podUid);
  }

  volumeDir(podUid: string, plugin: string, name: string): string {
    return join(this.podDir(podUid), 'volumes', `kubernetes.io~${plugin}`, name);
  }

  /**
   * Sets up every volume of the pod; answers volume name → host path. Throws VolumeError
   * (FailedMount) naming the first volume that could not be set up; the kubelet retries.
   */
  mountPodVolumes(pod: Pod): Promise<Map<string, string>> {
    return this.serialize(uidOf(pod), async () => {
      this.registerPod(pod);
      const paths = new Map<string, string>();
      for (const v of pod.spec?.volumes ?? []) {
        const plugin = pluginOf(v);
        if (!plugin) throw new VolumeError(`MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : volume type is not supported by this node agent`);
        try {
          paths.set(v.name, await this.setUp(pod, v, plugin));
        } catch (err) {
          throw new VolumeError(`MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : ${(err as Error).message}`);
        }
      }
      return paths;
    });
  }

  /**
   * The runtime mounts of a container: each volumeMount at its mountPath, narrowed to subPath
   * (created as a directory when missing, as upstream), read-only when asked or when the volume
   * is API-backed. subPathExpr expands the container's literal env values (not valueFrom ones).
   * Throws VolumeError (CreateContainerConfigError) for an unknown volume or a subPath leaving it.
   */
  containerMounts(pod: Pod, container: Container, volumePaths: Map<string, string>): Mount[] {
    const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
    const env = new Map((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    const mounts: Mount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const hostPath = volumePaths.get(m.name);
      const volume = volumes.get(m.name);
      if (hostPath === undefined || !volume) throw new VolumeError(`cannot find volume ${JSON.stringify(m.name)} to mount into container ${JSON.stringify(container.name)}`, 'CreateContainerConfigError');
      const subPath = m.subPathExpr ? expand(m.subPathExpr, mappingFor(env)) : m.subPath;
      let path = hostPath;
      if (subPath) {
        if (subPath.startsWith('/') || normalize(subPath).split('/').includes('..')) {
          throw new VolumeError(`failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(container.name)}`, 'CreateContainerConfigError');
        }
        path = join(hostPath, subPath);
        ensureSubPath(path);
      }
      mounts.push({ containerPath: m.mountPath, hostPath: path, readOnly: !!m.readOnly || readOnlyPlugins.has(pluginOf(volume)!), ...(subPath ? { subPath: true } : {}) });
    }
    return mounts;
  }

  /**
   * Rewrites configMap, secret, downwardAPI and projected volumes from current objects (labels,
   * annotations, ConfigMap/Secret updates, tokens near expiry). Unchanged volumes are not
   * touched. Failures are logged and the old contents stay, as upstream.
   */
  refreshPodVolumes(pod: Pod): Promise<void> {
    return this.serialize(uidOf(pod), async () => {
      this.registerPod(pod);
      for (const v of pod.spec?.volumes ?? []) {
        const plugin = pluginOf(v);
        if (!plugin || !readOnlyPlugins.has(plugin)) continue;
        try {
          await this.setUp(pod, v, plugin);
        } catch (err) {
          this.opts.log.warn({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, volume: v.name, err: (err as Error).message }, 'volume refresh failed');
        }
      }
    });
  }

  /** Unmounts and removes everything under the pod's directory and forgets its tokens. */
  cleanupPodVolumes(podUid: string): Promise<void> {
    return this.serialize(podUid, async () => {
      this.tokens.deletePod(podUid);
      this.configMaps?.unregisterPod(podUid);
      this.secrets?.unregisterPod(podUid);
      const dir = this.podDir(podUid);
      await unmountAll(dir, this.opts.log);
      await fs.rm(join(dir, 'volumes'), { recursive: true, force: true });
    });
  }

  /** Space used by each emptyDir volume of the pod (for the kubelet's sizeLimit eviction). */
  async emptyDirUsage(pod: Pod): Promise<Map<string, EmptyDirUsage>> {
    const out = new Map<string, EmptyDirUsage>();
    for (const v of pod.spec?.volumes ?? []) {
      if (!v.emptyDir) continue;
      const path = this.volumeDir(uidOf(pod), 'empty-dir', v.name);
      const usage: EmptyDirUsage = { usedBytes: await diskUsage(path), path };
      if (v.emptyDir.sizeLimit !== undefined) usage.limitBytes = toValue(String(v.emptyDir.sizeLimit));
      out.set(v.name, usage);
    }
    return out;
  }

  /**
   * The eviction message when an emptyDir of the pod uses more than its sizeLimit (upstream
   * eviction manager: "Usage of EmptyDir volume "x" exceeds the limit "1Mi". "); undefined
   * while every emptyDir is within its limit. The kubelet evicts the pod with it.
   */
  async emptyDirLimitExceeded(pod: Pod): Promise<string | undefined> {
    const limits = new Map((pod.spec?.volumes ?? []).filter((v) => v.emptyDir?.sizeLimit !== undefined).map((v) => [v.name, String(v.emptyDir!.sizeLimit)]));
    if (limits.size === 0) return undefined;
    for (const [name, u] of await this.emptyDirUsage(pod)) {
      if (u.limitBytes !== undefined && u.usedBytes > u.limitBytes) return `Usage of EmptyDir volume ${JSON.stringify(name)} exceeds the limit ${JSON.stringify(canonicalQuantity(limits.get(name)!))}. `;
    }
    return undefined;
  }

  // ---- plugins -------------------------------------------------------------------------------

  private async setUp(pod: Pod, v: Volume, plugin: Plugin): Promise<string> {
    const uid = uidOf(pod);
    if (plugin === 'host-path') {
      await checkHostPathType(v.hostPath!.path, v.hostPath!.type);
      return v.hostPath!.path;
    }
    const dir = this.volumeDir(uid, plugin, v.name);
    if (plugin === 'empty-dir') {
      await setUpEmptyDir(dir, v.emptyDir!, this.opts.log);
      return dir;
    }
    const payload = await this.payloadFor(pod, v);
    await writeAtomic(dir, payload, new Date(this.clock.now()));
    return dir;
  }

  private async payloadFor(pod: Pod, v: Volume): Promise<Payload> {
    const ns = pod.metadata?.namespace ?? 'default';
    if (v.configMap) {
      const src = v.configMap;
      const cm = await this.getConfigMap(ns, src.name ?? '', !!src.optional);
      return configMapPayload(src.items, cm, src.defaultMode ?? defaultFileMode, !!src.optional);
    }
    if (v.secret) {
      const src = v.secret;
      const secret = await this.getSecret(ns, src.secretName ?? '', !!src.optional);
      return secretPayload(src.items, secret, src.defaultMode ?? defaultFileMode, !!src.optional);
    }
    if (v.downwardAPI) {
      const { payload, errors } = downwardAPIPayload(v.downwardAPI.items, pod, v.downwardAPI.defaultMode ?? defaultFileMode, this.opts.nodeAllocatable);
      if (errors.length) throw new Error(aggregateMessage(errors));
      return payload;
    }
    return this.projectedPayload(pod, v.projected!.sources ?? [], v.projected!.defaultMode ?? defaultFileMode);
  }

  /** upstream projected collectData: every source into one payload; errors aggregated. */
  private async projectedPayload(pod: Pod, sources: VolumeProjection[], defaultMode: number): Promise<Payload> {
    const ns = pod.metadata?.namespace ?? 'default';
    const payload: Payload = new Map();
    const errors: string[] = [];
    const merge = (p: Payload) => p.forEach((f, k) => payload.set(k, f));
    for (const s of sources) {
      try {
        if (s.configMap) {
          const optional = !!s.configMap.optional;
          merge(configMapPayload(s.configMap.items, await this.getConfigMap(ns, s.configMap.name ?? '', optional), defaultMode, optional));
        } else if (s.secret) {
          const optional = !!s.secret.optional;
          merge(secretPayload(s.secret.items, await this.getSecret(ns, s.secret.name ?? '', optional), defaultMode, optional));
        } else if (s.downwardAPI) {
          const r = downwardAPIPayload(s.downwardAPI.items, pod, defaultMode, this.opts.nodeAllocatable);
          merge(r.payload);
          errors.push(...r.errors);
        } else if (s.serviceAccountToken) {
          const t = s.serviceAccountToken;
          const token = await this.tokens.getToken({
            namespace: ns,
            serviceAccount: pod.spec?.serviceAccountName || 'default',
            audience: t.audience ?? '',
            expirationSeconds: t.expirationSeconds ?? 3600,
            podName: pod.metadata?.name ?? '',
            podUid: uidOf(pod),
          });
          payload.set(t.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode });
        }
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length) throw new Error(aggregateMessage(errors));
    return payload;
  }

  /** The ConfigMap, or an empty one when it is missing and optional. */
  private async getConfigMap(ns: string, name: string, optional: boolean): Promise<ConfigMap> {
    const cm = this.configMaps ? await this.configMaps.get(ns, name) : await getOrUndefined(() => this.opts.client.resource(resources.configMaps).get(name, { namespace: ns }));
    if (cm) return cm;
    if (optional) return { metadata: { name, namespace: ns } };
    throw new Error(`configmap ${JSON.stringify(name)} not found`);
  }

  private async getSecret(ns: string, name: string, optional: boolean): Promise<Secret> {
    const secret = this.secrets ? await this.secrets.get(ns, name) : await getOrUndefined(() => this.opts.client.resource(resources.secrets).get(name, { namespace: ns }));
    if (secret) return secret;
    if (optional) return { metadata: { name, namespace: ns } };
    throw new Error(`secret ${JSON.stringify(name)} not found`);
  }

  private serialize<T>(podUid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(podUid) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    this.locks.set(podUid, tail);
    tail.then(() => {
      if (this.locks.get(podUid) === tail) this.locks.delete(podUid);
    });
    return next;
  }
}

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function uidOf(pod: Pod): string {
  const uid = pod.metadata?.uid;
  if (!uid) throw new VolumeError('pod has no metadata.uid');
  return uid;
}

/** A subPath that does not exist yet becomes a directory (upstream creates it 0750). */
function ensureSubPath(path: string): void {
  try {
    lstatSync(path);
  } catch {
    mkdirSync(path, { recursive: true, mode: 0o750 });
  }
}
