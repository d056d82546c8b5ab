// applyDefaults against upstream's SetDefaults_* for each kind kubectl shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { applyDefaults, generateJobSelector, imageTag } from '../../../src/api/defaults/index.js';

type Obj = Record<string, any>;

function defaulted(group: string, version: string, kind: string, obj: KubeObject): Obj {
  const o = structuredClone(obj);
  applyDefaults(group, version, kind, o);
  return o as Obj;
}

const template = (spec: Obj = {}) => ({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

test('a pod spec gets restartPolicy Always, dnsPolicy ClusterFirst, grace 30s, the default scheduler, an empty security context and service links', () => {
  const pod = defaulted('', 'v1', 'Pod', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
  assert.equal(pod.spec.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.spec.securityContext, {});
  assert.equal(pod.spec.enableServiceLinks, true);
  assert.equal(pod.spec.serviceAccountName, undefined, 'the service account is admission, not defaulting');
});

test('a container gets the termination message path and policy, and ports get TCP', () => {
  const pod = defaulted('', 'v1', 'Pod', { spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } });
  const c = pod.spec.containers[0];
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.ports[0].protocol, 'TCP');
});

const pullPolicies: [string, string][] = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.25', 'IfNotPresent'],
  ['registry:5000/team/app', 'Always'],
  ['registry:5000/team/app:v2', 'IfNotPresent'],
  ['nginx@sha256:' + 'a'.repeat(64), 'IfNotPresent'],
];
for (const [image, policy] of pullPolicies) {
  test(`image ${image.slice(0, 30)} defaults imagePullPolicy to ${policy}`, () => {
    const pod = defaulted('', 'v1', 'Pod', { spec: { containers: [{ name: 'c', image }] } });
    assert.equal(pod.spec.containers[0].imagePullPolicy, policy);
  });
}

test('the tag of an image ignores a registry port', () => {
  assert.equal(imageTag('localhost:5000/app'), 'latest');
  assert.equal(imageTag('localhost:5000/app:1'), '1');
});

test('probes get timeout 1, period 10, success 1, failure 3, and httpGet path / and scheme HTTP', () => {
  const pod = defaulted('', 'v1', 'Pod', { spec: { containers: [{ name: 'c', image: 'x', livenessProbe: { httpGet: { port: 80 } } }] } });
  assert.deepEqual(pod.spec.containers[0].livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
});

test('a pod container without requests gets requests equal to its limits, written canonically', () => {
  const pod = defaulted('', 'v1', 'Pod', { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '0.5', memory: '1.5Gi' } } }] } });
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '500m', memory: '1536Mi' } });
});

test('a deployment template does not get requests from limits (Pods only)', () => {
  const d = defaulted('apps', 'v1', 'Deployment', { spec: { template: template({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }] }) } });
  assert.equal(d.spec.template.spec.containers[0].resources.requests, undefined);
});

test('env fieldRef gets apiVersion v1 and volumes get emptyDir or defaultMode 420', () => {
  const pod = defaulted('', 'v1', 'Pod', {
    spec: {
      containers: [{ name: 'c', image: 'x', env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }],
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'c', secret: { secretName: 's' } }],
    },
  });
  assert.equal(pod.spec.containers[0].env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(pod.spec.volumes[0], { name: 'a', emptyDir: {} });
  assert.equal(pod.spec.volumes[1].configMap.defaultMode, 420);
  assert.equal(pod.spec.volumes[2].secret.defaultMode, 420);
});

test('a deployment gets replicas 1, RollingUpdate 25%/25%, history 10, deadline 600 and pod defaults in its template', () => {
  const d = defaulted('apps', 'v1', 'Deployment', { spec: { template: template() } });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(d.spec.template.spec.enableServiceLinks, undefined, 'enableServiceLinks is a Pod-only default');
});

test('a Recreate deployment gets no rollingUpdate', () => {
  const d = defaulted('apps', 'v1', 'Deployment', { spec: { strategy: { type: 'Recreate' }, template: template() } });
  assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
});

test('a replica set gets replicas 1', () => {
  assert.equal(defaulted('apps', 'v1', 'ReplicaSet', { spec: { template: template() } }).spec.replicas, 1);
});

test('a stateful set gets OrderedReady, RollingUpdate partition 0, Retain/Retain, replicas 1 and history 10', () => {
  const s = defaulted('apps', 'v1', 'StatefulSet', { spec: { template: template() } });
  assert.equal(s.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.spec.replicas, 1);
  assert.equal(s.spec.revisionHistoryLimit, 10);
});

