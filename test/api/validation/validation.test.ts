// validateObject / validateObjectUpdate for built-in kinds: each rule with a valid and an invalid
// case, checked by upstream's rendered message ("field: Type: value: detail").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { fieldErrorMessage } from '../../../src/api/status.js';
import { applyDefaults } from '../../../src/api/defaults/index.js';
import { validateObject, validateObjectUpdate } from '../../../src/api/validation/index.js';

const clone = <T>(v: T): T => structuredClone(v);

function messages(group: string, kind: string, obj: KubeObject): string[] {
  const o = clone(obj);
  applyDefaults(group, 'v1', kind, o);
  return validateObject(group, 'v1', kind, o).map(fieldErrorMessage);
}

/** As the store does it: the stored object was defaulted on create; the update is a changed copy. */
function updateMessages(group: string, kind: string, old: KubeObject, change: (o: KubeObject) => void): string[] {
  const before = clone(old);
  applyDefaults(group, 'v1', kind, before);
  const after = clone(before);
  change(after);
  applyDefaults(group, 'v1', kind, after);
  return validateObjectUpdate(group, 'v1', kind, after, before).map(fieldErrorMessage);
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', ...extra });
const pod = (spec: Record<string, unknown>, m: Record<string, unknown> = meta('web')): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec });
const nginx = { name: 'nginx', image: 'nginx' };
const deployment = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [nginx] } }, ...spec },
});

interface Case { name: string; group: string; kind: string; obj: KubeObject; expect: string[] }

