// Metadata-only access to any resource (client-go's metadata client): list, watch and get ask the
// server for PartialObjectMetadata(List) through the Accept header, so the collector caches
// ObjectMeta only, whatever the objects' size. Writes (delete, merge patch) go through the
// ordinary REST client; their answers are not used beyond success or failure.
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import type { DeleteOptions } from '../../client/rest/resource-client.js';
import { collectionPath, objectPath, queryString, type ResourceRef } from '../../client/rest/resource-ref.js';
import type { ListerWatcher, ListOptions, ObjectList, WatchOptions, WatchStream } from '../../client/types.js';
import { WatchDecoder } from '../../client/watch/decoder.js';

const metaV1 = 'g=meta.k8s.io;v=v1';
// The plain-JSON fallback keeps this working against a server that ignores `as=`: full objects
// carry the same metadata.
const acceptObject = `application/json;as=PartialObjectMetadata;${metaV1},application/json`;
const acceptList = `application/json;as=PartialObjectMetadataList;${metaV1},application/json`;

export interface MetadataClient {
  /** A ListerWatcher of PartialObjectMetadata for every namespace. */
  listerWatcher(ref: ResourceRef): ListerWatcher<KubeObject>;
  get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject>;
  delete(ref: ResourceRef, namespace: string, name: string, opts: DeleteOptions): Promise<void>;
  /** An RFC 7386 merge patch (works for built-in kinds and CRDs alike). */
  mergePatch(ref: ResourceRef, namespace: string, name: string, patch: unknown): Promise<void>;
}

export function metadataClient(client: Client): MetadataClient {
  const ns = (ref: ResourceRef, namespace: string) => (ref.namespaced ? namespace : undefined);
  return {
    listerWatcher(ref) {
      return {
        list: (o: ListOptions) =>
          client.requestJSON<ObjectList<KubeObject>>({
            method: 'GET',
            path: collectionPath(ref, undefined) + queryString({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion, resourceVersionMatch: o.resourceVersionMatch }),
            headers: { accept: acceptList },
          }).then((list) => ({ ...list, items: list.items ?? [] })),
        watch: async (o: WatchOptions): Promise<WatchStream<KubeObject>> => {
          const abort = new AbortController();
          const q = queryString({
            watch: 1,
            labelSelector: o.labelSelector,
            fieldSelector: o.fieldSelector,
            resourceVersion: o.resourceVersion,
            resourceVersionMatch: o.resourceVersionMatch,
            allowWatchBookmarks: o.allowWatchBookmarks,
            timeoutSeconds: o.timeoutSeconds,
            sendInitialEvents: o.sendInitialEvents,
          });
          const res = await client.requestStream({ method: 'GET', path: collectionPath(ref, undefined) + q, headers: { accept: acceptObject }, signal: abort.signal });
          return new WatchDecoder<KubeObject>(res.body, () => abort.abort());
        },
      };
    },
    get: (ref, namespace, name) => client.requestJSON<KubeObject>({ method: 'GET', path: objectPath(ref, ns(ref, namespace), name), headers: { accept: acceptObject } }),
    async delete(ref, namespace, name, opts) {
      await client.resource(ref).delete(name, { ...opts, namespace: ns(ref, namespace) });
    },
    async mergePatch(ref, namespace, name, patch) {
      await client.resource(ref).patch(name, patch, { type: 'merge', namespace: ns(ref, namespace) });
    },
  };
}
