// The built-in resource table: one row per (group, version, resource) that kube-apiserver 1.32
// serves by default, with the names, verbs, short names, categories, scope and subresources its
// discovery documents publish. Discovery, RBAC, kubectl's RESTMapper and the generic REST
// handlers all read this table, so a value here is a value on the wire: keep it exactly upstream's.
import { allVerbs, type ResourceType, type SubresourceType, type Verb } from '../resource.js';

interface Row {
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs?: Verb[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceType[];
}

const getPatchUpdate: Verb[] = ['get', 'patch', 'update'];
/** Namespaces cannot be deleted as a collection. */
const noCollection: Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const proxyVerbs: Verb[] = ['create', 'delete', 'get', 'patch', 'update'];
const connectVerbs: Verb[] = ['create', 'get'];

/** A subresource answering with the parent's own kind (status, ephemeralcontainers, log, ...). */
function own(name: string, group: string, version: string, kind: string, verbs: Verb[] = getPatchUpdate): SubresourceType {
  return { name, group, version, kind, verbs };
}

function scale(): SubresourceType {
  return { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: getPatchUpdate };
}

function groupRows(group: string, version: string, rows: Row[]): ResourceType[] {
  return rows.map((r) => {
    const t: ResourceType = {
      group,
      version,
      kind: r.kind,
      listKind: `${r.kind}List`,
      plural: r.plural,
      singular: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      verbs: r.verbs ?? allVerbs,
      subresources: r.subresources ?? [],
    };
    if (r.shortNames) t.shortNames = r.shortNames;
    if (r.categories) t.categories = r.categories;
    return t;
  });
}

/** A status subresource for a kind of this group/version. */
const statusOf = (group: string, version: string, kind: string) => own('status', group, version, kind);

const core = groupRows('', 'v1', [
  { kind: 'Binding', plural: 'bindings', namespaced: true, verbs: ['create'] },
  { kind: 'ComponentStatus', plural: 'componentstatuses', namespaced: false, verbs: ['get', 'list'], shortNames: ['cs'] },
  { kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  { kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] },
  {
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    verbs: noCollection,
    shortNames: ['ns'],
    subresources: [own('finalize', '', 'v1', 'Namespace', ['update']), statusOf('', 'v1', 'Namespace')],
  },
  {
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    subresources: [own('proxy', '', 'v1', 'NodeProxyOptions', proxyVerbs), statusOf('', 'v1', 'Node')],
  },
  {
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: [statusOf('', 'v1', 'PersistentVolumeClaim')],
  },
  {
    kind: 'PersistentVolume',
    plural: 'persistentvolumes',
    namespaced: false,
    shortNames: ['pv'],
    subresources: [statusOf('', 'v1', 'PersistentVolume')],
  },
  {
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      own('attach', '', 'v1', 'PodAttachOptions', connectVerbs),
      own('binding', '', 'v1', 'Binding', ['create']),
      own('ephemeralcontainers', '', 'v1', 'Pod'),
      own('eviction', 'policy', 'v1', 'Eviction', ['create']),
      own('exec', '', 'v1', 'PodExecOptions', connectVerbs),
      own('log', '', 'v1', 'Pod', ['get']),
      own('portforward', '', 'v1', 'PodPortForwardOptions', connectVerbs),
      own('proxy', '', 'v1', 'PodProxyOptions', proxyVerbs),
      own('resize', '', 'v1', 'Pod'),
      statusOf('', 'v1', 'Pod'),
    ],
  },
  { kind: 'PodTemplate', plural: 'podtemplates', namespaced: true },
  {
    kind: 'ReplicationController',
    plural: 'replicationcontrollers',
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [scale(), statusOf('', 'v1', 'ReplicationController')],
  },
  {
    kind: 'ResourceQuota',
    plural: 'resourcequotas',
    namespaced: true,
    shortNames: ['quota'],
    subresources: [statusOf('', 'v1', 'ResourceQuota')],
  },
  { kind: 'Secret', plural: 'secrets', namespaced: true },
  {
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    shortNames: ['sa'],
    subresources: [own('token', 'authentication.k8s.io', 'v1', 'TokenRequest', ['create'])],
  },
  {
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [own('proxy', '', 'v1', 'ServiceProxyOptions', proxyVerbs), statusOf('', 'v1', 'Service')],
  },
]);

const apiExtensionsCategory = ['api-extensions'];