const cases: Case[] = [
  { name: 'a minimal pod is valid', group: '', kind: 'Pod', obj: pod({ containers: [nginx] }), expect: [] },
  { name: 'a pod without a name or generateName is refused', group: '', kind: 'Pod', obj: pod({ containers: [nginx] }, { namespace: 'default' }), expect: ['metadata.name: Required value: name or generateName is required'] },
  { name: 'a pod whose name the store generated from generateName is valid', group: '', kind: 'Pod', obj: pod({ containers: [nginx] }, { generateName: 'web-', name: 'web-x7k2p', namespace: 'default' }), expect: [] },
  { name: 'a namespaced kind without a namespace is refused', group: '', kind: 'Pod', obj: pod({ containers: [nginx] }, { name: 'web' }), expect: ['metadata.namespace: Required value'] },
  { name: 'a cluster-scoped kind with a namespace is refused', group: '', kind: 'Namespace', obj: { metadata: { name: 'team', namespace: 'x' } }, expect: ['metadata.namespace: Forbidden: not allowed on this type'] },
  { name: 'a pod name with capitals is not a DNS subdomain', group: '', kind: 'Pod', obj: pod({ containers: [nginx] }, meta('Web')), expect: ['metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')'] },
  { name: 'a label value with a space is refused at metadata.labels', group: '', kind: 'ConfigMap', obj: { metadata: meta('c', { labels: { app: 'a b' } }) }, expect: ['metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'] },
  { name: 'annotations over 256 KiB in total are too long', group: '', kind: 'ConfigMap', obj: { metadata: meta('c', { annotations: { big: 'x'.repeat(256 * 1024) } }) }, expect: ['metadata.annotations: Too long: may not be more than 262144 bytes'] },
  { name: 'two controller owner references are refused', group: '', kind: 'ConfigMap', obj: { metadata: meta('c', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true }] }) }, expect: ['metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'] },
  { name: 'an owner reference without a uid is refused', group: '', kind: 'ConfigMap', obj: { metadata: meta('c', { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'a', uid: '' }] }) }, expect: ['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'] },
  { name: 'a finalizer with two slashes is refused', group: '', kind: 'ConfigMap', obj: { metadata: meta('c', { finalizers: ['a/b/c'] }) }, expect: ['metadata.finalizers: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\') with an optional DNS subdomain prefix and \'/\' (e.g. \'example.com/MyName\')'] },
  { name: 'a namespace name must be a DNS label', group: '', kind: 'Namespace', obj: { metadata: { name: 'a.b' } }, expect: ['metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')'] },
  { name: 'a service name must be a DNS-1035 label', group: '', kind: 'Service', obj: { metadata: meta('1svc'), spec: { ports: [{ port: 80 }] } }, expect: ['metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')'] },
  { name: 'a cluster role name may contain colons', group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', obj: { metadata: { name: 'system:reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, expect: [] },

  { name: 'a pod needs containers', group: '', kind: 'Pod', obj: pod({ containers: [] }), expect: ['spec.containers: Required value'] },
  { name: 'container names must be unique', group: '', kind: 'Pod', obj: pod({ containers: [nginx, nginx] }), expect: ['spec.containers[1].name: Duplicate value: "nginx"'] },
  { name: 'a container needs an image', group: '', kind: 'Pod', obj: pod({ containers: [{ name: 'c' }] }), expect: ['spec.containers[0].image: Required value'] },
  { name: 'a container port must be in range', group: '', kind: 'Pod', obj: pod({ containers: [{ ...nginx, ports: [{ containerPort: 70000 }] }] }), expect: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'] },
  { name: 'a container port protocol must be TCP, UDP or SCTP', group: '', kind: 'Pod', obj: pod({ containers: [{ ...nginx, ports: [{ containerPort: 80, protocol: 'HTTP' }] }] }), expect: ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'] },
  { name: 'a restart policy must be one of three', group: '', kind: 'Pod', obj: pod({ containers: [nginx], restartPolicy: 'Sometimes' }), expect: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'] },
  { name: 'requests may not exceed limits', group: '', kind: 'Pod', obj: pod({ containers: [{ ...nginx, resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }), expect: ['spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1'] },
  { name: 'an unparsable quantity is refused with the parser message', group: '', kind: 'Pod', obj: pod({ containers: [{ ...nginx, resources: { limits: { memory: 'lots' } } }] }), expect: ['spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'', 'spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''] },
  { name: 'a volume mount must name a volume', group: '', kind: 'Pod', obj: pod({ containers: [{ ...nginx, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }), expect: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'] },
  { name: 'volume names must be unique', group: '', kind: 'Pod', obj: pod({ containers: [nginx], volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }), expect: ['spec.volumes[1].name: Duplicate value: "v"'] },
  { name: 'a volume may have only one source', group: '', kind: 'Pod', obj: pod({ containers: [nginx], volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/' } }] }), expect: ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type'] },
  { name: 'an env var name may not contain =', group: '', kind: 'Pod', obj: pod({ containers: [{ ...nginx, env: [{ name: 'A=B', value: 'x' }] }] }), expect: ['spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\''] },

  { name: 'a deployment whose selector matches its template is valid', group: 'apps', kind: 'Deployment', obj: deployment({}), expect: [] },
  { name: 'a deployment selector must match the template labels', group: 'apps', kind: 'Deployment', obj: deployment({ selector: { matchLabels: { app: 'other' } } }), expect: ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'] },
  { name: 'a deployment needs a selector', group: 'apps', kind: 'Deployment', obj: deployment({ selector: undefined }), expect: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'] },
  { name: 'deployment replicas may not be negative', group: 'apps', kind: 'Deployment', obj: deployment({ replicas: -1 }), expect: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'maxSurge and maxUnavailable may not both be zero', group: 'apps', kind: 'Deployment', obj: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }), expect: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'] },
  { name: 'a deployment template may not use restartPolicy Never', group: 'apps', kind: 'Deployment', obj: deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [nginx], restartPolicy: 'Never' } } }), expect: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
  { name: 'a daemonset rolling update may not set both maxSurge and maxUnavailable', group: 'apps', kind: 'DaemonSet', obj: { metadata: meta('ds'), spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [nginx] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } } }, expect: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'] },
  { name: 'a statefulset pod management policy must be known', group: 'apps', kind: 'StatefulSet', obj: { metadata: meta('db'), spec: { podManagementPolicy: 'Random', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [nginx] } } } }, expect: ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\''] },

  { name: 'a job template must not restart Always', group: 'batch', kind: 'Job', obj: { metadata: meta('j'), spec: { selector: { matchLabels: { a: 'b' } }, manualSelector: true, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [nginx] } } } }, expect: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'] },
  { name: 'a job with restartPolicy Never is valid', group: 'batch', kind: 'Job', obj: { metadata: meta('j'), spec: { selector: { matchLabels: { a: 'b' } }, manualSelector: true, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [nginx], restartPolicy: 'Never' } } } }, expect: [] },
  { name: 'a cronjob schedule must parse', group: 'batch', kind: 'CronJob', obj: { metadata: meta('cj'), spec: { schedule: '* * *', jobTemplate: { spec: { template: { spec: { containers: [nginx], restartPolicy: 'OnFailure' } } } } } }, expect: ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]'] },
  { name: 'a cronjob minute above 59 is out of range', group: 'batch', kind: 'CronJob', obj: { metadata: meta('cj'), spec: { schedule: '61 * * * *', jobTemplate: { spec: { template: { spec: { containers: [nginx], restartPolicy: 'OnFailure' } } } } } }, expect: ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'] },
  { name: 'a cronjob with @hourly is valid', group: 'batch', kind: 'CronJob', obj: { metadata: meta('cj'), spec: { schedule: '@hourly', jobTemplate: { spec: { template: { spec: { containers: [nginx], restartPolicy: 'OnFailure' } } } } } }, expect: [] },

  { name: 'a service needs ports', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: {} }, expect: ['spec.ports: Required value'] },
  { name: 'loadBalancerSourceRanges must be CIDRs (space padding allowed) on a LoadBalancer', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }], loadBalancerSourceRanges: [' 10.0.0.0/8 ', '10.1.2.3', 'fd00::/129'] } }, expect: ['spec.LoadBalancerSourceRanges[1]: Invalid value: "10.1.2.3": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)', 'spec.LoadBalancerSourceRanges[2]: Invalid value: "fd00::/129": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
  { name: 'loadBalancerSourceRanges only on a LoadBalancer', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: { ports: [{ port: 80 }], loadBalancerSourceRanges: ['10.0.0.0/8'] } }, expect: ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"] },
  { name: 'the load-balancer-source-ranges annotation is checked when the field is empty', group: '', kind: 'Service', obj: { metadata: { ...meta('svc'), annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': '10.0.0.0/8, bad' } }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] } }, expect: ['metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "bad": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
  { name: 'a headless service needs no ports', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: { clusterIP: 'None' } }, expect: [] },
  { name: 'service ports need names when there are several', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: { ports: [{ port: 80 }, { port: 443 }] } }, expect: ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'] },
  { name: 'a node port must be in the node port range', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] } }, expect: ['spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767'] },
  { name: 'a service type must be known', group: '', kind: 'Service', obj: { metadata: meta('svc'), spec: { type: 'Magic', ports: [{ port: 80 }] } }, expect: ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'] },

  { name: 'a config map key may not contain a slash', group: '', kind: 'ConfigMap', obj: { metadata: meta('c'), data: { 'a/b': 'x' } }, expect: ['data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')'] },
  { name: 'a config map over 1 MiB is too long', group: '', kind: 'ConfigMap', obj: { metadata: meta('c'), data: { a: 'x'.repeat(1024 * 1024 + 1) } }, expect: [': Too long: may not be more than 1048576 bytes'] },
  { name: 'a TLS secret needs tls.crt and tls.key', group: '', kind: 'Secret', obj: { metadata: meta('s'), type: 'kubernetes.io/tls', data: {} }, expect: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'] },

  { name: 'a user priority class may not exceed one billion', group: 'scheduling.k8s.io', kind: 'PriorityClass', obj: { metadata: { name: 'high' }, value: 1000000001 }, expect: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'] },
  { name: 'a system priority class must have its known value', group: 'scheduling.k8s.io', kind: 'PriorityClass', obj: { metadata: { name: 'system-node-critical' }, value: 2000001000 }, expect: [] },
  { name: 'a PDB may not set both minAvailable and maxUnavailable', group: 'policy', kind: 'PodDisruptionBudget', obj: { metadata: meta('p'), spec: { minAvailable: 1, maxUnavailable: 1 } }, expect: ['spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set'] },
  { name: 'an RBAC rule needs verbs', group: 'rbac.authorization.k8s.io', kind: 'Role', obj: { metadata: meta('r'), rules: [{ apiGroups: [''], resources: ['pods'] }] }, expect: ['rules[0].verbs: Required value: verbs must contain at least one value'] },
  { name: 'a role binding to a ClusterRoleBinding kind is refused', group: 'rbac.authorization.k8s.io', kind: 'RoleBinding', obj: { metadata: meta('rb'), roleRef: { kind: 'Secret', name: 'x' }, subjects: [] }, expect: ['roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"'] },
  { name: 'a lease duration must be positive', group: 'coordination.k8s.io', kind: 'Lease', obj: { metadata: meta('l'), spec: { leaseDurationSeconds: 0 } }, expect: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
  { name: 'an event in one namespace about an object in another is refused', group: '', kind: 'Event', obj: { metadata: meta('e'), involvedObject: { kind: 'Pod', namespace: 'other', name: 'p' } }, expect: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'] },
  { name: 'an endpoint slice address must match its address type', group: 'discovery.k8s.io', kind: 'EndpointSlice', obj: { metadata: meta('s'), addressType: 'IPv4', endpoints: [{ addresses: ['::1'] }] }, expect: ['endpoints[0].addresses[0]: Invalid value: "::1": must be a valid IPv4 address'] },
  { name: 'an HPA maxReplicas below minReplicas is refused', group: 'autoscaling', kind: 'HorizontalPodAutoscaler', obj: { metadata: meta('h'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } }, expect: ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'] },
  { name: 'a PVC needs a storage request', group: '', kind: 'PersistentVolumeClaim', obj: { metadata: meta('c'), spec: { accessModes: ['ReadWriteOnce'] } }, expect: ['spec.resources[storage]: Required value'] },
  { name: 'a PV needs an access mode', group: '', kind: 'PersistentVolume', obj: { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/tmp' } } }, expect: ['spec.accessModes: Required value'] },
  { name: 'a limit range min above max is refused', group: '', kind: 'LimitRange', obj: { metadata: meta('l'), spec: { limits: [{ type: 'Pod', min: { cpu: '2' }, max: { cpu: '1' } }] } }, expect: ['spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'] },
  { name: 'a resource quota hard value must parse', group: '', kind: 'ResourceQuota', obj: { metadata: meta('q'), spec: { hard: { pods: 'many' } } }, expect: ['spec.hard[pods]: Invalid value: "many": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''] },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(messages(c.group, c.kind, c.obj), c.expect));
}

const stored = (obj: KubeObject): KubeObject => ({ ...obj, metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' } });

interface UpdateCase { name: string; group: string; kind: string; old: KubeObject; update: (o: KubeObject) => void; expect: string[] }

const podSpec = () => pod({ containers: [nginx] });
const updates: UpdateCase[] = [
  { name: 'a pod may change its image', group: '', kind: 'Pod', old: stored(podSpec()), update: (o) => { ((o.spec as { containers: { image: string }[] }).containers[0]).image = 'nginx:2'; }, expect: [] },
  { name: 'a pod may not change other spec fields', group: '', kind: 'Pod', old: stored(podSpec()), update: (o) => { (o.spec as Record<string, unknown>).hostname = 'h'; }, expect: ['spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n+ \thostname: "h",\n  }'] },
  { name: 'a pod may not add containers', group: '', kind: 'Pod', old: stored(podSpec()), update: (o) => { (o.spec as { containers: unknown[] }).containers.push({ name: 'b', image: 'b' }); }, expect: ['spec.containers: Forbidden: pod updates may not add or remove containers'] },
  { name: 'metadata.name is immutable', group: '', kind: 'ConfigMap', old: stored({ metadata: meta('c') }), update: (o) => { o.metadata!.name = 'd'; }, expect: ['metadata.name: Invalid value: "d": field is immutable'] },
  { name: 'an update must carry a resourceVersion', group: '', kind: 'ConfigMap', old: stored({ metadata: meta('c') }), update: (o) => { delete o.metadata!.resourceVersion; }, expect: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'] },
  { name: 'an object being deleted gets no new finalizers', group: '', kind: 'ConfigMap', old: stored({ metadata: meta('c', { deletionTimestamp: '2024-01-02T00:00:00Z', finalizers: ['a.io/x'] }) }), update: (o) => { o.metadata!.finalizers = ['a.io/x', 'b.io/y']; }, expect: ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}'] },
  { name: 'an apps/v1 deployment selector is immutable', group: 'apps', kind: 'Deployment', old: stored(deployment({})), update: (o) => { const s = o.spec as Record<string, unknown>; s.selector = { matchLabels: { app: 'web', tier: 'x' } }; (s.template as { metadata: { labels: Record<string, string> } }).metadata.labels.tier = 'x'; }, expect: ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable'] },
  { name: 'a deployment may scale', group: 'apps', kind: 'Deployment', old: stored(deployment({})), update: (o) => { (o.spec as Record<string, unknown>).replicas = 5; }, expect: [] },
  { name: 'an immutable config map keeps its data', group: '', kind: 'ConfigMap', old: stored({ metadata: meta('c'), immutable: true, data: { a: '1' } }), update: (o) => { o.data = { a: '2' }; }, expect: ['data: Forbidden: field is immutable when `immutable` is set'] },
  { name: 'a service cluster IP may not change', group: '', kind: 'Service', old: stored({ metadata: meta('svc'), spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80 }] } }), update: (o) => { Object.assign(o.spec as object, { clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.2'] }); }, expect: ['spec.clusterIPs[0]: Invalid value: ["10.0.0.2"]: may not change once set'] },
  { name: 'a role binding may not change its roleRef', group: 'rbac.authorization.k8s.io', kind: 'RoleBinding', old: stored({ metadata: meta('rb'), roleRef: { kind: 'Role', name: 'a' } }), update: (o) => { o.roleRef = { kind: 'Role', name: 'b' }; }, expect: ['roleRef: Invalid value: {"kind":"Role","name":"b","apiGroup":"rbac.authorization.k8s.io"}: cannot change roleRef'] },
  { name: 'a priority class value may not change', group: 'scheduling.k8s.io', kind: 'PriorityClass', old: stored({ metadata: { name: 'p' }, value: 1 }), update: (o) => { o.value = 2; }, expect: ['value: Forbidden: may not be changed in an update.'] },
  { name: 'a secret type may not change', group: '', kind: 'Secret', old: stored({ metadata: meta('s'), type: 'Opaque' }), update: (o) => { o.type = 'kubernetes.io/basic-auth'; o.data = { username: 'YQ==' }; }, expect: ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable'] },
];

for (const c of updates) {
  test(c.name, () => {
    assert.deepEqual(updateMessages(c.group, c.kind, c.old, c.update), c.expect);
  });
}
