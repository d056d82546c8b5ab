// InterPodAffinityArgs (upstream config.InterPodAffinityArgs) with upstream's defaults and
// validation: hardPodAffinityWeight in [0, 100], default 1.
export interface InterPodAffinityArgs {
  /** Score weight of an existing pod's required affinity term that the incoming pod matches. */
  hardPodAffinityWeight: number;
  /** Score only the incoming pod's preferred terms (skip when it has none). */
  ignorePreferredTermsOfExistingPods: boolean;
}

export function interPodAffinityArgs(raw: Record<string, unknown> | undefined): InterPodAffinityArgs {
  const weight = raw?.hardPodAffinityWeight ?? 1;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new Error(`hardPodAffinityWeight: Invalid value: ${JSON.stringify(weight)}: not in valid range [0-100]`);
  }
  const ignore = raw?.ignorePreferredTermsOfExistingPods ?? false;
  if (typeof ignore !== 'boolean') throw new Error(`ignorePreferredTermsOfExistingPods: Invalid value: ${JSON.stringify(ignore)}: must be a boolean`);
  return { hardPodAffinityWeight: weight, ignorePreferredTermsOfExistingPods: ignore };
}
