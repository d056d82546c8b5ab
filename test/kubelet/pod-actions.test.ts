// computePodActions is pure: a table of pod specs and runtime states, and what one sync must do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions, noProbes, type ProbeView } from '../../src/kubelet/pod-actions.js';
import type { RuntimePodStatus } from '../../src/kubelet/runtime-pod.js';
import type { ContainerStatus, PodSandboxStatus } from '../../src/kubelet/runtime/types.js';

const sandbox: PodSandboxStatus = { id: 's1', metadata: { name: 'p', namespace: 'default', uid: 'u', attempt: 0 }, state: 'Ready', createdAt: 1, labels: {}, annotations: {}, ip: '10.0.0.2', additionalIps: [] };

let n = 0;
function ctr(name: string, state: ContainerStatus['state'], exitCode = 0, attempt = 0): ContainerStatus {
  n++;
  return {
    id: `c${n}`,
    podSandboxId: 's1',
    metadata: { name, attempt },
    image: 'busybox',
    state,
    createdAt: n,
    labels: { 'io.kubernetes.container.name': name },
    annotations: {},
    startedAt: n,
    finishedAt: state === 'Exited' ? n : 0,
    exitCode,
    reason: '',
    message: '',
    logPath: '',
  };
}

function pod(spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec } };
}

const status = (containers: ContainerStatus[], sandboxes: PodSandboxStatus[] = [sandbox]): RuntimePodStatus => ({ uid: 'u', sandboxes, containers });

interface Case {
  name: string;
  pod: Pod;
  status: RuntimePodStatus;
  probes?: ProbeView;
  want: Partial<ReturnType<typeof computePodActions>> & { kill?: string[] };
}

const inits = [
  { name: 'i1', image: 'busybox' },
  { name: 'i2', image: 'busybox' },
];

const cases: Case[] = [
  { name: 'a new pod gets a sandbox and all its containers', pod: pod({}), status: status([], []), want: { createSandbox: true, containersToStart: [0], initContainersToStart: [] } },
  { name: 'a new pod with init containers starts only the first init container', pod: pod({ initContainers: inits }), status: status([], []), want: { createSandbox: true, initContainersToStart: [0], containersToStart: [] } },
  { name: 'a running container is left alone', pod: pod({}), status: status([ctr('app', 'Running')]), want: { createSandbox: false, containersToStart: [], killPod: false } },
  { name: 'an exited container restarts under restartPolicy Always', pod: pod({}), status: status([ctr('app', 'Exited', 0)]), want: { containersToStart: [0], killPod: false } },
  { name: 'a container that exited 0 stays down under OnFailure and the pod is done', pod: pod({ restartPolicy: 'OnFailure' }), status: status([ctr('app', 'Exited', 0)]), want: { containersToStart: [], killPod: true } },
  { name: 'a container that failed restarts under OnFailure', pod: pod({ restartPolicy: 'OnFailure' }), status: status([ctr('app', 'Exited', 1)]), want: { containersToStart: [0] } },
  { name: 'nothing restarts under Never and the pod is done', pod: pod({ restartPolicy: 'Never' }), status: status([ctr('app', 'Exited', 1)]), want: { containersToStart: [], killPod: true } },
  { name: 'the next init container starts when the previous one succeeded', pod: pod({ initContainers: inits }), status: status([ctr('i1', 'Exited', 0)]), want: { initContainersToStart: [1], initDone: false } },
  { name: 'a running init container is waited for', pod: pod({ initContainers: inits }), status: status([ctr('i1', 'Running')]), want: { initContainersToStart: [], containersToStart: [], initDone: false } },
  { name: 'a failed init container is retried under Always', pod: pod({ initContainers: inits }), status: status([ctr('i1', 'Exited', 1)]), want: { initContainersToStart: [0] } },
  { name: 'a failed init container fails the pod under Never', pod: pod({ initContainers: inits, restartPolicy: 'Never' }), status: status([ctr('i1', 'Exited', 1)]), want: { initFailed: true, killPod: true } },
  { name: 'app containers start once every init container succeeded', pod: pod({ initContainers: inits }), status: status([ctr('i2', 'Exited', 0), ctr('i1', 'Exited', 0)]), want: { initDone: true, containersToStart: [0] } },
  {
    name: 'a sidecar must have started before the next init container runs',
    pod: pod({ initContainers: [{ name: 'side', image: 'busybox', restartPolicy: 'Always' }, inits[0]] }),
    status: status([ctr('side', 'Running')]),
    probes: { ...noProbes, started: (c) => c !== 'side' },
    want: { initContainersToStart: [], initDone: false },
  },
  {
    name: 'a started sidecar lets the next init container run',
    pod: pod({ initContainers: [{ name: 'side', image: 'busybox', restartPolicy: 'Always' }, inits[0]] }),
    status: status([ctr('side', 'Running')]),
    want: { initContainersToStart: [1], initDone: false },
  },
  {
    name: 'an exited sidecar is restarted while the app runs',
    pod: pod({ initContainers: [{ name: 'side', image: 'busybox', restartPolicy: 'Always' }] }),
    status: status([ctr('app', 'Running'), ctr('side', 'Exited', 1)]),
    want: { initContainersToStart: [0], initDone: true, containersToStart: [] },
  },
  {
    name: 'a container whose liveness probe failed is killed and restarted',
    pod: pod({}),
    status: status([ctr('app', 'Running')]),
    probes: { ...noProbes, livenessFailed: () => 'failed' },
    want: { containersToStart: [0], kill: ['app'] },
  },
  {
    name: 'a dead sandbox is replaced and the containers start again in it',
    pod: pod({}),
    status: status([ctr('app', 'Exited', 137)], [{ ...sandbox, state: 'NotReady' }]),
    want: { createSandbox: true, attempt: 1, containersToStart: [0] },
  },
];

describe('computePodActions', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = computePodActions(c.pod, c.status, c.probes);
      const { kill, ...want } = c.want;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
      if (kill) assert.deepEqual(got.containersToKill.map((k) => k.name), kill);
    });
  }
});
