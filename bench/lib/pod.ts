// The pod every benchmark writes: a realistic small spec, as `kubectl run` or a Deployment's
// template would produce before defaulting (about 500 bytes of JSON).
import type { Pod } from 'kubernetes-types/core/v1.js';

export function benchPod(name: string, i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench', tier: i % 2 ? 'web' : 'api', shard: String(i % 16) } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/nginx-slim:0.27',
          ports: [{ name: 'http', containerPort: 8080 }],
          env: [{ name: 'INSTANCE', value: name }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
        },
      ],
    },
  };
}

export function namespaceObject(name: string): { apiVersion: string; kind: string; metadata: { name: string } } {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
