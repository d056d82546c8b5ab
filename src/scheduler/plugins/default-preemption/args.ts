// DefaultPreemptionArgs (upstream config.DefaultPreemptionArgs) with upstream's defaults and
// validation: how many nodes a dry run must find candidates on before it stops looking.
export interface DefaultPreemptionArgs {
  /** At least this percentage of the potential nodes is dry-run (default 10). */
  minCandidateNodesPercentage: number;
  /** ...and at least this many nodes (default 100); both capped at the number of potential nodes. */
  minCandidateNodesAbsolute: number;
}

export function defaultPreemptionArgs(raw: Record<string, unknown> | undefined): DefaultPreemptionArgs {
  const pct = raw?.minCandidateNodesPercentage ?? 10;
  const abs = raw?.minCandidateNodesAbsolute ?? 100;
  const errs: string[] = [];
  if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 0 || pct > 100) errs.push(`minCandidateNodesPercentage: Invalid value: ${JSON.stringify(pct)}: not in valid range [0, 100]`);
  if (typeof abs !== 'number' || !Number.isInteger(abs) || abs < 0) errs.push(`minCandidateNodesAbsolute: Invalid value: ${JSON.stringify(abs)}: not in valid range [0, inf)`);
  if (pct === 0 && abs === 0) errs.push('minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute');
  if (errs.length) throw new Error(errs.join(', '));
  return { minCandidateNodesPercentage: pct as number, minCandidateNodesAbsolute: abs as number };
}

/** How many candidates to collect out of `numNodes` potential nodes (upstream calculateNumCandidates). */
export function numCandidates(args: DefaultPreemptionArgs, numNodes: number): number {
  let n = Math.trunc((numNodes * args.minCandidateNodesPercentage) / 100);
  if (n < args.minCandidateNodesAbsolute) n = args.minCandidateNodesAbsolute;
  return Math.min(n, numNodes);
}
