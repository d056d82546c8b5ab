// A few rows of the resource table, enough to build the core/v1, apps/v1 and policy/v1
// OpenAPI documents in tests without depending on the real table (owned elsewhere).
import { allVerbs, type ResourceType } from '../../../src/api/resource.js';

const row = (group: string, version: string, kind: string, plural: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType => ({
  group, version, kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), namespaced, verbs: allVerbs, subresources: [], ...extra,
});

export const fixtureResources: ResourceType[] = [
  row('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    subresources: [
      { name: 'status', group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
    ],
  }),
  row('', 'v1', 'Service', 'services', true, { shortNames: ['svc'] }),
  row('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  row('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'] }),
  row('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'] }),
  row('', 'v1', 'ServiceAccount', 'serviceaccounts', true, {
    subresources: [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }],
  }),
  row('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    subresources: [
      { name: 'status', group: 'apps', version: 'v1', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
      { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  row('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'] }),
  row('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'] }),
];
