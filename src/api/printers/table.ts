// Building blocks shared by the per-kind printers: column definitions with upstream's names and
// descriptions, and the small cell formatters pkg/printers/internalversion uses everywhere.
import type { Container } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.js';
import type { TableColumn, TablePrinter } from '../resource.js';
import { ageSince } from './duration.js';

/** metav1.ObjectMeta{}.SwaggerDoc()["name"]. */
export const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"]. */
export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const containersDescription = 'Names of each container in the template.';
export const imagesDescription = 'Images referenced by each container in the template.';

export function column(
  name: string,
  type: TableColumn['type'],
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumn {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** Priority-1 column: shown by `kubectl get -o wide` only. */
export const wide = (name: string, type: TableColumn['type'], description: string): TableColumn =>
  column(name, type, description, { priority: 1 });

export const nameColumn = column('Name', 'string', nameDescription, { format: 'name' });
export const ageColumn = column('Age', 'string', creationTimestampDescription);

/**
 * A printer from column definitions and a typed cell function. The API server always prints
 * wide (priority-1 cells included); kubectl hides them unless asked.
 */
export function printer<T>(columns: TableColumn[], cells: (obj: T, now: Date) => unknown[]): TablePrinter {
  return { columns, cells: (obj: KubeObject, now: Date) => cells(obj as unknown as T, now) };
}

export const nameOf = (obj: { metadata?: { name?: string } }): string => obj.metadata?.name ?? '';

export const age = (obj: { metadata?: { creationTimestamp?: string } }, now: Date): string =>
  ageSince(obj.metadata?.creationTimestamp, now);

/** layoutContainerCells: container names and images, each comma-joined. */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** listWithMoreString: up to `max` entries, then "+ N more...", "<unset>" when empty. */
export function listWithMore(items: string[], max: number): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** printBoolPtr. */
export function boolPtr(value: boolean | undefined): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

/** IntOrString.String(). */
export function intOrString(v: number | string | undefined): string {
  return v === undefined ? '' : String(v);
}

/** Go's sort.Strings order. */
export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
