// How a toleration matches a taint (upstream core/v1 Toleration.ToleratesTaint), shared by the
// scheduler's plugins and the controllers that honour taints. An empty effect tolerates every
// effect and an empty key every key; Exists ignores the value; Equal (or no operator) compares
// it; unknown operators never tolerate.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}
