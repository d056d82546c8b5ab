// Typed references for the built-in resources components use most; any other resource (or a
// CRD) is a `resourceRef<T>({...})` away, or resolved at run time with `client.forKind`.
import type { Binding, ConfigMap, Endpoints, Event as CoreEvent, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, Secret, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../api/object.js';
import { resourceRef, type ResourceRef } from './resource-ref.js';

// kubernetes-types marks metadata optional and apiVersion/kind optional; KubeObject wants
// metadata present. The intersection keeps every field of the upstream type.
type K<T> = T & KubeObject;

const core = <T>(plural: string, kind: string, namespaced = true): ResourceRef<K<T>> => resourceRef<K<T>>({ group: '', version: 'v1', plural, kind, namespaced });
const named = <T>(group: string, version: string, plural: string, kind: string, namespaced = true): ResourceRef<K<T>> =>
  resourceRef<K<T>>({ group, version, plural, kind, namespaced });

export const resources = {
  pods: core<Pod>('pods', 'Pod'),
  services: core<Service>('services', 'Service'),
  endpoints: core<Endpoints>('endpoints', 'Endpoints'),
  configMaps: core<ConfigMap>('configmaps', 'ConfigMap'),
  secrets: core<Secret>('secrets', 'Secret'),
  serviceAccounts: core<ServiceAccount>('serviceaccounts', 'ServiceAccount'),
  persistentVolumeClaims: core<PersistentVolumeClaim>('persistentvolumeclaims', 'PersistentVolumeClaim'),
  replicationControllers: core<ReplicationController>('replicationcontrollers', 'ReplicationController'),
  coreEvents: core<CoreEvent>('events', 'Event'),
  bindings: core<Binding>('bindings', 'Binding'),
  namespaces: core<Namespace>('namespaces', 'Namespace', false),
  nodes: core<Node>('nodes', 'Node', false),
  persistentVolumes: core<PersistentVolume>('persistentvolumes', 'PersistentVolume', false),
  deployments: named<Deployment>('apps', 'v1', 'deployments', 'Deployment'),
  replicaSets: named<ReplicaSet>('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulSets: named<StatefulSet>('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonSets: named<DaemonSet>('apps', 'v1', 'daemonsets', 'DaemonSet'),
  jobs: named<Job>('batch', 'v1', 'jobs', 'Job'),
  cronJobs: named<CronJob>('batch', 'v1', 'cronjobs', 'CronJob'),
  leases: named<Lease>('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  endpointSlices: named<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  events: named<Event>('events.k8s.io', 'v1', 'events', 'Event'),
  podDisruptionBudgets: named<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  customResourceDefinitions: named<CustomResourceDefinition>('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  roles: named<Role>('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  roleBindings: named<RoleBinding>('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  clusterRoles: named<ClusterRole>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  clusterRoleBindings: named<ClusterRoleBinding>('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
} as const;
