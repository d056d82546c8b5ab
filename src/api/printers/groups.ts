// Tables for the kinds of the named API groups (autoscaling, policy, networking, storage, rbac,
// coordination, discovery, scheduling, node, certificates, admissionregistration, flowcontrol,
// apiregistration), as kube-apiserver prints them.
import type {
  MutatingWebhookConfiguration,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhookConfiguration,
} from 'kubernetes-types/admissionregistration/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { formatLabelSelector } from '../selectors/labels.js';
import { loadBalancerAddresses } from './core.js';
import { humanDuration } from './duration.js';
import { age, ageColumn, column, intOrString, listWithMore, nameColumn, nameOf, printer, wide } from './table.js';

// ---- autoscaling ----

type Quantity = string | number | undefined;
const q = (v: Quantity): string => (v === undefined ? '0' : String(v));

/** formatHPAMetrics: "cpu: 40%/80%", "<unknown>/…", at most two then "+ N more...". */
export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  const list = specs ?? [];
  if (list.length === 0) return '<none>';
  const current = statuses ?? [];
  const out: string[] = [];
  list.forEach((spec, i) => {
    const st = current[i];
    switch (spec.type) {
      case 'External': {
        const t = spec.external?.target;
        if (t?.averageValue !== undefined) {
          const cur = st?.external?.current?.averageValue !== undefined ? q(st.external.current.averageValue) : '<unknown>';
          out.push(`${cur}/${q(t.averageValue)} (avg)`);
        } else {
          const cur = st?.external ? q(st.external.current?.value) : '<unknown>';
          out.push(`${cur}/${q(t?.value)}`);
        }
        break;
      }
      case 'Pods': {
        const cur = st?.pods ? q(st.pods.current?.averageValue) : '<unknown>';
        out.push(`${cur}/${q(spec.pods?.target?.averageValue)}`);
        break;
      }
      case 'Object': {
        const t = spec.object?.target;
        if (t?.averageValue !== undefined) {
          const cur = st?.object?.current?.averageValue !== undefined ? q(st.object.current.averageValue) : '<unknown>';
          out.push(`${cur}/${q(t.averageValue)} (avg)`);
        } else {
          const cur = st?.object ? q(st.object.current?.value) : '<unknown>';
          out.push(`${cur}/${q(t?.value)}`);
        }
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st?.resource?.current : st?.containerResource?.current;
        const has = spec.type === 'Resource' ? st?.resource : st?.containerResource;
        const name = src?.name ?? '';
        if (src?.target?.averageValue !== undefined) {
          const c = has ? q(cur?.averageValue) : '<unknown>';
          out.push(`${name}: ${c}/${q(src.target.averageValue)}`);
        } else {
          const c = has && cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>';
          const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
          out.push(`${name}: ${c}/${target}`);
        }
        break;
      }
      default:
        out.push('<unknown type>');
    }
  });
  const max = 2;
  if (out.length > max) return `${out.slice(0, max).join(', ')} + ${out.length - max} more...`;
  return out.join(', ');
}

export const horizontalPodAutoscalerPrinter = printer<HorizontalPodAutoscaler>(
  [
    nameColumn,
    column('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    column('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count.'),
    column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    column('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    column('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn,
  ],
  (hpa, now) => {
    const ref = hpa.spec?.scaleTargetRef;
    // autoscaling/v1 objects carry targetCPUUtilizationPercentage instead of metrics
    const v1 = hpa as unknown as { spec?: { targetCPUUtilizationPercentage?: number }; status?: { currentCPUUtilizationPercentage?: number } };
    let metrics = hpa.spec?.metrics;
    let statuses = hpa.status?.currentMetrics ?? undefined;
    if (!metrics && v1.spec?.targetCPUUtilizationPercentage !== undefined) {
      metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: v1.spec.targetCPUUtilizationPercentage } } }];
      const cur = v1.status?.currentCPUUtilizationPercentage;
      statuses = cur !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }] : undefined;
    }
    return [
      nameOf(hpa),
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHPAMetrics(metrics, statuses),
      hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
);

