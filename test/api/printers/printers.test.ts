import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { customResourceDefaultPrinter, defaultTablePrinter, printerFor } from '../../../src/api/printers/index.js';
import { builtinResources } from '../../../src/api/resources/builtin.js';

const now = new Date('2024-05-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, creationTimestamp: '2024-04-29T09:00:00Z', ...extra });

/** The row as a map of column name → cell. */
function row(group: string, kind: string, obj: Record<string, unknown>): Record<string, unknown> {
  const p = printerFor(group, kind);
  const cells = p.cells(obj as KubeObject, now);
  assert.equal(cells.length, p.columns.length, `${kind}: one cell per column`);
  return Object.fromEntries(p.columns.map((c, i) => [c.name, cells[i]]));
}

const cases: [string, string, string, Record<string, unknown>, Record<string, unknown>][] = [
  [
    'a node shows Ready,SchedulingDisabled, sorted roles and its addresses',
    '',
    'Node',
    {
      metadata: meta('n1', { labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'edge' } }),
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'k8ts://1' },
      },
    },
    { Status: 'Ready,SchedulingDisabled', Roles: 'control-plane,edge,worker', Age: '2d3h', Version: 'v1.32.0', 'Internal-IP': '10.0.0.1', 'External-IP': '<none>', 'OS-Image': 'Debian' },
  ],
  ['a node without a Ready condition is Unknown with no roles', '', 'Node', { metadata: meta('n2'), status: {} }, { Status: 'Unknown', Roles: '<none>', 'OS-Image': '<unknown>' }],
  ['a not-ready node is NotReady', '', 'Node', { metadata: meta('n3'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, { Status: 'NotReady' }],
  [
    'a ClusterIP service shows its IP, <none> external and port/protocol',
    '',
    'Service',
    { metadata: meta('s'), spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { k8s: 'dns' } } },
    { Type: 'ClusterIP', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '53/UDP,53/TCP', Selector: 'k8s=dns' },
  ],
  [
    'a NodePort service shows port:nodePort and a pending LoadBalancer shows <pending>',
    '',
    'Service',
    { metadata: meta('s'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
    { 'External-IP': '<pending>', 'Port(s)': '80:30080/TCP', Selector: '<none>' },
  ],
  [
    'endpoints list three addresses then how many more',
    '',
    'Endpoints',
    { metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] },
    { Endpoints: '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...' },
  ],
  ['endpoints without subsets show <none>', '', 'Endpoints', { metadata: meta('e') }, { Endpoints: '<none>' }],
  ['a configmap counts data and binaryData keys', '', 'ConfigMap', { metadata: meta('c'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, { Data: 3 }],
  ['a secret shows its type and key count', '', 'Secret', { metadata: meta('s'), type: 'Opaque', data: { a: 'YQ==' } }, { Type: 'Opaque', Data: 1 }],
  ['a service account counts its secrets', '', 'ServiceAccount', { metadata: meta('default') }, { Secrets: 0 }],
  ['a namespace shows its phase', '', 'Namespace', { metadata: meta('ns'), status: { phase: 'Active' } }, { Status: 'Active', Age: '2d3h' }],
  [
    'an event shows last seen, lowercase kind/name object and trimmed message',
    '',
    'Event',
    {
      metadata: meta('p.1'),
      involvedObject: { kind: 'Pod', name: 'p' },
      reason: 'Scheduled',
      type: 'Normal',
      message: 'Successfully assigned default/p to n1\n',
      firstTimestamp: '2024-05-01T11:50:00Z',
      lastTimestamp: '2024-05-01T11:58:00Z',
      count: 2,
      source: { component: 'default-scheduler' },
    },
    { 'Last Seen': '2m', Type: 'Normal', Reason: 'Scheduled', Object: 'pod/p', Message: 'Successfully assigned default/p to n1', 'First Seen': '10m', Count: 2, Source: 'default-scheduler', Name: 'p.1' },
  ],
  [
    'an events.k8s.io event is printed from its regarding/note fields',
    'events.k8s.io',
    'Event',
    { metadata: meta('x'), regarding: { kind: 'Node', name: 'n1' }, note: 'hi', reason: 'R', type: 'Warning', eventTime: '2024-05-01T11:59:00.000000Z', reportingController: 'kubelet', reportingInstance: 'n1' },
    { 'Last Seen': '60s', Object: 'node/n1', Message: 'hi', Count: 1, Source: 'kubelet, n1' },
  ],
  [
    'a deployment shows ready/desired, up-to-date, available and its selector',
    'apps',
    'Deployment',
    {
      metadata: meta('d'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web', image: 'nginx' }, { name: 'log', image: 'busybox' }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    },
    { Ready: '2/3', 'Up-to-date': 3, Available: 2, Containers: 'web,log', Images: 'nginx,busybox', Selector: 'app=web' },
  ],
  [
    'a replica set shows desired, current and ready counts',
    'apps',
    'ReplicaSet',
    { metadata: meta('rs'), spec: { replicas: 2, selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] } }, status: { replicas: 2, readyReplicas: 1 } },
    { Desired: 2, Current: 2, Ready: 1, Selector: 'tier in (a,b)' },
  ],
  ['a stateful set shows ready/desired', 'apps', 'StatefulSet', { metadata: meta('s'), spec: { replicas: 3 }, status: { readyReplicas: 3 } }, { Ready: '3/3' }],
  [
    'a daemon set shows its counts and node selector',
    'apps',
    'DaemonSet',
    { metadata: meta('ds'), spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' } } } }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1 } },
    { Desired: 2, Current: 2, Ready: 1, 'Up-to-date': 0, Available: 0, 'Node Selector': 'kubernetes.io/os=linux' },
  ],
  [
    'a controller revision names its controller as kind.group/name',
    'apps',
    'ControllerRevision',
    { metadata: meta('r', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }), revision: 2 },
    { Controller: 'statefulset.apps/web', Revision: 2 },
  ],
  [
    'a complete job shows Complete, n/m completions and its duration',
    'batch',
    'Job',
    { metadata: meta('j'), spec: { completions: 1 }, status: { succeeded: 1, startTime: '2024-05-01T10:00:00Z', completionTime: '2024-05-01T10:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] } },
    { Status: 'Complete', Completions: '1/1', Duration: '42s' },
  ],
  [
    'a running parallel job without completions shows "0/1 of 3" and its running time',
    'batch',
    'Job',
    { metadata: meta('j'), spec: { parallelism: 3 }, status: { startTime: '2024-05-01T11:55:00Z' } },
    { Status: 'Running', Completions: '0/1 of 3', Duration: '5m' },
  ],
  ['a failed job shows Failed', 'batch', 'Job', { metadata: meta('j'), spec: {}, status: { conditions: [{ type: 'Failed', status: 'True' }] } }, { Status: 'Failed', Duration: '' }],
  [
    'a cron job shows schedule, timezone, suspend and last schedule',
    'batch',
    'CronJob',
    { metadata: meta('cj'), spec: { schedule: '*/5 * * * *', suspend: false }, status: { active: [{ name: 'x' }], lastScheduleTime: '2024-05-01T11:55:00Z' } },
    { Schedule: '*/5 * * * *', Timezone: '<none>', Suspend: 'False', Active: 1, 'Last Schedule': '5m' },
  ],
  [
    'a bound PVC shows its volume, capacity and access modes',
    '',
    'PersistentVolumeClaim',
    { metadata: meta('c'), spec: { volumeName: 'pv1', storageClassName: 'standard' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] } },
    { Status: 'Bound', Volume: 'pv1', Capacity: '1Gi', 'Access Modes': 'RWO,ROX', StorageClass: 'standard', VolumeAttributesClass: '<unset>', VolumeMode: '<unset>' },
  ],
  [
    'a PV shows capacity, reclaim policy and claim',
    '',
    'PersistentVolume',
    { metadata: meta('pv1'), spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'c' } }, status: { phase: 'Bound' } },
    { Capacity: '5Gi', 'Access Modes': 'RWX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'ns/c' },
  ],
  [
    'a resource quota splits requests and limits columns, sorted by resource',
    '',
    'ResourceQuota',
    { metadata: meta('q'), status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1' }, used: { pods: '3', 'limits.cpu': '500m' } } },
    { Request: 'pods: 3/10, requests.cpu: 0/1', Limit: 'limits.cpu: 500m/2' },
  ],
  [
    'an HPA shows its reference, targets and replicas',
    'autoscaling',
    'HorizontalPodAutoscaler',
    {
      metadata: meta('h'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] },
    },
    { Reference: 'Deployment/web', Targets: 'cpu: 40%/80%', MinPods: '1', MaxPods: 5, Replicas: 2 },
  ],
  ['a PDB shows N/A for the bound it does not set', 'policy', 'PodDisruptionBudget', { metadata: meta('b'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }, { 'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1 }],
  ['a lease shows its holder', 'coordination.k8s.io', 'Lease', { metadata: meta('l'), spec: { holderIdentity: 'node-1' } }, { Holder: 'node-1' }],
  [
    'an endpoint slice shows ports and addresses',
    'discovery.k8s.io',
    'EndpointSlice',
    { metadata: meta('es'), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'https' }], endpoints: [{ addresses: ['10.0.0.1'] }] },
    { AddressType: 'IPv4', Ports: '80,https', Endpoints: '10.0.0.1' },
  ],
  ['an endpoint slice without endpoints shows <unset>', 'discovery.k8s.io', 'EndpointSlice', { metadata: meta('es'), addressType: 'IPv4' }, { Ports: '<unset>', Endpoints: '<unset>' }],
  ['a priority class shows value and global default', 'scheduling.k8s.io', 'PriorityClass', { metadata: meta('pc'), value: 1000, preemptionPolicy: 'Never' }, { Value: 1000, 'Global-Default': false, PreemptionPolicy: 'Never' }],
  [
    'a role binding shows Kind/name and its subjects',
    'rbac.authorization.k8s.io',
    'RoleBinding',
    { metadata: meta('rb'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'User', name: 'bob' }] },
    { Role: 'ClusterRole/view', Users: 'alice, bob', Groups: '', ServiceAccounts: 'ns/sa' },
  ],
  [
    'an ingress shows class, hosts, address and ports',
    'networking.k8s.io',
    'Ingress',
    { metadata: meta('i'), spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example' }, {}], tls: [{}] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } },
    { Class: 'nginx', Hosts: 'a.example', Address: '1.2.3.4', Ports: '80, 443' },
  ],
  ['a network policy shows its pod selector', 'networking.k8s.io', 'NetworkPolicy', { metadata: meta('np'), spec: { podSelector: {} } }, { 'Pod-Selector': '<none>' }],
  [
    'the default storage class is marked (default)',
    'storage.k8s.io',
    'StorageClass',
    { metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'k8ts.io/local' },
    { Name: 'standard (default)', Provisioner: 'k8ts.io/local', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: false },
  ],
  [
    'a CSR shows signer, requestor, duration and condition',
    'certificates.k8s.io',
    'CertificateSigningRequest',
    { metadata: meta('csr'), spec: { signerName: 'kubernetes.io/kubelet-serving', username: 'system:node:n1', expirationSeconds: 86400 }, status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'AA==' } },
    { SignerName: 'kubernetes.io/kubelet-serving', Requestor: 'system:node:n1', RequestedDuration: '24h', Condition: 'Approved,Issued' },
  ],
  ['a webhook configuration counts webhooks', 'admissionregistration.k8s.io', 'ValidatingWebhookConfiguration', { metadata: meta('w'), webhooks: [{}, {}] }, { Webhooks: 2 }],
];

for (const [name, group, kind, obj, want] of cases) {
  test(`table row: ${name}`, () => {
    const got = row(group, kind, obj);
    for (const [col, value] of Object.entries(want)) assert.deepEqual(got[col], value, `${kind} column ${col}`);
  });
}

test('kinds without an upstream printer get NAME and CREATED AT (a date column holding the timestamp)', () => {
  for (const [g, k] of [['rbac.authorization.k8s.io', 'Role'], ['rbac.authorization.k8s.io', 'ClusterRole'], ['', 'LimitRange'], ['apiextensions.k8s.io', 'CustomResourceDefinition']]) {
    assert.equal(printerFor(g, k), defaultTablePrinter, k);
  }
  assert.deepEqual(defaultTablePrinter.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Created At', 'date']]);
  assert.deepEqual(defaultTablePrinter.cells({ metadata: meta('r') }, now), ['r', '2024-04-29T09:00:00Z']);
});

test('custom resources without printer columns get NAME and AGE', () => {
  assert.equal(printerFor('example.com', 'Widget'), customResourceDefaultPrinter);
  assert.deepEqual(customResourceDefaultPrinter.cells({ metadata: meta('w') }, now), ['w', '2d3h']);
});

test('every built-in printer names its first column Name (format name) and lists Age where upstream does', () => {
  for (const r of builtinResources) {
    const p = printerFor(r.group, r.kind);
    if (r.kind === 'Event') continue; // events lead with LAST SEEN, as upstream
    assert.equal(p.columns[0].name, 'Name', r.kind);
    assert.equal(p.columns[0].format, 'name', r.kind);
    const cells = p.cells({ metadata: meta('x') }, now);
    assert.equal(cells.length, p.columns.length, `${r.kind} prints one cell per column even for an empty object`);
  }
});
