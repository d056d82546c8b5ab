// Built-in index functions (index.go). The namespace index is what listers use to answer
// "all pods in namespace X" without scanning the whole cache.
import type { KubeObject } from '../../api/object.js';
import type { IndexFunc } from './store.js';

export const namespaceIndex = 'namespace';

/** Indexes an object under its namespace; cluster-scoped objects under "". */
export const metaNamespaceIndexFunc: IndexFunc = (obj: KubeObject) => [obj.metadata?.namespace ?? ''];

/** Indexes an object under each `key=value` of its labels, e.g. byIndex('labels', 'app=web'). */
export const labelIndexFunc: IndexFunc = (obj: KubeObject) => Object.entries(obj.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
