// The fields each kind can be selected by, as upstream registers them: the attribute values come
// from each registry's ToSelectableFields / GetAttrs, the set of accepted labels (and the exact
// error for any other) from each API group's AddFieldLabelConversionFunc. Kinds without a
// registration accept only metadata.name and metadata.namespace.
import type { KubeObject } from '../object.js';
import { badRequest } from '../status.js';
import type { FieldSelector } from './fields.js';

type Obj = Record<string, unknown>;

function sub(o: unknown, key: string, field: string): unknown {
  const inner = o !== null && typeof o === 'object' ? (o as Obj)[key] : undefined;
  return inner !== null && typeof inner === 'object' ? (inner as Obj)[field] : undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const num = (v: unknown): string => String(typeof v === 'number' ? v : 0);
const bool = (v: unknown): string => String(v === true);

/** One selectable field's value for an object, as upstream's GetAttrs would put it in the field set. */
export type FieldGetter = (obj: KubeObject) => string;

interface KindFields {
  /** Field labels accepted in a selector (beyond these, the message below). */
  supported: string[];
  /** Upstream's message for any other label. */
  reject: (field: string) => string;
  /** Kind-specific attributes; metadata.name/namespace are added by fieldAttrsFor. */
  attrs?: Record<string, FieldGetter>;
}

const coreReject = (field: string) => `field label not supported: ${field}`;
const defaultReject = (field: string) => `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
const meta = ['metadata.name', 'metadata.namespace'];

function eventAttrs(regardingKey: 'involvedObject' | 'regarding'): Record<string, FieldGetter> {
  const ref = (field: string) => (obj: KubeObject) => str(sub(obj, regardingKey, field));
  const reportingController = (obj: KubeObject) => str(obj.reportingController ?? obj.reportingComponent);
  const sourceKey = regardingKey === 'regarding' ? 'deprecatedSource' : 'source';
  return {
    'involvedObject.kind': ref('kind'),
    'involvedObject.namespace': ref('namespace'),
    'involvedObject.name': ref('name'),
    'involvedObject.uid': ref('uid'),
    'involvedObject.apiVersion': ref('apiVersion'),
    'involvedObject.resourceVersion': ref('resourceVersion'),
    'involvedObject.fieldPath': ref('fieldPath'),
    reason: (obj) => str(obj.reason),
    reportingComponent: reportingController,
    source: (obj) => str(sub(obj, sourceKey, 'component')) || reportingController(obj),
    type: (obj) => str(obj.type),
  };
}

const coreEventFields = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  ...meta,
];

/** events.k8s.io/v1 names the same attributes after its own fields. */
const eventsV1Aliases: Record<string, string> = {
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  'deprecatedSource.component': 'source',
};

function eventsV1Attrs(): Record<string, FieldGetter> {
  const core = eventAttrs('regarding');
  const out = { ...core };
  for (const [alias, target] of Object.entries(eventsV1Aliases)) out[alias] = core[target];
  return out;
}

const table: Record<string, KindFields> = {
  '/Pod': {
    supported: [
      ...meta,
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ],
    reject: coreReject,
    attrs: {
      'spec.nodeName': (pod) => str(sub(pod, 'spec', 'nodeName')),
      'spec.restartPolicy': (pod) => str(sub(pod, 'spec', 'restartPolicy')),
      'spec.schedulerName': (pod) => str(sub(pod, 'spec', 'schedulerName')),
      'spec.serviceAccountName': (pod) => str(sub(pod, 'spec', 'serviceAccountName')),
      'spec.hostNetwork': (pod) => bool(sub(pod, 'spec', 'hostNetwork')),
      'status.phase': (pod) => str(sub(pod, 'status', 'phase')),
      // upstream selects on the first pod IP only (status.podIP falls back to nothing else)
      'status.podIP': (pod) => {
        const podIPs = sub(pod, 'status', 'podIPs');
        return Array.isArray(podIPs) && podIPs.length > 0 ? str((podIPs[0] as Obj).ip) : '';
      },
      'status.nominatedNodeName': (pod) => str(sub(pod, 'status', 'nominatedNodeName')),
    },
  },
  '/Node': {
    supported: ['metadata.name', 'spec.unschedulable'],
    reject: coreReject,
    attrs: { 'spec.unschedulable': (n) => bool(sub(n, 'spec', 'unschedulable')) },
  },
  '/ReplicationController': {
    supported: [...meta, 'status.replicas'],
    reject: coreReject,
    attrs: { 'status.replicas': (rc) => num(sub(rc, 'status', 'replicas')) },
  },
  '/PersistentVolume': { supported: ['metadata.name'], reject: coreReject },
  '/Event': { supported: coreEventFields, reject: coreReject, attrs: eventAttrs('involvedObject') },
  '/Namespace': {
    supported: ['status.phase', 'metadata.name'],
    reject: coreReject,
    attrs: { 'status.phase': (ns) => str(sub(ns, 'status', 'phase')) },
  },
  '/Secret': { supported: ['type', ...meta], reject: coreReject, attrs: { type: (s) => str(s.type) } },
  'apps/ReplicaSet': {
    supported: [...meta, 'status.replicas'],
    reject: (f) => `field label not supported for appsv1.ReplicaSet: ${f}`,
    attrs: { 'status.replicas': (rs) => num(sub(rs, 'status', 'replicas')) },
  },
  'batch/Job': {
    supported: [...meta, 'status.successful'],
    reject: (f) => `field label ${JSON.stringify(f)} not supported for batchv1.Job`,
    attrs: { 'status.successful': (j) => num(sub(j, 'status', 'succeeded')) },
  },
  'certificates.k8s.io/CertificateSigningRequest': {
    supported: ['metadata.name', 'spec.signerName'],
    reject: coreReject,
    attrs: { 'spec.signerName': (csr) => str(sub(csr, 'spec', 'signerName')) },
  },
  'events.k8s.io/Event': {
    supported: [...meta, 'reason', 'type', ...Object.keys(eventsV1Aliases)],
    reject: coreReject,
    attrs: eventsV1Attrs(),
  },
};

function entry(group: string, kind: string): KindFields | undefined {
  return table[`${group}/${kind}`];
}

const metadataName: FieldGetter = (obj) => obj.metadata?.name ?? '';
// A cluster-scoped object has no metadata.namespace attribute, which a selector reads as "".
const metadataNamespace: FieldGetter = (obj) => obj.metadata?.namespace ?? '';
const noValue: FieldGetter = () => '';

/**
 * The attributes a field selector is matched against for one object: metadata.name, plus
 * metadata.namespace for namespaced objects, plus the kind's own selectable fields.
 */
export function fieldAttrsFor(group: string, kind: string, obj: KubeObject): Record<string, string> {
  const attrs: Record<string, string> = { 'metadata.name': metadataName(obj) };
  if (obj.metadata?.namespace !== undefined) attrs['metadata.namespace'] = obj.metadata.namespace;
  const getters = entry(group, kind)?.attrs;
  if (getters) for (const [field, get] of Object.entries(getters)) attrs[field] = get(obj);
  return attrs;
}

/**
 * The value `field` has in fieldAttrsFor(group, kind, obj), "" where the object has no such
 * attribute. A watch with a field selector matches every event against it, so the filter takes
 * one getter per term instead of building every attribute of the object each time.
 */
export function fieldGetter(group: string, kind: string, field: string): FieldGetter {
  if (field === 'metadata.name') return metadataName;
  if (field === 'metadata.namespace') return metadataNamespace;
  return entry(group, kind)?.attrs?.[field] ?? noValue;
}

/** Whether a field selector may name `field` for this kind. */
export function isSupportedField(group: string, kind: string, field: string): boolean {
  return (entry(group, kind)?.supported ?? meta).includes(field);
}

/** Upstream's rejection text for an unsupported field label, or undefined when it is supported. */
export function unsupportedFieldMessage(group: string, kind: string, field: string): string | undefined {
  if (isSupportedField(group, kind, field)) return undefined;
  return (entry(group, kind)?.reject ?? defaultReject)(field);
}

/** Throws the 400 upstream answers when a selector names a field the kind cannot be selected by. */
export function checkFieldSelector(group: string, kind: string, selector: FieldSelector): void {
  for (const r of selector) {
    const message = unsupportedFieldMessage(group, kind, r.field);
    if (message) throw badRequest(message);
  }
}
