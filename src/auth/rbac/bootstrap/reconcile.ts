// Reconciliation of the bootstrap policy with what is stored, as upstream's
// pkg/registry/rbac/reconciliation (computeReconciledRole in reconcile_role.go,
// computeReconciledRoleBinding in reconcile_rolebindings.go) run by the API server's
// "rbac/bootstrap-roles" post-start hook: missing objects are created; existing ones keep their
// own labels, annotations, rules and subjects and gain what the expected object adds; a binding
// whose roleRef changed is deleted and created again (roleRef is immutable); an object annotated
// rbac.authorization.kubernetes.io/autoupdate: "false" is left alone. Pure functions: the caller
// reads, writes and retries (upstream re-runs on AlreadyExists/NotFound/Conflict, up to 3 times).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { covers } from '../rules.js';
import { AUTOUPDATE_ANNOTATION } from './builders.js';

export type RoleLike = ClusterRole | Role;
export type BindingLike = ClusterRoleBinding | RoleBinding;

export interface ReconcileRoleOptions {
  /**
   * Replace the rules (and aggregation selectors) by the expected ones when they differ, instead
   * of adding what is missing (`kubectl auth reconcile --remove-extra-permissions`). The API
   * server's post-start hook never sets it.
   */
  removeExtraPermissions?: boolean;
}

export interface ReconcileRoleResult<T extends RoleLike> {
  /** What the caller must write; 'none' also when the existing object is protected. */
  action: 'create' | 'update' | 'none';
  /** The object to create or update (for update: the existing object, reconciled). */
  object?: T;
  /** The existing object opted out with autoupdate "false". */
  protected: boolean;
  /** For a protected object: what reconciliation would have done (upstream logs it as a warning). */
  skippedAction?: 'update';
  /** Expected rules the existing object does not cover (broken down to one verb/resource each). */
  missingRules: PolicyRule[];
  /** Existing rules beyond the expected ones (not computed when both are aggregated roles). */
  extraRules: PolicyRule[];
  missingAggregationRuleSelectors: LabelSelector[];
  extraAggregationRuleSelectors: LabelSelector[];
}

export interface ReconcileBindingOptions {
  /** Replace the subjects by the expected ones when they differ (`--remove-extra-subjects`). */
  removeExtraSubjects?: boolean;
}

export interface ReconcileBindingResult<T extends BindingLike> {
  /**
   * 'recreate': the roleRef differs, so delete the existing binding (with its uid as precondition)
   * and create `object` (the expected binding, as is).
   */
  action: 'create' | 'update' | 'recreate' | 'none';
  object?: T;
  protected: boolean;
  skippedAction?: 'update' | 'recreate';
  missingSubjects: Subject[];
  extraSubjects: Subject[];
}

/** An object whose autoupdate annotation is "false" is left as it is. */
export function isReconcileProtected(obj: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return obj.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';
}

/** Upstream computeReconciledRole, plus the not-found case of ReconcileRoleOptions.run. */
export function reconcileRole<T extends RoleLike>(existing: NoInfer<T> | undefined, expected: T, options: ReconcileRoleOptions = {}): ReconcileRoleResult<T> {
  const removeExtra = options.removeExtraPermissions === true;
  if (existing === undefined) {
    return {
      action: 'create',
      object: structuredClone(expected),
      protected: false,
      missingRules: expected.rules ?? [],
      extraRules: [],
      missingAggregationRuleSelectors: aggregationRuleOf(expected)?.clusterRoleSelectors ?? [],
      extraAggregationRuleSelectors: [],
    };
  }

  const isProtected = isReconcileProtected(existing);
  let changed = false;

  // start with a copy of the existing object; expected labels and annotations are added, the
  // existing values win
  const result = structuredClone(existing);
  changed = mergeMetadata(result, existing, expected) || changed;

  const expectedAggregation = aggregationRuleOf(expected);
  const existingAggregation = aggregationRuleOf(existing);

  // extra rules are not computed when both roles are aggregated: their rules are the aggregation
  // controller's business
  // Equal rules cover each other: the common case (a restart) skips the rule-by-rule comparison.
  const sameRules = semanticEqual(existing.rules ?? [], expected.rules ?? []);
  const extraRules = !sameRules && (expectedAggregation === undefined || existingAggregation === undefined) ? covers(expected.rules ?? [], existing.rules ?? []).missing : [];
  const missingRules = sameRules ? [] : covers(existing.rules ?? [], expected.rules ?? []).missing;

  if (!removeExtra && missingRules.length > 0) {
    result.rules = [...(result.rules ?? []), ...missingRules];
    changed = true;
  } else if (removeExtra && (missingRules.length > 0 || extraRules.length > 0)) {
    result.rules = structuredClone(expected.rules);
    changed = true;
  }

  const extraSelectors = aggregationRuleCovers(expectedAggregation, existingAggregation).uncovered;
  const missingSelectors = aggregationRuleCovers(existingAggregation, expectedAggregation).uncovered;
  const cr = result as ClusterRole;
  if (expectedAggregation === undefined && existingAggregation !== undefined) {
    // not expected to be an aggregated role at all: drop the aggregation
    delete cr.aggregationRule;
    changed = true;
  } else if (!removeExtra && missingSelectors.length > 0) {
    cr.aggregationRule = { ...cr.aggregationRule, clusterRoleSelectors: [...(cr.aggregationRule?.clusterRoleSelectors ?? []), ...structuredClone(missingSelectors)] };
    changed = true;
  } else if (removeExtra && (missingSelectors.length > 0 || extraSelectors.length > 0)) {
    cr.aggregationRule = structuredClone(expectedAggregation);
    changed = true;
  }

  const base = { protected: isProtected, missingRules, extraRules, missingAggregationRuleSelectors: missingSelectors, extraAggregationRuleSelectors: extraSelectors };
  if (!changed) return { action: 'none', ...base };
  if (isProtected) return { action: 'none', skippedAction: 'update', ...base };
  return { action: 'update', object: result, ...base };
}

