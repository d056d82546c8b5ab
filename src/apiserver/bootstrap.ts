// What a fresh cluster has before anyone asks: the four system namespaces, the default RBAC
// policy, the extension-apiserver-authentication ConfigMap, the `kubernetes` Service pointing at
// this server's port, and the two system PriorityClasses. Idempotent: a restart reconciles what is there. The Service's Endpoints and
// EndpointSlice are the endpoint reconciler's (kubernetes-service/).
import type { KubeObject } from '../api/object.js';
import { StatusError } from '../api/status.js';
import { systemContext } from './registry/context.js';
import type { ApiServer } from './server.js';
import { reconcileBootstrapPolicy } from './authorization/bootstrap-policy.js';


async function ensure(api: ApiServer, group: string, version: string, plural: string, namespace: string, obj: KubeObject, reconcile?: (current: KubeObject) => KubeObject | undefined): Promise<void> {
  const entry = api.registry.find(group, version, plural);
  if (!entry) throw new Error(`bootstrap: ${group}/${version}/${plural} is not served`);
  const name = obj.metadata!.name!;
  let current: KubeObject | undefined;
  try {
    current = await api.generic.get(entry, namespace, name);
  } catch (err) {
    if (!(err instanceof StatusError) || err.code !== 404) throw err;
  }
  if (!current) {
    await api.generic.create(entry, namespace, obj, systemContext());
    return;
  }
  const next = reconcile?.(structuredClone(current));
  if (next) await api.generic.update(entry, namespace, name, '', systemContext(), () => next);
}

export async function bootstrapCluster(api: ApiServer): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(api, '', 'v1', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // Before the server reports ready: components authorized by these roles start after that.
  await reconcileBootstrapPolicy(api);
  // What aggregated API servers read to trust the front proxy (upstream's ClientCARegistrationHook).
  const extensionAuth = api.extensionAuthentication;
  if (extensionAuth) {
    await ensure(api, '', 'v1', 'configmaps', 'kube-system', extensionAuth as KubeObject, (current) =>
      JSON.stringify(current.data) === JSON.stringify(extensionAuth.data) ? undefined : { ...current, data: extensionAuth.data },
    );
  }
  for (const [name, value, description] of [
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
  ] as const) {
    await ensure(api, 'scheduling.k8s.io', 'v1', 'priorityclasses', '', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
      description,
      preemptionPolicy: 'PreemptLowerPriority',
    });
  }
  const { port } = api.advertise;
  await ensure(api, '', 'v1', 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: api.services.firstIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None' },
  }, (current) => {
    const spec = current.spec as { ports: { targetPort: number }[] };
    if (spec.ports[0]?.targetPort === port) return undefined;
    spec.ports[0].targetPort = port;
    return current;
  });
}
