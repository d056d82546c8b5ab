// The selector a pod's default (cluster-level) spread constraints use (upstream
// helper.DefaultSelector): the union of the selectors of the Services selecting the pod and of
// its controlling ReplicationController, ReplicaSet or StatefulSet. A pod no such object selects
// gets no default constraints.
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { labelSelectorAsSelector, matchesLabels, selectorFromSet, type Selector } from '../../../api/selectors/labels.js';
import type { ReadonlyIndexer } from '../../../client/cache/store.js';

export interface SpreadListers {
  services: ReadonlyIndexer<Service & KubeObject>;
  replicationControllers: ReadonlyIndexer<ReplicationController & KubeObject>;
  replicaSets: ReadonlyIndexer<ReplicaSet & KubeObject>;
  statefulSets: ReadonlyIndexer<StatefulSet & KubeObject>;
}

const hasKeys = (m: Record<string, string> | undefined): m is Record<string, string> => !!m && Object.keys(m).length > 0;

export function defaultSelector(pod: Pod, listers: SpreadListers): Selector {
  const ns = pod.metadata?.namespace ?? '';
  const podLabels = pod.metadata?.labels ?? {};
  let labelSet: Record<string, string> = {};
  for (const svc of listers.services.byIndex('namespace', ns)) {
    // A Service without a selector selects nothing (not everything).
    const sel = svc.spec?.selector;
    if (!hasKeys(sel)) continue;
    if (matchesLabels(selectorFromSet(sel), podLabels)) labelSet = { ...labelSet, ...sel };
  }
  let selector = selectorFromSet(labelSet);
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
  if (!owner) return selector;
  const key = `${ns}/${owner.name}`;
  const addRequirements = (ls: Parameters<typeof labelSelectorAsSelector>[0]) => {
    try {
      const other = labelSelectorAsSelector(ls);
      if (!other.nothing) selector = { requirements: [...selector.requirements, ...other.requirements] };
    } catch {
      // An invalid selector contributes nothing, as upstream.
    }
  };
  if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = listers.replicationControllers.getByKey(key);
    if (rc) selector = selectorFromSet({ ...labelSet, ...rc.spec?.selector });
  } else if (owner.apiVersion === 'apps/v1' && owner.kind === 'ReplicaSet') {
    const rs = listers.replicaSets.getByKey(key);
    if (rs) addRequirements(rs.spec?.selector);
  } else if (owner.apiVersion === 'apps/v1' && owner.kind === 'StatefulSet') {
    const ss = listers.statefulSets.getByKey(key);
    if (ss) addRequirements(ss.spec?.selector);
  }
  return selector;
}