export const scalePrinter = printer<Scale>(
  [
    column('Name', 'string', nameColumn.description),
    column('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
    column('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
    ageColumn,
  ],
  (s, now) => [nameOf(s), s.spec?.replicas ?? 0, s.status?.replicas ?? 0, age(s, now)],
);

// ---- policy, scheduling, node, coordination ----

export const podDisruptionBudgetPrinter = printer<PodDisruptionBudget>(
  [
    nameColumn,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  (pdb, now) => [
    nameOf(pdb),
    pdb.spec?.minAvailable !== undefined ? intOrString(pdb.spec.minAvailable) : 'N/A',
    pdb.spec?.maxUnavailable !== undefined ? intOrString(pdb.spec.maxUnavailable) : 'N/A',
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb, now),
  ],
);

export const priorityClassPrinter = printer<PriorityClass>(
  [
    nameColumn,
    column('Value', 'integer', 'value represents the integer value of this priority class.'),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageColumn,
    wide('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  (pc, now) => [nameOf(pc), pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''],
);

export const runtimeClassPrinter = printer<RuntimeClass>(
  [nameColumn, column('Handler', 'string', ''), ageColumn],
  (rc, now) => [nameOf(rc), rc.handler ?? '', age(rc, now)],
);

export const leasePrinter = printer<Lease>(
  [nameColumn, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  (l, now) => [nameOf(l), l.spec?.holderIdentity ?? '', age(l, now)],
);

// ---- discovery, networking ----

export const endpointSlicePrinter = printer<EndpointSlice>(
  [
    nameColumn,
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  (es, now) => {
    const ports = (es.ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*')));
    const addresses = (es.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [nameOf(es), es.addressType ?? '', listWithMore(ports, 3), listWithMore(addresses, 3), age(es, now)];
  },
);

function ingressHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const max = 3;
  const hosts: string[] = [];
  for (const rule of rules.slice(0, max)) if (rule.host) hosts.push(rule.host);
  if (hosts.length === 0) return '*';
  const text = hosts.join(',');
  return rules.length > max ? `${text} + ${rules.length - max} more...` : text;
}

export const ingressPrinter = printer<Ingress>(
  [
    nameColumn,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  (ing, now) => [
    nameOf(ing),
    ing.spec?.ingressClassName ?? '<none>',
    ingressHosts(ing),
    loadBalancerAddresses(ing.status?.loadBalancer?.ingress),
    (ing.spec?.tls ?? []).length ? '80, 443' : '80',
    age(ing, now),
  ],
);

export const ingressClassPrinter = printer<IngressClass>(
  [
    nameColumn,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  (ic, now) => {
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [nameOf(ic), ic.spec?.controller ?? '', parameters, age(ic, now)];
  },
);

export const networkPolicyPrinter = printer<NetworkPolicy>(
  [nameColumn, column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn],
  (np, now) => [nameOf(np), formatLabelSelector(np.spec?.podSelector ?? {}), age(np, now)],
);

// ---- rbac ----

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
function subjectStrings(subjects: Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(what: string) {
  return printer<RoleBinding | ClusterRoleBinding>(
    [
      nameColumn,
      column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      ageColumn,
      wide('Users', 'string', `Users in the ${what}`),
      wide('Groups', 'string', `Groups in the ${what}`),
      wide('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`),
    ],
    (b, now) => [nameOf(b), `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(b, now), ...subjectStrings(b.subjects)],
  );
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

// ---- storage ----
// Local shapes: the layer lint rule's '**/storage/**' pattern also matches kubernetes-types/storage.

type Meta = { name?: string; creationTimestamp?: string; annotations?: Record<string, string> };
interface StorageClass {
  metadata?: Meta;
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
}
interface CSIDriver {
  metadata?: Meta;
  spec?: {
    attachRequired?: boolean;
    podInfoOnMount?: boolean;
    storageCapacity?: boolean;
    tokenRequests?: { audience: string }[];
    requiresRepublish?: boolean;
    volumeLifecycleModes?: string[];
  };
}
interface CSINode {
  metadata?: Meta;
  spec?: { drivers?: unknown[] };
}
interface CSIStorageCapacity {
  metadata?: Meta;
  storageClassName?: string;
  capacity?: string | number;
}
interface VolumeAttachment {
  metadata?: Meta;
  spec?: { attacher?: string; nodeName?: string; source?: { persistentVolumeName?: string } };
  status?: { attached?: boolean };
}

const isDefaultClass = (sc: StorageClass) =>
  sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
  sc.metadata?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

export const storageClassPrinter = printer<StorageClass>(
  [
    nameColumn,
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn,
  ],
  (sc, now) => [
    isDefaultClass(sc) ? `${nameOf(sc)} (default)` : nameOf(sc),
    sc.provisioner ?? '',
    sc.reclaimPolicy ?? 'Delete',
    sc.volumeBindingMode ?? 'Immediate',
    sc.allowVolumeExpansion ?? false,
    age(sc, now),
  ],
);

export const csiDriverPrinter = printer<CSIDriver>(
  [
    nameColumn,
    column('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    column('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.'),
    column('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.'),
    column('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
    column('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
    column('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    ageColumn,
  ],
  (d, now) => {
    const modes = (d.spec?.volumeLifecycleModes ?? []).join(',');
    const tokenRequests = d.spec?.tokenRequests ? d.spec.tokenRequests.map((t) => t.audience).join(',') : '<unset>';
    return [
      nameOf(d),
      d.spec?.attachRequired ?? true,
      d.spec?.podInfoOnMount ?? false,
      d.spec?.storageCapacity ?? false,
      tokenRequests,
      d.spec?.requiresRepublish ?? false,
      modes || '<none>',
      age(d, now),
    ];
  },
);

export const csiNodePrinter = printer<CSINode>(
  [nameColumn, column('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn],
  (n, now) => [nameOf(n), (n.spec?.drivers ?? []).length, age(n, now)],
);

export const csiStorageCapacityPrinter = printer<CSIStorageCapacity>(
  [
    nameColumn,
    column('StorageClassName', 'string', 'storageClassName represents the name of the StorageClass that the reported capacity applies to.'),
    column('Capacity', 'string', 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.'),
  ],
  (c) => [nameOf(c), c.storageClassName ?? '', c.capacity !== undefined ? String(c.capacity) : '<unset>'],
);

export const volumeAttachmentPrinter = printer<VolumeAttachment>(
  [
    nameColumn,
    column('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.', { format: 'name' }),
    column('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    column('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    column('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
    ageColumn,
  ],
  (va, now) => [nameOf(va), va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', va.status?.attached ?? false, age(va, now)],
);

// ---- certificates ----

/** extractCSRStatus: Denied/Approved/Pending, then ",Failed" and ",Issued". */
export function csrCondition(csr: CertificateSigningRequest): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (csr.status?.certificate) status += ',Issued';
  return status;
}

export const certificateSigningRequestPrinter = printer<CertificateSigningRequest>(
  [
    nameColumn,
    ageColumn,
    column('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    column('Requestor', 'string', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.'),
    column('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    column('Condition', 'string', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
  ],
  (csr, now) => [
    nameOf(csr),
    age(csr, now),
    csr.spec?.signerName || '<none>',
    csr.spec?.username ?? '',
    csr.spec?.expirationSeconds !== undefined ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>',
    csrCondition(csr),
  ],
);

// ---- admissionregistration ----

const webhookColumns = [nameColumn, column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn];

export const mutatingWebhookPrinter = printer<MutatingWebhookConfiguration>(webhookColumns, (w, now) => [nameOf(w), (w.webhooks ?? []).length, age(w, now)]);
export const validatingWebhookPrinter = printer<ValidatingWebhookConfiguration>(webhookColumns, (w, now) => [nameOf(w), (w.webhooks ?? []).length, age(w, now)]);

export const validatingAdmissionPolicyPrinter = printer<ValidatingAdmissionPolicy>(
  [
    nameColumn,
    column('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageColumn,
  ],
  (p, now) => {
    const pk = p.spec?.paramKind;
    return [nameOf(p), (p.spec?.validations ?? []).length, pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>', age(p, now)];
  },
);

export const validatingAdmissionPolicyBindingPrinter = printer<ValidatingAdmissionPolicyBinding>(
  [
    nameColumn,
    column('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    column('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn,
  ],
  (b, now) => {
    const pr = b.spec?.paramRef;
    let param = '<unset>';
    if (pr?.name) param = pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
    else if (pr?.selector) param = formatLabelSelector(pr.selector).replace(/^<none>$/, '');
    return [nameOf(b), b.spec?.policyName ?? '', param, age(b, now)];
  },
);

// ---- flowcontrol ----

export const flowSchemaPrinter = printer<FlowSchema>(
  [
    nameColumn,
    column('PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.'),
    column('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request.'),
    column('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema.'),
    ageColumn,
    column('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  (fs, now) => {
    const dangling = (fs.status?.conditions ?? []).find((c) => c.type === 'Dangling');
    return [
      nameOf(fs),
      fs.spec?.priorityLevelConfiguration?.name ?? '',
      fs.spec?.matchingPrecedence ?? 0,
      fs.spec?.distinguisherMethod?.type ?? '<none>',
      age(fs, now),
      dangling?.status ?? '?',
    ];
  },
);

export const priorityLevelConfigurationPrinter = printer<PriorityLevelConfiguration>(
  [
    nameColumn,
    column('Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.'),
    column('NominalConcurrencyShares', 'string', '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
    column('Queues', 'string', '`queues` is the number of queues for this priority level.'),
    column('HandSize', 'string', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.'),
    column('QueueLengthLimit', 'string', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.'),
    ageColumn,
  ],
  (pl, now) => {
    const limited = pl.spec?.limited;
    const queuing = limited?.limitResponse?.queuing;
    return [
      nameOf(pl),
      pl.spec?.type ?? '',
      limited ? (limited.nominalConcurrencyShares ?? 0) : '<none>',
      queuing ? (queuing.queues ?? 0) : '<none>',
      queuing ? (queuing.handSize ?? 0) : '<none>',
      queuing ? (queuing.queueLengthLimit ?? 0) : '<none>',
      age(pl, now),
    ];
  },
);

// ---- apiregistration (kube-aggregator's own table) ----

/** The parts of apiregistration.k8s.io/v1 APIService the table reads (kubernetes-types lacks it). */
interface APIService {
  metadata?: { name?: string; creationTimestamp?: string };
  spec?: { service?: { namespace?: string; name?: string } };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

export const apiServicePrinter = printer<APIService>(
  [
    nameColumn,
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    ageColumn,
  ],
  (s, now) => {
    const svc = s.spec?.service ? `${s.spec.service.namespace ?? ''}/${s.spec.service.name ?? ''}` : 'Local';
    const cond = (s.status?.conditions ?? []).find((c) => c.type === 'Available');
    let available = 'Unknown';
    if (cond) available = cond.status === 'True' || !cond.reason ? cond.status : `${cond.status} (${cond.reason})`;
    return [nameOf(s), svc, available, age(s, now)];
  },
);