const apiregistration = groupRows('apiregistration.k8s.io', 'v1', [
  {
    kind: 'APIService',
    plural: 'apiservices',
    namespaced: false,
    categories: apiExtensionsCategory,
    subresources: [statusOf('apiregistration.k8s.io', 'v1', 'APIService')],
  },
]);

const apps = groupRows('apps', 'v1', [
  { kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true },
  {
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: [statusOf('apps', 'v1', 'DaemonSet')],
  },
  {
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [scale(), statusOf('apps', 'v1', 'Deployment')],
  },
  {
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [scale(), statusOf('apps', 'v1', 'ReplicaSet')],
  },
  {
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [scale(), statusOf('apps', 'v1', 'StatefulSet')],
  },
]);

const eventsV1 = groupRows('events.k8s.io', 'v1', [{ kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }]);

const authentication = groupRows('authentication.k8s.io', 'v1', [
  { kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
  { kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: ['create'] },
]);

const authorization = groupRows('authorization.k8s.io', 'v1', [
  { kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: ['create'] },
  { kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  { kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] },
  { kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: ['create'] },
]);

function hpa(version: string): ResourceType[] {
  return groupRows('autoscaling', version, [
    {
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      namespaced: true,
      shortNames: ['hpa'],
      categories: ['all'],
      subresources: [statusOf('autoscaling', version, 'HorizontalPodAutoscaler')],
    },
  ]);
}

const batch = groupRows('batch', 'v1', [
  {
    kind: 'CronJob',
    plural: 'cronjobs',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    subresources: [statusOf('batch', 'v1', 'CronJob')],
  },
  { kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], subresources: [statusOf('batch', 'v1', 'Job')] },
]);

const certificates = groupRows('certificates.k8s.io', 'v1', [
  {
    kind: 'CertificateSigningRequest',
    plural: 'certificatesigningrequests',
    namespaced: false,
    shortNames: ['csr'],
    subresources: [
      own('approval', 'certificates.k8s.io', 'v1', 'CertificateSigningRequest'),
      statusOf('certificates.k8s.io', 'v1', 'CertificateSigningRequest'),
    ],
  },
]);

