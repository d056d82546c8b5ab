// The tables upstream serves for kinds without a printer of their own.
import type { TablePrinter } from '../resource.js';
import { column, creationTimestampDescription, nameColumn, printer } from './table.js';
import { ageSince } from './duration.js';

type Meta = { metadata?: { name?: string; creationTimestamp?: string } };

/**
 * rest.NewDefaultTableConvertor, used by built-in kinds with no printer (Role, ClusterRole,
 * LimitRange, CustomResourceDefinition, ...): NAME and CREATED AT, the latter a "date" column
 * holding the RFC 3339 timestamp itself.
 */
export const defaultTablePrinter: TablePrinter = printer<Meta>(
  [nameColumn, column('Created At', 'date', creationTimestampDescription)],
  (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? ''],
);

/**
 * What the apiextensions server prints for a custom resource whose CRD declares no
 * additionalPrinterColumns: NAME and an AGE "date" column rendered as a human duration. The AGE
 * column is the one serveDefaultColumnsIfEmpty adds, described as ObjectMeta's creationTimestamp.
 */
export const customResourceDefaultPrinter: TablePrinter = printer<Meta>(
  [nameColumn, column('Age', 'date', creationTimestampDescription)],
  (obj, now) => [obj.metadata?.name ?? '', ageSince(obj.metadata?.creationTimestamp, now)],
);
