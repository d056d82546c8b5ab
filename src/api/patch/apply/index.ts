// Server-side apply and managedFields tracking: the public surface of this folder.
export { serverSideApply, type ServerSideApplyArgs } from './server-side-apply.js';
export { updateManagedFields, type UpdateManagedFieldsArgs } from './update-managed-fields.js';
export { FieldSet, union, intersection, difference } from './fieldset.js';
export { toFieldsV1, fromFieldsV1, type FieldsV1 } from './fields-v1.js';
export { fieldManagerFor, FIELD_MANAGER_MAX_LENGTH } from './manager-name.js';
export { fieldSetOf } from './field-set-of.js';
export { pathString, type Path, type PathElement } from './path.js';
