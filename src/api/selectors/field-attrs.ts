// The fields each kind can be selected by, as upstream registers them: the attribute values come
// from each registry's ToSelectableFields / GetAttrs, the set of accepted labels (and the exact
// error for any other) from each API group's AddFieldLabelConversionFunc. Kinds without a
// registration accept only metadata.name and metadata.namespace.
import type { KubeObject } from '../object.js';
import { badRequest } from '../status.js';
import type { FieldSelector } from './fields.js';

type Obj = Record<string, unknown>;

function sub(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const num = (v: unknown): string => String(typeof v === 'number' ? v : 0);
const bool = (v: unknown): string => String(v === true);

interface KindFields {
  /** Field labels accepted in a selector (beyond these, the message below). */
  supported: string[];
  /** Upstream's message for any other label. */
  reject: (field: string) => string;
  /** Kind-specific attributes; metadata.name/namespace are added by fieldAttrsFor. */
  attrs?: (obj: KubeObject) => Record<string, string>;
}

const coreReject = (field: string) => `field label not supported: ${field}`;
const defaultReject = (field: string) => `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
const meta = ['metadata.name', 'metadata.namespace'];

function eventAttrs(obj: KubeObject, regardingKey: 'involvedObject' | 'regarding'): Record<string, string> {
  const ref = (obj[regardingKey] ?? {}) as Obj;
  const sourceComponent = str(sub(obj, regardingKey === 'regarding' ? 'deprecatedSource' : 'source', 'component'));
  const reportingController = str(obj.reportingController ?? obj.reportingComponent);
  return {
    'involvedObject.kind': str(ref.kind),
    'involvedObject.namespace': str(ref.namespace),
    'involvedObject.name': str(ref.name),
    'involvedObject.uid': str(ref.uid),
    'involvedObject.apiVersion': str(ref.apiVersion),
    'involvedObject.resourceVersion': str(ref.resourceVersion),
    'involvedObject.fieldPath': str(ref.fieldPath),
    reason: str(obj.reason),
    reportingComponent: reportingController,
    source: sourceComponent || reportingController,
    type: str(obj.type),
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
    attrs: (pod) => {
      const podIPs = sub(pod, 'status', 'podIPs');
      const first = Array.isArray(podIPs) && podIPs.length > 0 ? str((podIPs[0] as Obj).ip) : '';
      return {
        'spec.nodeName': str(sub(pod, 'spec', 'nodeName')),
        'spec.restartPolicy': str(sub(pod, 'spec', 'restartPolicy')),
        'spec.schedulerName': str(sub(pod, 'spec', 'schedulerName')),
        'spec.serviceAccountName': str(sub(pod, 'spec', 'serviceAccountName')),
        'spec.hostNetwork': bool(sub(pod, 'spec', 'hostNetwork')),
        'status.phase': str(sub(pod, 'status', 'phase')),
        // upstream selects on the first pod IP only (status.podIP falls back to nothing else)
        'status.podIP': first,
        'status.nominatedNodeName': str(sub(pod, 'status', 'nominatedNodeName')),
      };
    },
  },
  '/Node': {
    supported: ['metadata.name', 'spec.unschedulable'],
    reject: coreReject,
    attrs: (n) => ({ 'spec.unschedulable': bool(sub(n, 'spec', 'unschedulable')) }),
  },
  '/ReplicationController': {
    supported: [...meta, 'status.replicas'],
    reject: coreReject,
    attrs: (rc) => ({ 'status.replicas': num(sub(rc, 'status', 'replicas')) }),
  },
  '/PersistentVolume': { supported: ['metadata.name'], reject: coreReject },
  '/Event': { supported: coreEventFields, reject: coreReject, attrs: (e) => eventAttrs(e, 'involvedObject') },
  '/Namespace': {
    supported: ['status.phase', 'metadata.name'],
    reject: coreReject,
    attrs: (ns) => ({ 'status.phase': str(sub(ns, 'status', 'phase')) }),
  },
  '/Secret': { supported: ['type', ...meta], reject: coreReject, attrs: (s) => ({ type: str(s.type) }) },
  'apps/ReplicaSet': {
    supported: [...meta, 'status.replicas'],
    reject: (f) => `field label not supported for appsv1.ReplicaSet: ${f}`,
    attrs: (rs) => ({ 'status.replicas': num(sub(rs, 'status', 'replicas')) }),
  },
  'batch/Job': {
    supported: [...meta, 'status.successful'],
    reject: (f) => `field label ${JSON.stringify(f)} not supported for batchv1.Job`,
    attrs: (j) => ({ 'status.successful': num(sub(j, 'status', 'succeeded')) }),
  },
  'certificates.k8s.io/CertificateSigningRequest': {
    supported: ['metadata.name', 'spec.signerName'],
    reject: coreReject,
    attrs: (csr) => ({ 'spec.signerName': str(sub(csr, 'spec', 'signerName')) }),
  },
  'events.k8s.io/Event': {
    supported: [...meta, 'reason', 'type', ...Object.keys(eventsV1Aliases)],
    reject: coreReject,
    attrs: (e) => {
      const core = eventAttrs(e, 'regarding');
      const out: Record<string, string> = { ...core };
      for (const [alias, target] of Object.entries(eventsV1Aliases)) out[alias] = core[target];
      return out;
    },
  },
};

function entry(group: string, kind: string): KindFields | undefined {
  return table[`${group}/${kind}`];
}

/**
 * The attributes a field selector is matched against for one object: metadata.name, plus
 * metadata.namespace for namespaced objects, plus the kind's own selectable fields.
 */
export function fieldAttrsFor(group: string, kind: string, obj: KubeObject): Record<string, string> {
  const attrs: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (obj.metadata?.namespace !== undefined) attrs['metadata.namespace'] = obj.metadata.namespace;
  const extra = entry(group, kind)?.attrs?.(obj);
  return extra ? { ...attrs, ...extra } : attrs;
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
