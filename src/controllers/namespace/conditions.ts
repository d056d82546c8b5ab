// The namespace deletion conditions (upstream pkg/controller/namespace/deletion/
// namespace_condition_utils.go). Every pass of the deleter rebuilds the failure conditions it
// saw; each of the five condition types it owns is then either that failure (status "True") or
// its "ok" variant (status "False"), so a condition that stops failing is visibly cleared.
import type { NamespaceCondition, NamespaceStatus } from 'kubernetes-types/core/v1.js';

export const conditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

export type DeletionConditionType = (typeof conditionTypes)[number];

const okMessages: Record<DeletionConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content-preserving finalizers finished',
};

const okReasons: Record<DeletionConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentHasNoFinalizers',
};

/** What is left after one pass: instances per resource ("pods." / "widgets.example.com") and per finalizer. */
export interface ContentTotals {
  /** Keyed by `${resource}.${group}` (the core group leaves a trailing dot, as upstream prints it). */
  remainingByResource: Map<string, number>;
  remainingByFinalizer: Map<string, number>;
}

/** Collects one pass's failures, then folds them into a namespace's status. */
export class NamespaceConditionUpdater {
  private readonly failures: NamespaceCondition[] = [];
  private readonly deleteContentErrors: string[] = [];

  constructor(private readonly now: () => string) {}

  /** Discovery failed (possibly only for some groups). */
  discoveryFailed(message: string): void {
    this.failures.push(this.failure('NamespaceDeletionDiscoveryFailure', 'DiscoveryFailed', message));
  }

  groupVersionParsingFailed(message: string): void {
    this.failures.push(this.failure('NamespaceDeletionGroupVersionParsingFailure', 'GroupVersionParsingFailed', message));
  }

  /** One resource's deletion failed; all such errors become one condition. */
  deleteContentFailed(message: string): void {
    this.deleteContentErrors.push(message);
  }

  contentTotals(totals: ContentTotals): void {
    const byResource = [...totals.remainingByResource].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`);
    if (byResource.length) {
      this.failures.push(this.failure('NamespaceContentRemaining', 'SomeResourcesRemain', `Some resources are remaining: ${byResource.sort().join(', ')}`));
    }
    const byFinalizer = [...totals.remainingByFinalizer].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`);
    if (byFinalizer.length) {
      this.failures.push(
        this.failure('NamespaceFinalizersRemaining', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${byFinalizer.sort().join(', ')}`),
      );
    }
  }

  /**
   * Writes the conditions into `status` (mutating it); true when anything changed. A condition
   * keeps its lastTransitionTime unless its status flips, as upstream.
   */
  update(status: NamespaceStatus): boolean {
    const failures = [...this.failures];
    if (!failures.some((c) => c.type === 'NamespaceDeletionContentFailure') && this.deleteContentErrors.length) {
      const msgs = [...this.deleteContentErrors].sort();
      failures.push(
        this.failure('NamespaceDeletionContentFailure', 'ContentDeletionFailed', `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`),
      );
    }
    let changed = false;
    for (const type of conditionTypes) {
      const wanted = failures.find((c) => c.type === type) ?? this.ok(type);
      const conditions = (status.conditions ??= []);
      const old = conditions.find((c) => c.type === type);
      if (!old) {
        conditions.push(wanted);
        changed = true;
      } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
        if (old.status !== wanted.status) old.lastTransitionTime = this.now();
        old.status = wanted.status;
        old.reason = wanted.reason;
        old.message = wanted.message;
        changed = true;
      }
    }
    return changed;
  }

  private failure(type: DeletionConditionType, reason: string, message: string): NamespaceCondition {
    return { type, status: 'True', lastTransitionTime: this.now(), reason, message };
  }

  private ok(type: DeletionConditionType): NamespaceCondition {
    return { type, status: 'False', lastTransitionTime: this.now(), reason: okReasons[type], message: okMessages[type] };
  }
}
