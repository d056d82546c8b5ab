// Tables for custom resources whose CRD declares additionalPrinterColumns, as the apiextensions
// server's tableconvertor (registry/customresource/tableconvertor) builds them: each column's
// jsonPath is parsed as `{jsonPath}`; the first one that does not parse ends the table there (the
// server logs it and serves the columns before it); a cell shows the first value the path
// selects — a "string" column as JSONPath prints it, other types only when the value fits.
import { evaluateJSONPath, jsonPathValueText, parseJSONPath } from '../jsonpath.js';
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

/** All values a CRD column's JSONPath selects in an object ([] for none). */
export type JSONPathEvaluator = (obj: KubeObject, jsonPath: string) => unknown[];

// metav1.Time's UnmarshalQueryParameter takes RFC 3339 only (fractional seconds allowed).
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** cellForJSONValue: a cell of the declared type, or null when the value does not fit it. */
function cellFor(type: string, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      // An empty time is the zero time, which ConvertToHumanReadableDateType prints as unknown.
      if (value === '' || value === 'null') return '<unknown>';
      const t = rfc3339.test(value) ? Date.parse(value) : NaN;
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

/**
 * The printer for a CRD version: NAME, then its additionalPrinterColumns in order; with none
 * declared, NAME and AGE, the column the server defaults to. `evaluate` defaults to client-go
 * JSONPath semantics (../jsonpath.ts).
 */
export function printerForCRD(columns: PrinterColumnDefinition[] | undefined, evaluate: JSONPathEvaluator = evaluateJSONPath): TablePrinter {
  if (!columns || columns.length === 0) return customResourceDefaultPrinter;
  const served: PrinterColumnDefinition[] = [];
  for (const c of columns) {
    try {
      parseJSONPath(c.jsonPath);
    } catch {
      break;
    }
    served.push(c);
  }
  const defs: TableColumn[] = [
    nameColumn,
    ...served.map((c): TableColumn => ({
      name: c.name,
      type: c.type as TableColumn['type'],
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: defs,
    cells(obj, now) {
      return [
        obj.metadata?.name ?? '',
        ...served.map((c) => {
          const results = evaluate(obj, c.jsonPath);
          if (results.length === 0) return null;
          // Several values (".spec.containers[*].name") show the first, as upstream does.
          return c.type === 'string' ? jsonPathValueText(results[0]) : cellFor(c.type, results[0], now);
        }),
      ];
    },
  };
}
