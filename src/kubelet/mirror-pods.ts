// Mirror pods (upstream pod/mirror_client.go and the kubelet's mirror handling): every static pod
// gets an API pod of the same name and namespace, annotated kubernetes.io/config.mirror with the
// static pod's hash and owned by the Node, so `kubectl get pods` shows it and its status. The API
// copy is never run; deleting it only makes the agent create it again; removing the manifest
// deletes it. Reconciled whenever the static pods or the observed mirror pods change.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../api/object.js';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { configHashAnnotation, configMirrorAnnotation } from './pod-util.js';
import type { StatusTarget } from './status/status-manager.js';

export interface MirrorPodsOptions {
  client: Client;
  nodeName: string;
  nodeUid(): string | undefined;
  log: Logger;
}

const key = (p: Pod) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`;

export class MirrorPods {
  /** ns/name → mirror pod seen in the API. */
  private readonly mirrors = new Map<string, Pod>();
  private statics = new Map<string, Pod>();
  private running?: Promise<void>;
  private again = false;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: MirrorPodsOptions) {}

  /** A mirror pod added/updated in the API (from the pod informer). */
  observe(pod: Pod): void {
    this.mirrors.set(key(pod), pod);
    this.reconcileSoon();
  }

  /** A mirror pod deleted in the API. */
  forget(pod: Pod): void {
    if (this.mirrors.get(key(pod))?.metadata?.uid === pod.metadata?.uid) this.mirrors.delete(key(pod));
    this.reconcileSoon();
  }

  setStaticPods(pods: Pod[]): void {
    this.statics = new Map(pods.map((p) => [key(p), p]));
    this.reconcileSoon();
  }

  /** Where a static pod's status goes: its mirror pod, once it exists. */
  target(pod: Pod): StatusTarget | undefined {
    const m = this.mirrors.get(key(pod));
    if (!m?.metadata?.uid || m.metadata.deletionTimestamp) return undefined;
    if (m.metadata.annotations?.[configMirrorAnnotation] !== pod.metadata?.annotations?.[configHashAnnotation]) return undefined;
    return { namespace: m.metadata.namespace ?? 'default', name: m.metadata.name ?? '', uid: m.metadata.uid };
  }

  /** Resolves when the current reconciliation (if any) is done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private reconcileSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.reconcile()
      .catch((err: unknown) => {
        this.o.log.warn({ err }, 'cannot reconcile mirror pods');
        this.retry = setTimeout(() => this.reconcileSoon(), 2000);
        this.retry.unref();
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.reconcileSoon();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const pods = this.o.client.resource(resources.pods);
    for (const [k, s] of this.statics) {
      const hash = s.metadata?.annotations?.[configHashAnnotation];
      const m = this.mirrors.get(k);
      if (m && m.metadata?.annotations?.[configMirrorAnnotation] === hash && !m.metadata?.deletionTimestamp) continue;
      if (m) {
        // Outdated (the manifest changed) or being deleted: replace it.
        await pods.delete(m.metadata?.name ?? '', { namespace: m.metadata?.namespace, gracePeriodSeconds: 0, preconditions: { uid: m.metadata?.uid } }).catch(ignoreGone);
        this.mirrors.delete(k);
      }
      const uid = this.o.nodeUid();
      const mirror = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: s.metadata?.name,
          namespace: s.metadata?.namespace,
          labels: s.metadata?.labels,
          annotations: { ...(s.metadata?.annotations ?? {}), [configMirrorAnnotation]: hash ?? '' },
          ownerReferences: uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid, controller: true }] : undefined,
        },
        spec: s.spec,
      } as Pod & KubeObject;
      try {
        const created = await pods.create(mirror);
        this.mirrors.set(k, created);
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
    for (const [k, m] of this.mirrors) {
      if (this.statics.has(k) || m.metadata?.deletionTimestamp) continue;
      await pods.delete(m.metadata?.name ?? '', { namespace: m.metadata?.namespace, gracePeriodSeconds: 0, preconditions: { uid: m.metadata?.uid } }).catch(ignoreGone);
      this.mirrors.delete(k);
    }
  }
}

function ignoreGone(err: unknown): void {
  const code = (err as { code?: number }).code;
  if (code !== 404 && code !== 409) throw err;
}
