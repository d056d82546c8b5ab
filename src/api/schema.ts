// The structural view of a kind's schema that patching, server-side apply, field validation and
// pruning walk. Built from the OpenAPI definitions (src/api/openapi) for built-in kinds and from
// a CRD's openAPIV3Schema for custom ones; consumers depend only on this shape.

export type SchemaNode = ObjectNode | ArrayNode | MapNode | ScalarNode | AnyNode;

interface NodeBase {
  description?: string;
}

export interface ObjectNode extends NodeBase {
  type: 'object';
  /** Definition name, e.g. io.k8s.api.core.v1.PodSpec (absent for inline CRD objects). */
  ref?: string;
  /** Known fields; a getter so recursive types (JSONSchemaProps) stay finite. */
  fields(): Record<string, FieldNode>;
  required?: string[];
  /** x-kubernetes-map-type on a struct: "atomic" makes SSA own it whole. */
  mapType?: 'atomic' | 'granular';
  /** x-kubernetes-preserve-unknown-fields: unknown fields are kept and not reported. */
  preserveUnknownFields?: boolean;
}

export interface FieldNode {
  schema: SchemaNode;
  /** Go struct tag patchStrategy, split on ',': merge, replace, retainKeys. */
  patchStrategy?: string[];
  /** Go struct tag patchMergeKey (for lists of objects merged by key). */
  patchMergeKey?: string;
}

export interface ArrayNode extends NodeBase {
  type: 'array';
  items: SchemaNode;
  /** x-kubernetes-list-type; upstream default for built-ins without a tag is atomic. */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

/** A JSON object with arbitrary keys (labels, resources.limits, data). */
export interface MapNode extends NodeBase {
  type: 'map';
  values: SchemaNode;
  mapType?: 'atomic' | 'granular';
}

export interface ScalarNode extends NodeBase {
  type: 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  /** x-kubernetes-int-or-string (IntOrString, Quantity). */
  intOrString?: boolean;
  /** metav1.Time (RFC 3339, serialized to the second) or metav1.MicroTime (exactly six fractional digits). */
  timePrecision?: 'seconds' | 'micro';
  enum?: unknown[];
}

/** Anything goes (RawExtension, JSON, preserve-unknown-fields without a structure). */
export interface AnyNode extends NodeBase {
  type: 'any';
}
