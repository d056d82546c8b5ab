// Patch and list metadata that @kubernetes/client-node's models drop: the Go struct tags and
// +listType/+listMapKeys/+mapType markers of upstream's kubernetes/api types.go files. The
// generator (scripts/gen-openapi.ts) applies this table to definitions.json as the upstream
// OpenAPI extensions x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key,
// x-kubernetes-list-type, x-kubernetes-list-map-keys and x-kubernetes-map-type.
//
// Kept by hand so each line can be checked against upstream. A field not listed here is an
// untagged list, which upstream treats as atomic for server-side apply and replaces in a
// strategic merge patch. Entries apply to every version of a group (v1 and v1beta1 share tags),
// keyed by the definition's short name: "core.PodSpec" matches io.k8s.api.core.v1.PodSpec and
// io.k8s.api.core.v1beta1.PodSpec alike.

export interface FieldListMeta {
  /** patchStrategy struct tag, e.g. "merge" or "merge,retainKeys". */
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

/** `<go package>.<Type>` → JSON field name → tags. */
export type ListMetadataTable = Record<string, Record<string, FieldListMeta>>;

const mergeBy = (key: string, listMapKeys: string[] = [key]): FieldListMeta => ({
  patchStrategy: 'merge',
  patchMergeKey: key,
  listType: 'map',
  listMapKeys,
});
const atomic: FieldListMeta = { listType: 'atomic' };
const set: FieldListMeta = { listType: 'set' };
const mapBy = (...keys: string[]): FieldListMeta => ({ listType: 'map', listMapKeys: keys });
/** Conditions lists: merged by type in SMP and a map keyed by type for SSA. */
const conditions = mergeBy('type');

const containerLists: Record<string, FieldListMeta> = {
  command: atomic,
  args: atomic,
  ports: mergeBy('containerPort', ['containerPort', 'protocol']),
  envFrom: atomic,
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
  resizePolicy: atomic,
  restartPolicyRules: atomic,
};

export const listMetadata: ListMetadataTable = {
  // ---- meta/v1
  'meta.ObjectMeta': {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: mergeBy('uid'),
    managedFields: atomic,
  },
  'meta.LabelSelector': { matchExpressions: atomic },
  'meta.LabelSelectorRequirement': { values: atomic },
  'meta.Status': {},
  'meta.StatusDetails': { causes: atomic },
  'meta.APIResource': { verbs: set, shortNames: atomic, categories: atomic },
  'meta.APIResourceList': { resources: atomic },
  'meta.APIGroup': { versions: atomic, serverAddressByClientCIDRs: atomic },
  'meta.APIGroupList': { groups: atomic },
  'meta.APIVersions': { versions: atomic, serverAddressByClientCIDRs: atomic },
  'meta.DeleteOptions': { dryRun: atomic },

  // ---- core/v1: pods and containers
  'core.PodSpec': {
    volumes: { ...mergeBy('name'), patchStrategy: 'merge,retainKeys' },
    initContainers: mergeBy('name'),
    containers: mergeBy('name'),
    ephemeralContainers: mergeBy('name'),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    tolerations: atomic,
    readinessGates: atomic,
    topologySpreadConstraints: mergeBy('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: mergeBy('name'),
    resourceClaims: { ...mergeBy('name'), patchStrategy: 'merge,retainKeys' },
  },
  'core.PodStatus': {
    conditions,
    podIPs: mergeBy('ip'),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: { ...mergeBy('name'), patchStrategy: 'merge,retainKeys' },
  },
  'core.Container': containerLists,
  'core.EphemeralContainer': containerLists,
  'core.EphemeralContainerCommon': containerLists,
  'core.ContainerStatus': { volumeMounts: mergeBy('mountPath'), allocatedResourcesStatus: mapBy('name') },
  'core.ResourceRequirements': { claims: mapBy('name') },
  'core.ResourceStatus': { resources: mapBy('resourceID') },
  'core.PodSecurityContext': { supplementalGroups: atomic, sysctls: atomic },
  'core.Capabilities': { add: atomic, drop: atomic },
  'core.PodDNSConfig': { nameservers: atomic, searches: atomic, options: atomic },
  'core.HostAlias': { hostnames: atomic },
  'core.ExecAction': { command: atomic },
  'core.HTTPGetAction': { httpHeaders: atomic },
  'core.NodeSelector': { nodeSelectorTerms: atomic },
  'core.NodeSelectorTerm': { matchExpressions: atomic, matchFields: atomic },
  'core.NodeSelectorRequirement': { values: atomic },
  'core.TopologySelectorTerm': { matchLabelExpressions: atomic },
  'core.TopologySelectorLabelRequirement': { values: atomic },
  'core.NodeAffinity': { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  'core.PodAffinity': {
    requiredDuringSchedulingIgnoredDuringExecution: atomic,
    preferredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  'core.PodAntiAffinity': {
    requiredDuringSchedulingIgnoredDuringExecution: atomic,
    preferredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  'core.PodAffinityTerm': { namespaces: atomic, matchLabelKeys: atomic, mismatchLabelKeys: atomic },
  'core.TopologySpreadConstraint': { matchLabelKeys: atomic },
  'core.ConfigMapVolumeSource': { items: atomic },
  'core.SecretVolumeSource': { items: atomic },
  'core.ConfigMapProjection': { items: atomic },
  'core.SecretProjection': { items: atomic },
  'core.DownwardAPIVolumeSource': { items: atomic },
  'core.DownwardAPIProjection': { items: atomic },
  'core.ProjectedVolumeSource': { sources: atomic },
  'core.CSIVolumeSource': {},
  'core.CephFSVolumeSource': { monitors: atomic },
  'core.CephFSPersistentVolumeSource': { monitors: atomic },
  'core.RBDVolumeSource': { monitors: atomic },
  'core.RBDPersistentVolumeSource': { monitors: atomic },
  'core.ISCSIVolumeSource': { portals: atomic },
  'core.ISCSIPersistentVolumeSource': { portals: atomic },
  'core.FCVolumeSource': { targetWWNs: atomic, wwids: atomic },
  'core.PodTemplateSpec': {},

  // ---- core/v1: services, endpoints, nodes, namespaces, storage
  'core.ServiceSpec': {
    ports: mergeBy('port', ['port', 'protocol']),
    selector: { mapType: 'atomic' },
    clusterIPs: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
    ipFamilies: atomic,
  },
  'core.ServiceStatus': { conditions: mergeBy('type') },
  'core.LoadBalancerStatus': { ingress: atomic },
  'core.LoadBalancerIngress': { ports: atomic },
  'core.ServiceAccount': { secrets: mergeBy('name'), imagePullSecrets: atomic },
  'core.Endpoints': { subsets: atomic },
  'core.EndpointSubset': { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  'core.NodeSpec': { podCIDRs: { patchStrategy: 'merge', listType: 'set' }, taints: atomic },
  'core.NodeStatus': {
    conditions: mergeBy('type'),
    addresses: mergeBy('type'),
    images: atomic,
    volumesInUse: atomic,
    volumesAttached: atomic,
    runtimeHandlers: atomic,
  },
  'core.ContainerImage': { names: atomic },
  'core.NamespaceSpec': { finalizers: atomic },
  'core.NamespaceStatus': { conditions: mergeBy('type') },
  'core.PersistentVolumeSpec': { accessModes: atomic, mountOptions: atomic },
  'core.PersistentVolumeClaimSpec': { accessModes: atomic },
  'core.PersistentVolumeClaimStatus': { accessModes: atomic, conditions: mergeBy('type') },
  'core.ResourceQuotaSpec': { scopes: atomic },
  'core.ScopeSelector': { matchExpressions: atomic },
  'core.ScopedResourceSelectorRequirement': { values: atomic },
  'core.LimitRangeSpec': { limits: atomic },
  'core.ReplicationControllerStatus': { conditions: mergeBy('type') },
  'core.ComponentStatus': { conditions: mergeBy('type') },
  'core.EventSeries': {},

  // ---- apps/v1
  // DeploymentSpec.strategy: `patchStrategy:"retainKeys"` (switching to Recreate drops rollingUpdate).
  'apps.DeploymentSpec': { strategy: { patchStrategy: 'retainKeys' } },
  'apps.DeploymentStatus': { conditions: mergeBy('type') },
  'apps.ReplicaSetStatus': { conditions: mergeBy('type') },
  'apps.StatefulSetStatus': { conditions: mergeBy('type') },
  'apps.DaemonSetStatus': { conditions: mergeBy('type') },
  'apps.StatefulSetSpec': { volumeClaimTemplates: atomic },

  // ---- batch/v1
  'batch.JobStatus': { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  'batch.CronJobStatus': { active: atomic },
  'batch.PodFailurePolicy': { rules: atomic },
  'batch.PodFailurePolicyRule': { onPodConditions: atomic },
  'batch.PodFailurePolicyOnExitCodesRequirement': { values: set },
  'batch.SuccessPolicy': { rules: atomic },

  // ---- autoscaling
  'autoscaling.HorizontalPodAutoscalerSpec': { metrics: atomic },
  'autoscaling.HorizontalPodAutoscalerStatus': { currentMetrics: atomic, conditions: mergeBy('type') },
  'autoscaling.HPAScalingRules': { policies: atomic },

  // ---- policy/v1
  'policy.PodDisruptionBudgetStatus': { conditions: mergeBy('type') },

  // ---- rbac/v1
  'rbac.Role': { rules: atomic },
  'rbac.ClusterRole': { rules: atomic },
  'rbac.RoleBinding': { subjects: atomic },
  'rbac.ClusterRoleBinding': { subjects: atomic },
  'rbac.AggregationRule': { clusterRoleSelectors: atomic },
  'rbac.PolicyRule': { verbs: atomic, apiGroups: atomic, resources: atomic, resourceNames: atomic, nonResourceURLs: atomic },

  // ---- networking/v1
  'networking.NetworkPolicySpec': { ingress: atomic, egress: atomic, policyTypes: atomic },
  'networking.NetworkPolicyIngressRule': { ports: atomic, from: atomic },
  'networking.NetworkPolicyEgressRule': { ports: atomic, to: atomic },
  'networking.IPBlock': { except: atomic },
  'networking.IngressSpec': { rules: atomic, tls: atomic },
  'networking.IngressTLS': { hosts: atomic },
  'networking.HTTPIngressRuleValue': { paths: atomic },
  'networking.IngressLoadBalancerStatus': { ingress: atomic },
  'networking.IngressLoadBalancerIngress': { ports: atomic },
  'networking.ServiceCIDRSpec': { cidrs: atomic },
  'networking.ServiceCIDRStatus': { conditions: mergeBy('type') },

  // ---- discovery/v1
  'discovery.EndpointSlice': { endpoints: atomic, ports: atomic },
  'discovery.Endpoint': { addresses: set },
  'discovery.EndpointHints': { forZones: atomic, forNodes: atomic },

  // ---- admissionregistration/v1
  'admissionregistration.ValidatingWebhookConfiguration': { webhooks: mergeBy('name') },
  'admissionregistration.MutatingWebhookConfiguration': { webhooks: mergeBy('name') },
  'admissionregistration.ValidatingWebhook': { rules: atomic, admissionReviewVersions: atomic, matchConditions: mergeBy('name') },
  'admissionregistration.MutatingWebhook': { rules: atomic, admissionReviewVersions: atomic, matchConditions: mergeBy('name') },
  'admissionregistration.RuleWithOperations': { operations: atomic, apiGroups: atomic, apiVersions: atomic, resources: atomic },
  'admissionregistration.ValidatingAdmissionPolicySpec': { validations: atomic, auditAnnotations: atomic, matchConditions: mergeBy('name'), variables: atomic },
  'admissionregistration.ValidatingAdmissionPolicyStatus': { conditions: mapBy('type') },
  'admissionregistration.ValidatingAdmissionPolicyBindingSpec': { validationActions: set },

  // ---- apiextensions/v1
  'apiextensions.CustomResourceDefinitionSpec': { versions: atomic },
  'apiextensions.CustomResourceDefinitionStatus': { conditions: mapBy('type'), storedVersions: atomic },
  'apiextensions.CustomResourceDefinitionNames': { shortNames: atomic, categories: atomic },
  'apiextensions.CustomResourceDefinitionVersion': { additionalPrinterColumns: atomic, selectableFields: atomic },
  'apiextensions.CustomResourceConversion': {},
  'apiextensions.WebhookConversion': { conversionReviewVersions: atomic },
  'apiextensions.JSONSchemaProps': { required: atomic, allOf: atomic, oneOf: atomic, anyOf: atomic, enum: atomic, 'x-kubernetes-list-map-keys': atomic, 'x-kubernetes-validations': mergeBy('rule') },

  // ---- apiregistration/v1
  'apiregistration.APIServiceStatus': { conditions: mergeBy('type') },

  // ---- certificates/v1
  'certificates.CertificateSigningRequestSpec': { usages: atomic, groups: atomic },
  'certificates.CertificateSigningRequestStatus': { conditions: mapBy('type') },

  // ---- authentication / authorization
  'authentication.TokenRequestSpec': { audiences: atomic },
  'authentication.TokenReviewSpec': { audiences: atomic },
  'authentication.TokenReviewStatus': { audiences: atomic },
  'authentication.UserInfo': { groups: atomic },
  'authorization.SubjectAccessReviewSpec': { groups: atomic },
  'authorization.SubjectRulesReviewStatus': { resourceRules: atomic, nonResourceRules: atomic },
  'authorization.ResourceRule': { verbs: atomic, apiGroups: atomic, resources: atomic, resourceNames: atomic },
  'authorization.NonResourceRule': { verbs: atomic, nonResourceURLs: atomic },

  // ---- storage/v1
  'storage.StorageClass': { mountOptions: atomic, allowedTopologies: atomic },
  'storage.CSIDriverSpec': { volumeLifecycleModes: set, tokenRequests: atomic },
  'storage.CSINodeSpec': { drivers: mergeBy('name') },
  'storage.CSINodeDriver': { topologyKeys: atomic },

  // ---- flowcontrol/v1
  'flowcontrol.FlowSchemaSpec': { rules: atomic },
  'flowcontrol.PolicyRulesWithSubjects': { subjects: atomic, resourceRules: atomic, nonResourceRules: atomic },
  'flowcontrol.ResourcePolicyRule': { verbs: set, apiGroups: set, resources: set, namespaces: set },
  'flowcontrol.NonResourcePolicyRule': { verbs: set, nonResourceURLs: set },
  'flowcontrol.FlowSchemaStatus': { conditions: mapBy('type') },
  'flowcontrol.PriorityLevelConfigurationStatus': { conditions: mapBy('type') },

  // ---- coordination, node, scheduling: no list tags of note.
};

/** Structs that server-side apply owns as a whole (Go +structType=atomic). */
export const atomicStructs: string[] = [
  'meta.LabelSelector',
  'core.ObjectReference',
  'core.LocalObjectReference',
  'core.TypedLocalObjectReference',
  'core.ConfigMapKeySelector',
  'core.SecretKeySelector',
  'core.ObjectFieldSelector',
  'core.ResourceFieldSelector',
  'core.NodeSelector',
  'core.NodeSelectorTerm',
  'core.TopologySelectorTerm',
  'core.SecretReference',
];
