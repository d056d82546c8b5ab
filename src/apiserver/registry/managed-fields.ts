// metadata.managedFields bookkeeping on every create, update and non-apply patch: the manager
// that wrote a change owns the fields it changed (server-side apply computes its own).
import { updateManagedFields } from '../../api/patch/apply/index.js';
import { formatTime } from './context.js';
import type { ManagedFieldsTracker } from './generic-store.js';

export const managedFieldsTracker: ManagedFieldsTracker = {
  update(entry, old, updated, ctx, subresource) {
    updateManagedFields({
      old,
      updated,
      manager: ctx.fieldManager,
      operation: 'Update',
      subresource: subresource || undefined,
      schema: entry.schema(),
      now: formatTime(ctx.now),
    });
  },
};
