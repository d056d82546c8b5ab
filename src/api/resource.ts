// What the API server knows about one resource: the row of the resource table (names, scope,
// verbs, subresources) and the hooks its strategy contributes. A built-in kind or a CRD is one
// ResourceType plus one ResourceStrategy; the generic REST handlers do everything else.
import type { KubeObject } from './object.js';
import type { FieldError } from './status.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface SubresourceType {
  /** "status", "scale", "binding", "eviction", "token", "log", "exec", ... */
  name: string;
  /** The kind the subresource accepts and returns (autoscaling/v1 Scale for scale). */
  group: string;
  version: string;
  kind: string;
  verbs: Verb[];
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The URL segment: pods, deployments. */
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames?: string[];
  categories?: string[];
  subresources: SubresourceType[];
}

/** One column of a Table, as metav1.TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** Upstream's table printer for one kind (pkg/printers/internalversion). */
export interface TablePrinter {
  columns: TableColumn[];
  /** One row's cells, same order and count as columns. `now` makes AGE deterministic in tests. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** Per-resource hooks, all optional. Called by the generic store in this order:
 *  create: defaults → prepareForCreate → validate;
 *  update: defaults → prepareForUpdate → validate → validateUpdate;
 *  delete: prepareForDelete. */
export interface ResourceStrategy {
  /**
   * What the strategy must have loaded before it can validate `obj` (a CRD write needs the CEL
   * library); awaited before prepareForCreate/prepareForUpdate when it returns a promise.
   */
  ready?(obj: KubeObject): Promise<void> | undefined;
  defaults?(obj: KubeObject): void;
  prepareForCreate?(obj: KubeObject): void;
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  validate?(obj: KubeObject): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * A delete request on an object not yet being deleted, before the store decides whether it can
   * go at once: may add finalizers (and conditions) that keep it (upstream: the CRD's Delete).
   */
  prepareForDelete?(obj: KubeObject): void;
  printer?: TablePrinter;
}