test('a daemon set gets RollingUpdate with maxUnavailable 1 and maxSurge 0, and history 10', () => {
  const d = defaulted('apps', 'v1', 'DaemonSet', { spec: { template: template() } });
  assert.deepEqual(d.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
});

test('a job gets parallelism and completions 1, backoffLimit 6, NonIndexed, suspend false and TerminatingOrFailed', () => {
  const j = defaulted('batch', 'v1', 'Job', { spec: { template: template({ restartPolicy: 'Never' }) } });
  assert.equal(j.spec.parallelism, 1);
  assert.equal(j.spec.completions, 1);
  assert.equal(j.spec.backoffLimit, 6);
  assert.equal(j.spec.completionMode, 'NonIndexed');
  assert.equal(j.spec.suspend, false);
  assert.equal(j.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(j.metadata.labels, { app: 'x' }, 'job labels come from the template when unset');
});

test('a job with only parallelism set keeps completions unset', () => {
  const j = defaulted('batch', 'v1', 'Job', { spec: { parallelism: 3, template: template({ restartPolicy: 'Never' }) } });
  assert.equal(j.spec.completions, undefined);
  assert.equal(j.spec.parallelism, 3);
});

test('the job selector is generated from its uid and name, and labels the template', () => {
  const j = defaulted('batch', 'v1', 'Job', { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } } } });
  generateJobSelector(j);
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(j.spec.template.metadata.labels, { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' });
});

test('a cron job gets Allow, suspend false, history 3 and 1, and job defaults in its template', () => {
  const c = defaulted('batch', 'v1', 'CronJob', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template({ restartPolicy: 'OnFailure' }) } } } });
  assert.equal(c.spec.concurrencyPolicy, 'Allow');
  assert.equal(c.spec.suspend, false);
  assert.equal(c.spec.successfulJobsHistoryLimit, 3);
  assert.equal(c.spec.failedJobsHistoryLimit, 1);
  assert.equal(c.spec.jobTemplate.spec.backoffLimit, 6);
  assert.equal(c.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
});

test('a service gets None affinity, ClusterIP, TCP, targetPort = port and internalTrafficPolicy Cluster', () => {
  const s = defaulted('', 'v1', 'Service', { spec: { ports: [{ port: 80 }] } });
  assert.deepEqual(s.spec, { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster' });
});

test('a NodePort or LoadBalancer service gets externalTrafficPolicy Cluster; a LoadBalancer allocates node ports', () => {
  assert.equal(defaulted('', 'v1', 'Service', { spec: { type: 'NodePort', ports: [{ port: 80 }] } }).spec.externalTrafficPolicy, 'Cluster');
  const lb = defaulted('', 'v1', 'Service', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
});

test('ClientIP affinity gets a 10800 second timeout', () => {
  const s = defaulted('', 'v1', 'Service', { spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
  assert.deepEqual(s.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('a secret gets type Opaque and its stringData merged into data as base64', () => {
  const s = defaulted('', 'v1', 'Secret', { data: { a: 'eA==' }, stringData: { b: 'hi' } });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { a: 'eA==', b: 'aGk=' });
  assert.equal(s.stringData, undefined);
});

test('a namespace gets the kubernetes finalizer, phase Active and its metadata.name label', () => {
  const n = defaulted('', 'v1', 'Namespace', { metadata: { name: 'team' } });
  assert.deepEqual(n.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(n.status, { phase: 'Active' });
  assert.deepEqual(n.metadata.labels, { 'kubernetes.io/metadata.name': 'team' });
});

test('a persistent volume gets Retain, Filesystem and phase Pending; a claim gets Filesystem and Pending', () => {
  const pv = defaulted('', 'v1', 'PersistentVolume', { spec: { capacity: { storage: '1Gi' } } });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.equal(pv.status.phase, 'Pending');
  const pvc = defaulted('', 'v1', 'PersistentVolumeClaim', { spec: { resources: { requests: { storage: '1Gi' } } } });
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.equal(pvc.status.phase, 'Pending');
});

test('a node without allocatable gets its capacity', () => {
  const n = defaulted('', 'v1', 'Node', { status: { capacity: { cpu: '4', memory: '8Gi' } } });
  assert.deepEqual(n.status.allocatable, { cpu: '4', memory: '8Gi' });
});

test('endpoints and endpoint slice ports get TCP', () => {
  assert.equal(defaulted('', 'v1', 'Endpoints', { subsets: [{ ports: [{ port: 80 }] }] }).subsets[0].ports[0].protocol, 'TCP');
  assert.deepEqual(defaulted('discovery.k8s.io', 'v1', 'EndpointSlice', { ports: [{ port: 80 }] }).ports[0], { port: 80, name: '', protocol: 'TCP' });
});

test('a priority class gets PreemptLowerPriority', () => {
  assert.equal(defaulted('scheduling.k8s.io', 'v1', 'PriorityClass', { value: 5 }).preemptionPolicy, 'PreemptLowerPriority');
});

test('an autoscaling/v2 HPA gets minReplicas 1 and an 80% CPU target', () => {
  const h = defaulted('autoscaling', 'v2', 'HorizontalPodAutoscaler', { spec: { maxReplicas: 5 } });
  assert.equal(h.spec.minReplicas, 1);
  assert.deepEqual(h.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
});

test('a container limit range item gets default from max and defaultRequest from default', () => {
  const lr = defaulted('', 'v1', 'LimitRange', { spec: { limits: [{ type: 'Container', max: { cpu: '2' } }] } });
  assert.deepEqual(lr.spec.limits[0].default, { cpu: '2' });
  assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '2' });
});

test('role binding subjects get their API group by kind', () => {
  const rb = defaulted('rbac.authorization.k8s.io', 'v1', 'RoleBinding', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 's' }] });
  assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.subjects[1].apiGroup, '');
});

test('an unknown kind is left untouched', () => {
  const obj = { spec: { a: 1 } };
  assert.deepEqual(defaulted('example.com', 'v1', 'Widget', obj), obj);
});
