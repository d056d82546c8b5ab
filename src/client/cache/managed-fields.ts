// The transform that drops metadata.managedFields from cached objects: they are never read by a
// controller that does not apply, and are a large share of each object (upstream's scheduler and
// many controllers set such a transform). An informer given this very function also has its
// watches leave managedFields out while decoding (watch/decoder.ts withoutManagedFields), which
// spares parsing them; the objects cached are the same either way.
import type { KubeObject } from '../../api/object.js';

export function dropManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
