// metadata.managedFields bookkeeping on every create, update and non-apply patch: the manager
// that wrote a change owns the fields it changed (server-side apply computes its own).
import { updateManagedFields } from '../../api/patch/apply/index.js';
import { markEncoded } from '../../api/patch/apply/managers.js';
import { formatTime } from './context.js';
import { bindManagedFields } from './bind-managed-fields.js';
import { createFastPathApplies, createManagedFieldsEntry } from './create-managed-fields.js';
import type { ManagedFieldsTracker } from './generic-store.js';

export const managedFieldsTracker: ManagedFieldsTracker = {
  update(entry, old, updated, ctx, subresource) {
    if (!old && !subresource && createFastPathApplies(updated)) {
      // A create whose client sent no managedFields: the creator owns exactly what it set.
      const created = createManagedFieldsEntry(updated, entry.schema(), ctx.fieldManager, formatTime(ctx.now));
      if (created) (updated.metadata ??= {}).managedFields = markEncoded([created]);
      else if (updated.metadata) delete updated.metadata.managedFields;
      return;
    }
    if (subresource === 'binding' && old) {
      const bound = bindManagedFields(old, updated, ctx.fieldManager, formatTime(ctx.now));
      if (bound) {
        updated.metadata = { ...updated.metadata, managedFields: bound };
        return;
      }
    }
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
