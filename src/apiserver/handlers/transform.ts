// Shapes objects for the response form the client negotiated: the object itself, a Table row
// set (kubectl get), or PartialObjectMetadata (metadata-only clients).
import type { KubeObject } from '../../api/object.js';
import type { TablePrinter } from '../../api/resource.js';
import type { Negotiated } from '../http/negotiate.js';

export interface TableOptions {
  /** includeObject=None|Metadata|Object (default Metadata). */
  includeObject: string;
  /** Omit columnDefinitions (later events of a watch). */
  noHeaders?: boolean;
  now: Date;
}

export function partialObject(obj: KubeObject, metaVersion: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

export function toTable(printer: TablePrinter, objects: KubeObject[], listMeta: Record<string, unknown>, n: Negotiated, opts: TableOptions): KubeObject {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${n.metaVersion}`,
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows: objects.map((obj) => ({
      cells: printer.cells(obj, opts.now),
      object: rowObject(obj, n.metaVersion, opts.includeObject),
    })),
  };
}

function rowObject(obj: KubeObject, metaVersion: string, includeObject: string): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return obj;
  return partialObject(obj, metaVersion);
}

export function toPartialList(objects: KubeObject[], listMeta: Record<string, unknown>, metaVersion: string): KubeObject {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${metaVersion}`,
    metadata: listMeta,
    items: objects.map((o) => partialObject(o, metaVersion)),
  };
}
