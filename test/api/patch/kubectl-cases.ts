// Strategic merge patches shaped as `kubectl apply` (client-side) sends them. kubectl computes
// the patch with CreateThreeWayMergePatch from the last-applied annotation, the new file and
// the live object; `kubectl apply --dry-run=client` does not print it, so these bodies are
// written by hand from that algorithm: additions and changes come from diff(live, file),
// deletions from diff(last-applied, file); a merging list gets "$setElementOrder/<list>" with
// the file's merge keys whenever it changes, a removed element becomes
// {"$patch": "delete", <key>: value}, a removed map key becomes null, a removed value of a
// primitive merging list goes to "$deleteFromPrimitiveList/<list>", and a retainKeys field
// carries "$retainKeys" listing the file's keys. Every patch also rewrites the annotation.
import type { KubeObject } from '../../../src/api/object.js';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

export interface KubectlCase {
  name: string;
  kind: 'Deployment' | 'Service';
  live: KubeObject;
  patch: Record<string, unknown>;
  /** The live object after the patch. */
  result: KubeObject;
}

const appContainer = () => ({
  name: 'app',
  image: 'nginx:1.25',
  ports: [{ containerPort: 80, protocol: 'TCP' }],
  env: [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
  ],
  imagePullPolicy: 'IfNotPresent',
  terminationMessagePath: '/dev/termination-log',
});

/** A Deployment as the API server stores it after `kubectl apply` and defaulting. */
export function liveDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 1,
      labels: { app: 'web', tier: 'front' },
      annotations: { [lastApplied]: 'OLD', 'deployment.kubernetes.io/revision': '1' },
      finalizers: ['example.com/a', 'example.com/b', 'example.com/server-added'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [appContainer()],
          volumes: [{ name: 'data', emptyDir: {} }],
          restartPolicy: 'Always',
        },
      },
    },
    status: { replicas: 2 },
  };
}

function withAnnotation(obj: KubeObject): KubeObject {
  obj.metadata!.annotations![lastApplied] = 'NEW';
  return obj;
}

function editedDeployment(edit: (d: { metadata: Record<string, unknown>; spec: Record<string, any> }) => void): KubeObject {
  const d = withAnnotation(liveDeployment());
  edit(d as unknown as { metadata: Record<string, unknown>; spec: Record<string, any> });
  return d;
}

const annotationPatch = { annotations: { [lastApplied]: 'NEW' } };

function liveService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', annotations: { [lastApplied]: 'OLD' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.0.0.10',
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    },
  };
}

export const kubectlCases: KubectlCase[] = [
  {
    name: 'a container added to the file is appended after the existing one',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: {
      metadata: annotationPatch,
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
            containers: [{ image: 'busybox', name: 'sidecar' }],
          },
        },
      },
    },
    result: editedDeployment((d) => {
      d.spec.template.spec.containers.push({ image: 'busybox', name: 'sidecar' });
    }),
  },
  {
    name: 'an env var removed from the file is deleted by merge key and the others keep their order',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: {
      metadata: annotationPatch,
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], name: 'app' }],
          },
        },
      },
    },
    result: editedDeployment((d) => {
      d.spec.template.spec.containers[0].env = [{ name: 'A', value: '1' }];
    }),
  },
  {
    name: 'a label removed from the file is deleted with null and server-set annotations stay',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: { metadata: { annotations: { [lastApplied]: 'NEW' }, labels: { tier: null } } },
    result: editedDeployment((d) => {
      d.metadata.labels = { app: 'web' };
    }),
  },
  {
    name: 'a container port changed in the file replaces the old port by containerPort',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: {
      metadata: annotationPatch,
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                '$setElementOrder/ports': [{ containerPort: 8080 }],
                name: 'app',
                ports: [{ containerPort: 8080 }, { $patch: 'delete', containerPort: 80 }],
              },
            ],
          },
        },
      },
    },
    result: editedDeployment((d) => {
      d.spec.template.spec.containers[0].ports = [{ containerPort: 8080 }];
    }),
  },
  {
    name: 'an image and replica change touch only those fields',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: {
      metadata: annotationPatch,
      spec: {
        replicas: 3,
        template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ image: 'nginx:1.27', name: 'app' }] } },
      },
    },
    result: editedDeployment((d) => {
      d.spec.replicas = 3;
      d.spec.template.spec.containers[0].image = 'nginx:1.27';
    }),
  },
  {
    name: 'switching the strategy to Recreate drops rollingUpdate through $retainKeys',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: { metadata: annotationPatch, spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    result: editedDeployment((d) => {
      d.spec.strategy = { type: 'Recreate' };
    }),
  },
  {
    name: 'a finalizer removed from the file is deleted and a server-added one is kept',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: {
      metadata: {
        ...annotationPatch,
        '$deleteFromPrimitiveList/finalizers': ['example.com/b'],
        '$setElementOrder/finalizers': ['example.com/a'],
      },
    },
    result: editedDeployment((d) => {
      d.metadata.finalizers = ['example.com/a', 'example.com/server-added'];
    }),
  },
  {
    name: 'a volume switched from emptyDir to configMap keeps only the retained keys',
    kind: 'Deployment',
    live: liveDeployment(),
    patch: {
      metadata: annotationPatch,
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, emptyDir: null, name: 'data' }],
          },
        },
      },
    },
    result: editedDeployment((d) => {
      d.spec.template.spec.volumes = [{ name: 'data', configMap: { name: 'cfg' } }];
    }),
  },
  {
    name: 'a service port renumbered in the file replaces the old port by port number and keeps the other',
    kind: 'Service',
    live: liveService(),
    patch: {
      metadata: annotationPatch,
      spec: {
        '$setElementOrder/ports': [{ port: 443 }, { port: 9090 }],
        ports: [{ name: 'http', port: 443, targetPort: 8443 }, { $patch: 'delete', port: 80 }],
      },
    },
    result: (() => {
      const s = withAnnotation(liveService());
      (s.spec as { ports: unknown[] }).ports = [
        { name: 'http', port: 443, targetPort: 8443 },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ];
      return s;
    })(),
  },
];
