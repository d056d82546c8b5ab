// Pod failure policy (upstream pod_failure_policy.go): the first rule matching a failed pod's
// container exit codes or its conditions decides FailJob, Ignore (does not count against
// backoffLimit) or Count.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodFailurePolicy } from 'kubernetes-types/batch/v1.js';

export type FailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailurePolicyMatch {
  action: FailurePolicyAction;
  /** For FailJob: the Job's failure message. */
  message: string;
}

/** The matching rule's action for a failed pod, or undefined (counts as usual). */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): FailurePolicyMatch | undefined {
  if (!policy) return undefined;
  const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  for (const [i, rule] of (policy.rules ?? []).entries()) {
    const action = rule.action as FailurePolicyAction;
    if (rule.onExitCodes) {
      const req = rule.onExitCodes;
      const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
      for (const s of statuses) {
        if (req.containerName && req.containerName !== s.name) continue;
        const code = s.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        const inValues = req.values.includes(code);
        if ((req.operator === 'In' && inValues) || (req.operator === 'NotIn' && !inValues)) {
          return { action, message: `Container ${s.name} for pod ${podName} failed with exit code ${code} matching ${action} rule at index ${i}` };
        }
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const cond = pod.status?.conditions?.find((c) => c.type === pattern.type && c.status === (pattern.status ?? 'True'));
      if (cond) return { action, message: `Pod ${podName} has condition ${pattern.type} matching ${action} rule at index ${i}` };
    }
  }
  return undefined;
}