const networking = groupRows('networking.k8s.io', 'v1', [
  { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
  {
    kind: 'Ingress',
    plural: 'ingresses',
    namespaced: true,
    shortNames: ['ing'],
    subresources: [statusOf('networking.k8s.io', 'v1', 'Ingress')],
  },
  { kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'] },
]);

const policy = groupRows('policy', 'v1', [
  {
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: [statusOf('policy', 'v1', 'PodDisruptionBudget')],
  },
]);

const rbac = groupRows('rbac.authorization.k8s.io', 'v1', [
  { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { kind: 'Role', plural: 'roles', namespaced: true },
]);

const storage = groupRows('storage.k8s.io', 'v1', [
  { kind: 'CSIDriver', plural: 'csidrivers', namespaced: false },
  { kind: 'CSINode', plural: 'csinodes', namespaced: false },
  { kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', namespaced: true },
  { kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  {
    kind: 'VolumeAttachment',
    plural: 'volumeattachments',
    namespaced: false,
    subresources: [statusOf('storage.k8s.io', 'v1', 'VolumeAttachment')],
  },
]);

const admissionregistration = groupRows('admissionregistration.k8s.io', 'v1', [
  { kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false, categories: apiExtensionsCategory },
  {
    kind: 'ValidatingAdmissionPolicy',
    plural: 'validatingadmissionpolicies',
    namespaced: false,
    categories: apiExtensionsCategory,
    subresources: [statusOf('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy')],
  },
  {
    kind: 'ValidatingAdmissionPolicyBinding',
    plural: 'validatingadmissionpolicybindings',
    namespaced: false,
    categories: apiExtensionsCategory,
  },
  { kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false, categories: apiExtensionsCategory },
]);

const apiextensions = groupRows('apiextensions.k8s.io', 'v1', [
  {
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: apiExtensionsCategory,
    subresources: [statusOf('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition')],
  },
]);

const scheduling = groupRows('scheduling.k8s.io', 'v1', [
  { kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] },
]);

const coordination = groupRows('coordination.k8s.io', 'v1', [{ kind: 'Lease', plural: 'leases', namespaced: true }]);

const node = groupRows('node.k8s.io', 'v1', [{ kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false }]);

const discovery = groupRows('discovery.k8s.io', 'v1', [{ kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true }]);

const flowcontrol = groupRows('flowcontrol.apiserver.k8s.io', 'v1', [
  {
    kind: 'FlowSchema',
    plural: 'flowschemas',
    namespaced: false,
    subresources: [statusOf('flowcontrol.apiserver.k8s.io', 'v1', 'FlowSchema')],
  },
  {
    kind: 'PriorityLevelConfiguration',
    plural: 'prioritylevelconfigurations',
    namespaced: false,
    subresources: [statusOf('flowcontrol.apiserver.k8s.io', 'v1', 'PriorityLevelConfiguration')],
  },
]);

// metrics-server's API (served in-process here, not through an aggregated APIService): read-only
// resource metrics of nodes and pods, named after the objects they describe.
const metrics = groupRows('metrics.k8s.io', 'v1beta1', [
  { kind: 'NodeMetrics', plural: 'nodes', namespaced: false, verbs: ['get', 'list'] },
  { kind: 'PodMetrics', plural: 'pods', namespaced: true, verbs: ['get', 'list'] },
]);

/** Every built-in resource, core group first, then groups in /apis order. */
export const builtinResources: ResourceType[] = [
  ...core,
  ...apiregistration,
  ...apps,
  ...eventsV1,
  ...authentication,
  ...authorization,
  ...hpa('v2'),
  ...hpa('v1'),
  ...batch,
  ...certificates,
  ...networking,
  ...policy,
  ...rbac,
  ...storage,
  ...admissionregistration,
  ...apiextensions,
  ...scheduling,
  ...coordination,
  ...node,
  ...discovery,
  ...flowcontrol,
  ...metrics,
];

export interface GroupVersions {
  /** "" for the core group (served under /api). */
  group: string;
  /** Served versions, preferred first (the order /apis lists them). */
  versions: string[];
}

/** The groups in the order kube-apiserver 1.32 lists them in /apis (core first, as /api). */
export const builtinGroups: GroupVersions[] = [
  { group: '', versions: ['v1'] },
  { group: 'apiregistration.k8s.io', versions: ['v1'] },
  { group: 'apps', versions: ['v1'] },
  { group: 'events.k8s.io', versions: ['v1'] },
  { group: 'authentication.k8s.io', versions: ['v1'] },
  { group: 'authorization.k8s.io', versions: ['v1'] },
  { group: 'autoscaling', versions: ['v2', 'v1'] },
  { group: 'batch', versions: ['v1'] },
  { group: 'certificates.k8s.io', versions: ['v1'] },
  { group: 'networking.k8s.io', versions: ['v1'] },
  { group: 'policy', versions: ['v1'] },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'] },
  { group: 'storage.k8s.io', versions: ['v1'] },
  { group: 'admissionregistration.k8s.io', versions: ['v1'] },
  { group: 'apiextensions.k8s.io', versions: ['v1'] },
  { group: 'scheduling.k8s.io', versions: ['v1'] },
  { group: 'coordination.k8s.io', versions: ['v1'] },
  { group: 'node.k8s.io', versions: ['v1'] },
  { group: 'discovery.k8s.io', versions: ['v1'] },
  { group: 'flowcontrol.apiserver.k8s.io', versions: ['v1'] },
  // Aggregated APIs come after the built-in groups in /apis, as kube-aggregator orders them.
  { group: 'metrics.k8s.io', versions: ['v1beta1'] },
];

/** Preferred version of each built-in group, in /apis order ("" = core). */
export const preferredGroupVersions: { group: string; version: string }[] = builtinGroups.map((g) => ({
  group: g.group,
  version: g.versions[0],
}));

const byGVR = new Map<string, ResourceType>();
for (const r of builtinResources) byGVR.set(`${r.group}/${r.version}/${r.plural}`, r);

/** The built-in resource served at group/version/plural, if any. */
export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return byGVR.get(`${group}/${version}/${plural}`);
}

/** The built-in resource for a kind, at its group's preferred version (HPA → autoscaling/v2). */
export function resourceForKind(group: string, kind: string): ResourceType | undefined {
  const versions = builtinGroups.find((g) => g.group === group)?.versions ?? [];
  for (const version of versions) {
    const hit = builtinResources.find((r) => r.group === group && r.version === version && r.kind === kind);
    if (hit) return hit;
  }
  return undefined;
}

/** All built-in resources served at one group/version, in table order. */
export function resourcesForGroupVersion(group: string, version: string): ResourceType[] {
  return builtinResources.filter((r) => r.group === group && r.version === version);
}
