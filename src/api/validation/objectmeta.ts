// ObjectMeta validation on create and update, as k8s.io/apimachinery/pkg/api/validation/
// objectmeta.go and pkg/apis/meta/v1/validation: names, namespace, labels, annotations,
// owner references, finalizers, managed fields, and what may not change on update.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { asArray, asObject, asString, child, deepEqual, each, forbidden, immutable, index, invalid, nonNegative, required, tooLong, type Errors } from './field.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameValidator } from './names.js';

export const totalAnnotationSizeLimitB = 256 * 1024;

/** Whether the kind lives in a namespace; 'unknown' skips the namespace rule (custom kinds whose
 *  scope the caller enforces itself). */
export type Scope = 'namespaced' | 'cluster' | 'unknown';

export function validateLabels(labels: unknown, field: string): Errors {
  const errs: Errors = [];
  for (const [k, v] of Object.entries(asObject(labels))) {
    errs.push(...validateLabelName(k, field));
    const value = typeof v === 'string' ? v : String(v);
    errs.push(...each(field, value, isValidLabelValue(value)));
  }
  return errs;
}

export function validateLabelName(name: string, field: string): Errors {
  return each(field, name, isQualifiedName(name));
}

export function annotationsSize(annotations: Record<string, unknown>): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) total += Buffer.byteLength(k) + Buffer.byteLength(asString(v));
  return total;
}

export function validateAnnotations(annotations: unknown, field: string): Errors {
  const errs: Errors = [];
  const map = asObject(annotations);
  for (const k of Object.keys(map)) {
    // Annotation keys are qualified names in any letter case.
    errs.push(...each(field, k, isQualifiedName(k.toLowerCase())));
  }
  if (annotationsSize(map) > totalAnnotationSizeLimitB) errs.push(tooLong(field, totalAnnotationSizeLimitB));
  return errs;
}

/** Kinds that may not own anything (their deletion would take unrelated objects along). */
const bannedOwners = new Set(['v1/Event']);

