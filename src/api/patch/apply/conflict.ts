// The 409 an apply gets when other managers own fields it would change, worded as upstream's
// managedfields NewConflictError: one cause per (manager, field), the message listing them.
import type { StatusCause } from 'kubernetes-types/meta/v1.js';
import { StatusError } from '../../status.js';
import type { ManagerInfo } from './managers.js';
import { pathString, type Path } from './path.js';

export interface Conflict {
  manager: ManagerInfo;
  path: Path;
}

/** `"name"`, plus ` with subresource "s"`, plus ` using v` for Update managers (upstream printManager). */
export function printManager(m: ManagerInfo): string {
  let s = JSON.stringify(m.manager ?? '');
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion ?? ''}`;
  return s;
}

export function conflictError(conflicts: Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Conflict[]>();
    for (const c of conflicts) {
      const k = printManager(c.manager);
      byManager.set(k, [...(byManager.get(k) ?? []), c]);
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${k}:`);
      for (const c of byManager.get(k) ?? []) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
