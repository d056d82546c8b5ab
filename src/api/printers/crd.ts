// Tables for custom resources whose CRD declares additionalPrinterColumns, as the apiextensions
// server's tableconvertor builds them. JSONPath evaluation is injected so this file does not own
// a JSONPath engine: pass whatever src/api uses for `kubectl get -o jsonpath` semantics.
import type { KubeObject } from '../object.js';
import type { TableColumn, TablePrinter } from '../resource.js';
import { customResourceDefaultPrinter } from './default.js';
import { humanDuration } from './duration.js';
import { nameColumn } from './table.js';

/** apiextensions/v1 CustomResourceColumnDefinition. */
export interface PrinterColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** All values a (simple) JSONPath like ".spec.replicas" selects in an object. */
export type JSONPathEvaluator = (obj: KubeObject, jsonPath: string) => unknown[];

/** jsonpath's text form of a value in a "string" column: strings as-is, objects and lists as JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** cellForJSONValue: a cell of the declared type, or null when the value does not fit it. */
function cellFor(type: string, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'string':
      return textOf(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

/**
 * The printer for a CRD version: NAME, then its additionalPrinterColumns in order; with none
 * declared, NAME and AGE as upstream defaults them.
 */
export function printerForCRD(columns: PrinterColumnDefinition[] | undefined, evaluate: JSONPathEvaluator): TablePrinter {
  if (!columns || columns.length === 0) return customResourceDefaultPrinter;
  const defs: TableColumn[] = [
    nameColumn,
    ...columns.map((c): TableColumn => ({
      name: c.name,
      type: c.type as TableColumn['type'],
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: defs,
    cells(obj, now) {
      return [
        obj.metadata?.name ?? '',
        ...columns.map((c) => {
          const results = evaluate(obj, c.jsonPath);
          return results.length === 0 ? null : cellFor(c.type, results[0], now);
        }),
      ];
    },
  };
}