/** Upstream computeReconciledRoleBinding, plus the not-found case of ReconcileRoleBindingOptions.run. */
export function reconcileBinding<T extends BindingLike>(existing: NoInfer<T> | undefined, expected: T, options: ReconcileBindingOptions = {}): ReconcileBindingResult<T> {
  const removeExtra = options.removeExtraSubjects === true;
  if (existing === undefined) {
    return { action: 'create', object: structuredClone(expected), protected: false, missingSubjects: expected.subjects ?? [], extraSubjects: [] };
  }

  const isProtected = isReconcileProtected(existing);

  // roleRef is immutable: a binding to another role is replaced by the expected one, whole
  if (!sameRoleRef(existing.roleRef, expected.roleRef)) {
    const base = { protected: isProtected, missingSubjects: [], extraSubjects: [] };
    if (isProtected) return { action: 'none', skippedAction: 'recreate', ...base };
    return { action: 'recreate', object: structuredClone(expected), ...base };
  }

  const result = structuredClone(existing);
  let changed = mergeMetadata(result, existing, expected);

  const { only1: missingSubjects, only2: extraSubjects } = diffSubjectLists(expected.subjects ?? [], existing.subjects ?? []);
  if (!removeExtra && missingSubjects.length > 0) {
    result.subjects = [...(result.subjects ?? []), ...structuredClone(missingSubjects)];
    changed = true;
  } else if (removeExtra && (missingSubjects.length > 0 || extraSubjects.length > 0)) {
    result.subjects = structuredClone(expected.subjects);
    changed = true;
  }

  const base = { protected: isProtected, missingSubjects, extraSubjects };
  if (!changed) return { action: 'none', ...base };
  if (isProtected) return { action: 'none', skippedAction: 'update', ...base };
  return { action: 'update', object: result, ...base };
}

/**
 * Whether the owner's selectors include every selector of the servant's (semantic equality);
 * a missing owner covers nothing of a present servant, a missing servant is always covered.
 */
export function aggregationRuleCovers(owner: AggregationRule | undefined, servant: AggregationRule | undefined): { covered: boolean; uncovered: LabelSelector[] } {
  if (servant === undefined) return { covered: true, uncovered: [] };
  if (owner === undefined) {
    const uncovered = servant.clusterRoleSelectors ?? [];
    return { covered: false, uncovered };
  }
  const ownerSelectors = owner.clusterRoleSelectors ?? [];
  const uncovered = (servant.clusterRoleSelectors ?? []).filter((s) => !ownerSelectors.some((o) => semanticEqual(o, s)));
  return { covered: uncovered.length === 0, uncovered };
}

/** Adds the expected labels and annotations to `result`, existing values winning; true when that changed them. */
function mergeMetadata(result: RoleLike | BindingLike, existing: RoleLike | BindingLike, expected: RoleLike | BindingLike): boolean {
  let changed = false;
  const annotations = merge(expected.metadata?.annotations, existing.metadata?.annotations);
  if (!semanticEqual(annotations, existing.metadata?.annotations)) changed = true;
  const labels = merge(expected.metadata?.labels, existing.metadata?.labels);
  if (!semanticEqual(labels, existing.metadata?.labels)) changed = true;
  if (annotations !== undefined || labels !== undefined) {
    result.metadata = { ...result.metadata };
    if (annotations !== undefined) result.metadata.annotations = annotations;
    if (labels !== undefined) result.metadata.labels = labels;
  }
  return changed;
}

/** Upstream merge(): the later maps win; no map at all when every map is absent. */
function merge(...maps: (Record<string, string> | undefined)[]): Record<string, string> | undefined {
  let output: Record<string, string> | undefined;
  for (const m of maps) {
    if (m === undefined) continue;
    output = { ...output, ...m };
  }
  return output;
}

function aggregationRuleOf(role: RoleLike): AggregationRule | undefined {
  return (role as ClusterRole).aggregationRule ?? undefined;
}

function sameRoleRef(a: RoleRef, b: RoleRef): boolean {
  return (a.apiGroup ?? '') === (b.apiGroup ?? '') && (a.kind ?? '') === (b.kind ?? '') && (a.name ?? '') === (b.name ?? '');
}

/** Go struct equality of rbacv1.Subject (an absent field is the empty string). */
function sameSubject(a: Subject, b: Subject): boolean {
  return a.kind === b.kind && (a.apiGroup ?? '') === (b.apiGroup ?? '') && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** Upstream diffSubjectLists: the subjects only in list1, and only in list2, each listed once. */
export function diffSubjectLists(list1: readonly Subject[], list2: readonly Subject[]): { only1: Subject[]; only2: Subject[] } {
  const only1: Subject[] = [];
  const only2: Subject[] = [];
  for (const s of list1) if (!list2.some((t) => sameSubject(s, t)) && !only1.some((t) => sameSubject(s, t))) only1.push(s);
  for (const s of list2) if (!list1.some((t) => sameSubject(s, t)) && !only2.some((t) => sameSubject(s, t))) only2.push(s);
  return { only1, only2 };
}

/**
 * apimachinery's equality.Semantic.DeepEqual for plain JSON data: an absent or null value, an
 * empty list and an empty map are all equal; map key order does not matter, list order does.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
    return true;
  }
  return a === b;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}