export function validateOwnerReferences(refs: unknown, field: string): Errors {
  const errs: Errors = [];
  let firstController = '';
  for (const raw of asArray(refs)) {
    const ref = asObject(raw);
    const apiVersion = asString(ref.apiVersion);
    const kind = asString(ref.kind);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version || apiVersion.split('/').length > 2) errs.push(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!kind) errs.push(invalid(child(field, 'kind'), kind, 'kind must not be empty'));
    if (!asString(ref.name)) errs.push(invalid(child(field, 'name'), asString(ref.name), 'name must not be empty'));
    if (!asString(ref.uid)) errs.push(invalid(child(field, 'uid'), asString(ref.uid), 'uid must not be empty'));
    const gvk = `${apiVersion}/${kind}`;
    if (bannedOwners.has(gvk)) {
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      errs.push(invalid(field, ref, `${group}/${version}, Kind=${kind} is disallowed from being an owner`));
    }
    if (ref.controller === true) {
      const name = `${kind}/${asString(ref.name)}`;
      if (firstController) {
        errs.push(invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else {
        firstController = name;
      }
    }
  }
  return errs;
}

export function validateFinalizerName(name: string, field: string): Errors {
  return each(field, name, isQualifiedName(name));
}

export function validateFinalizers(finalizers: unknown, field: string): Errors {
  const errs: Errors = [];
  const list = asArray(finalizers).map(asString);
  for (const f of list) errs.push(...validateFinalizerName(f, field));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

// Any code point of Unicode category C (control, format, surrogate, private use, unassigned).
const controlOrUnassigned = /\p{C}/u;

export function validateManagedFields(entries: unknown, field: string): Errors {
  const errs: Errors = [];
  asArray(entries).forEach((raw, i) => {
    const e = asObject(raw);
    const path = index(field, i);
    const op = asString(e.operation);
    if (op !== 'Apply' && op !== 'Update') errs.push(invalid(child(path, 'operation'), op, 'must be `Apply` or `Update`'));
    const fieldsType = asString(e.fieldsType);
    if (fieldsType && fieldsType !== 'FieldsV1') errs.push(invalid(child(path, 'fieldsType'), fieldsType, 'must be `FieldsV1`'));
    const manager = asString(e.manager);
    if (manager.length > 128) errs.push(tooLong(child(path, 'manager'), 128));
    else if (controlOrUnassigned.test(manager)) errs.push(invalid(child(path, 'manager'), manager, 'invalid characters'));
    if (asString(e.subresource).length > 256) errs.push(tooLong(child(path, 'subresource'), 256));
  });
  return errs;
}

export const validateNamespaceName: NameValidator = nameIsDNSLabel;

/** ValidateObjectMeta: `nameFn` decides what a valid name is for this kind. */
export function validateObjectMeta(meta: ObjectMeta | undefined, scope: Scope, nameFn: NameValidator, field = 'metadata'): Errors {
  const m = meta ?? {};
  const errs: Errors = [];
  // Every write of every object comes here: field paths are built only for what has errors,
  // and the parts a typical object leaves out (which could only answer "no errors") are skipped.
  const generateName = m.generateName ?? '';
  if (generateName) invalidEach(errs, field, 'generateName', generateName, nameFn(generateName, true));
  const name = m.name ?? '';
  if (!name) errs.push(required(child(field, 'name'), 'name or generateName is required'));
  else invalidEach(errs, field, 'name', name, nameFn(name, false));
  const namespace = m.namespace ?? '';
  if (scope === 'namespaced') {
    if (!namespace) errs.push(required(child(field, 'namespace')));
    else invalidEach(errs, field, 'namespace', namespace, isDNS1123Label(namespace));
  } else if (scope === 'cluster' && namespace) {
    errs.push(forbidden(child(field, 'namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(...nonNegative(m.generation, child(field, 'generation')));
  if (m.labels !== undefined) errs.push(...validateLabels(m.labels, child(field, 'labels')));
  if (m.annotations !== undefined) errs.push(...validateAnnotations(m.annotations, child(field, 'annotations')));
  if (m.ownerReferences !== undefined) errs.push(...validateOwnerReferences(m.ownerReferences, child(field, 'ownerReferences')));
  if (m.finalizers !== undefined) errs.push(...validateFinalizers(m.finalizers, child(field, 'finalizers')));
  if (m.managedFields !== undefined) errs.push(...validateManagedFields(m.managedFields, child(field, 'managedFields')));
  return errs;
}

/** each() at field.sub, appended to errs; the path is built only when there are messages. */
function invalidEach(errs: Errors, field: string, sub: string, value: unknown, messages: string[]): void {
  if (messages.length) errs.push(...each(child(field, sub), value, messages));
}

/** ValidateObjectMetaUpdate: identity fields are immutable; a deleting object gets no new finalizers.
 *  The caller must have copied the stored resourceVersion into an unconditional update first. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, field = 'metadata'): Errors {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: Errors = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const extra = [...new Set((m.finalizers ?? []).filter((f) => !before.has(f)))].sort();
    if (extra.length) {
      errs.push(forbidden(child(field, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (!m.resourceVersion) errs.push(invalid(child(field, 'resourceVersion'), m.resourceVersion ?? '', 'must be specified for an update'));
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(child(field, 'generation'), m.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(m.name ?? '', o.name ?? '', child(field, 'name')));
  errs.push(...immutable(m.namespace ?? '', o.namespace ?? '', child(field, 'namespace')));
  errs.push(...immutable(m.uid ?? '', o.uid ?? '', child(field, 'uid')));
  errs.push(...immutableTime(m.creationTimestamp, o.creationTimestamp, child(field, 'creationTimestamp')));
  errs.push(...immutableTime(m.deletionTimestamp, o.deletionTimestamp, child(field, 'deletionTimestamp')));
  errs.push(...immutable(m.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, child(field, 'deletionGracePeriodSeconds')));
  errs.push(...validateLabels(m.labels, child(field, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(field, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(field, 'ownerReferences')));
  errs.push(...validateManagedFields(m.managedFields, child(field, 'managedFields')));
  return errs;
}

/** Timestamps compare at second precision, as metav1.Time does after a round trip. */
function immutableTime(a: string | undefined, b: string | undefined, field: string): Errors {
  const secs = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) : undefined);
  return deepEqual(secs(a), secs(b)) ? [] : [invalid(field, a ?? null, 'field is immutable')];
}
