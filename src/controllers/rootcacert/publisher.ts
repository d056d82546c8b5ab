// The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every namespace holds a ConfigMap "kube-root-ca.crt" whose "ca.crt" is the cluster CA bundle,
// so pods can verify the API server. A deleted one is recreated; an edited one is put back.
import type { ConfigMap as CoreConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { isDeepStrictEqual } from 'node:util';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { StatusError } from '../../api/status.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';

type ConfigMap = CoreConfigMap & KubeObject;

export const rootCACertConfigMapName = 'kube-root-ca.crt';
export const descriptionAnnotation = 'kubernetes.io/description';
export const rootCACertDescription =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The API server's cause when a namespace refuses new content because it is being deleted. */
const namespaceTerminatingCause = 'NamespaceTerminating';

function hasStatusCause(err: unknown, reason: string): boolean {
  return err instanceof StatusError && (err.details?.causes ?? []).some((c) => c.reason === reason);
}

export interface RootCACertPublisherOptions {
  /** The CA bundle (PEM) published as ca.crt. */
  caPem: string;
  workers?: number;
}

export function newRootCACertPublisherController(ctx: ControllerContext, opts: RootCACertPublisherOptions): Controller {
  const namespaces = ctx.informers.for(resources.namespaces);
  const configMaps = ctx.informers.for(resources.configMaps);
  const queue = newRateLimitingQueue<string>({ name: 'root_ca_cert_publisher' });
  const log = ctx.log.child({ controller: 'root-ca-cert-publisher' });
  const client = ctx.client.resource(resources.configMaps);
  const data = { 'ca.crt': opts.caPem };

  namespaces.addEventHandler({
    onAdd: (ns: Namespace) => queue.add(ns.metadata!.name!),
    onUpdate: (_old: Namespace, ns: Namespace) => {
      if (ns.status?.phase === 'Active') queue.add(ns.metadata!.name!);
    },
  });
  const onConfigMap = (obj: ConfigMap | Parameters<typeof isDeletedFinalStateUnknown>[0]) => {
    const cm = (isDeletedFinalStateUnknown(obj) ? obj.obj : obj) as ConfigMap;
    if (cm.metadata?.name === rootCACertConfigMapName && cm.metadata.namespace) queue.add(cm.metadata.namespace);
  };
  configMaps.addEventHandler({
    onUpdate: (_old, cm) => onConfigMap(cm),
    onDelete: (obj) => onConfigMap(obj),
  });

  async function sync(namespace: string): Promise<void> {
    const cm = configMaps.getIndexer().getByKey(`${namespace}/${rootCACertConfigMapName}`) as ConfigMap | undefined;
    if (!cm) {
      try {
        await client.create(
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: rootCACertConfigMapName, namespace, annotations: { [descriptionAnnotation]: rootCACertDescription } },
            data,
          },
          { namespace },
        );
      } catch (err) {
        // Don't retry when the namespace is gone or is being deleted.
        if (isNotFound(err) || hasStatusCause(err, namespaceTerminatingCause)) return;
        throw err;
      }
      return;
    }
    // Only the data and the one annotation describing the ConfigMap's use are ours to keep.
    if (isDeepStrictEqual(cm.data ?? {}, data) && cm.metadata?.annotations?.[descriptionAnnotation]) return;
    const updated: ConfigMap = structuredClone(cm);
    updated.data = data;
    const meta = (updated.metadata ??= {});
    meta.annotations = { ...meta.annotations, [descriptionAnnotation]: rootCACertDescription };
    // A conflict (our cache is behind) fails the sync; the requeue sees the newer object.
    await client.update(updated, { namespace });
  }

  return {
    name: 'root-ca-cert-publisher',
    run: (signal) => runWorkers(queue, opts.workers ?? 1, (ns) => sync(ns), signal, { log }),
  };
}

/** The publisher as a manager descriptor; `caPem` is the cluster CA bundle to publish. */
export function newRootCACertPublisher(caPem: string): ControllerDescriptor {
  return { name: 'root-ca-cert-publisher', create: (ctx) => newRootCACertPublisherController(ctx, { caPem }) };
}
