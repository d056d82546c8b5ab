// The CustomResourceDefinition kind's strategy hooks (upstream: apiextensions-apiserver's
// registry/customresourcedefinition strategy.go and etcd.go's Delete).
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { Hooks } from '../registry/kind-hooks.js';
import { celLoaded, loadCEL, usesCEL } from '../../api/cel/library.js';
import { formatTime } from '../registry/context.js';
import { cleanupFinalizer, storageVersionOf, withCondition } from './crd-status.js';

const asCRD = (obj: KubeObject): CustomResourceDefinition => obj as unknown as CustomResourceDefinition;

export const crdHooks: Hooks = {
  // Validation checks that the CRD's CEL rules parse.
  ready: (obj) => (usesCEL(obj.spec) && !celLoaded() ? loadCEL().then(() => undefined) : undefined),
  // The status starts empty but for the storage version: objects will be stored at it.
  prepareForCreate(obj) {
    const storage = storageVersionOf(asCRD(obj));
    obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [storage] : [] };
  },
  // A new storage version joins storedVersions (the status itself is the old one, shared).
  prepareForUpdate(obj) {
    const crd = asCRD(obj);
    const storage = storageVersionOf(crd);
    const stored = crd.status?.storedVersions ?? [];
    if (storage && !stored.includes(storage)) obj.status = { ...crd.status, storedVersions: [...stored, storage] };
  },
  // The first delete only marks the CRD: its instances are deleted first, by the finalizer.
  prepareForDelete(obj) {
    const meta = (obj.metadata ??= {});
    if (!meta.finalizers?.includes(cleanupFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), cleanupFinalizer];
    const crd = asCRD(obj);
    obj.status = {
      ...crd.status,
      conditions: withCondition(
        crd.status?.conditions,
        { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' },
        formatTime(new Date()),
      ),
    };
  },
};
