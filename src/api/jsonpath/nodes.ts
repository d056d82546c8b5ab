// The parse tree of a client-go JSONPath template (k8s.io/client-go/util/jsonpath/node.go): one
// node type per thing the parser recognises, so the evaluator is a switch over `kind`.

/** One bound of a slice `[start:end:step]`; `derived` marks an end computed from `[i]` as i+1. */
export interface SliceParam {
  value: number;
  known: boolean;
  derived: boolean;
}

export interface ListNode {
  kind: 'list';
  nodes: Node[];
}

export type Node =
  | ListNode
  | { kind: 'text'; text: string }
  | { kind: 'field'; name: string }
  | { kind: 'identifier'; name: string }
  | { kind: 'array'; params: readonly [SliceParam, SliceParam, SliceParam] }
  | { kind: 'filter'; left: ListNode; right: ListNode; operator: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'union'; branches: ListNode[] };

/** A parsed template: text and `{...}` actions in order, as the parser's Root list holds them. */
export interface ParsedPath {
  /** The text as given (for a CRD column, without the braces the parser added). */
  readonly source: string;
  readonly nodes: readonly Node[];
}
