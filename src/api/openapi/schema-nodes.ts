// Builds the SchemaNode trees of src/api/schema.ts: for built-in kinds from the generated
// OpenAPI definitions (definitions.json), for custom resources from a CRD's openAPIV3Schema.
// Nodes are built lazily (an ObjectNode's fields on first call) and cached per definition, so
// recursive types (JSONSchemaProps) stay finite and a kind costs only what is walked.
import type { AnyNode, ArrayNode, FieldNode, MapNode, ObjectNode, ScalarNode, SchemaNode } from '../schema.js';
import { definitions, type JSONSchema } from './definitions-data.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

let byGVK: Map<string, string> | undefined;

/** Definition name of a kind, e.g. ("apps", "v1", "Deployment") → io.k8s.api.apps.v1.Deployment. */
export function definitionNameForKind(group: string, version: string, kind: string): string | undefined {
  if (!byGVK) {
    byGVK = new Map();
    for (const [name, def] of Object.entries(definitions)) {
      const gvks = def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
      for (const g of gvks ?? []) byGVK.set(`${g.group}/${g.version}/${g.kind}`, name);
    }
  }
  return byGVK.get(`${group}/${version}/${kind}`)
    // meta/v1 kinds (DeleteOptions, Status, WatchEvent, Table, ...) are registered in every
    // group upstream; one definition serves them all.
    ?? (metaKinds.has(kind) ? byGVK.get(`/v1/${kind}`) ?? byGVK.get(`meta.k8s.io/v1/${kind}`) : undefined);
}

const metaKinds = new Set(['Status', 'DeleteOptions', 'WatchEvent', 'APIResourceList', 'APIGroup', 'APIGroupList', 'APIVersions',
  'Table', 'PartialObjectMetadata', 'PartialObjectMetadataList']);

/** The schema of a built-in kind, or undefined if the kind is unknown. */
export function schemaForKind(group: string, version: string, kind: string): ObjectNode | undefined {
  const name = definitionNameForKind(group, version, kind);
  if (!name) return undefined;
  const node = nodeForDefinition(name);
  return node.type === 'object' ? node : undefined;
}

const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

const defCache = new Map<string, SchemaNode>();

/** The node of one named definition (cached; shared by every field that refers to it). */
export function nodeForDefinition(name: string): SchemaNode {
  const cached = defCache.get(name);
  if (cached) return cached;
  const def = definitions[name];
  if (!def) throw new Error(`unknown OpenAPI definition ${name}`);
  let node: SchemaNode;
  if (name === QUANTITY || name === INT_OR_STRING) {
    node = { type: 'string', intOrString: true, format: name === QUANTITY ? 'quantity' : 'int-or-string', ...desc(def) };
  } else if (def.type === 'string') {
    node = { type: 'string', ...(def.format ? { format: def.format as string } : {}), ...desc(def) };
    if (name === TIME) node.timePrecision = 'seconds';
    if (name === MICRO_TIME) node.timePrecision = 'micro';
  } else if (!def.properties) {
    // RawExtension, FieldsV1, JSON, JSONSchemaPropsOr*: anything goes. An empty struct
    // (CustomResourceSubresourceStatus) keeps an object with no fields.
    node = def['x-kubernetes-preserve-unknown-fields'] || def.type !== 'object'
      ? { type: 'any', ...desc(def) } satisfies AnyNode
      : objectNode(def, name, () => ({}));
  } else {
    node = objectNode(def, name, () => fieldsOf(def.properties as Record<string, JSONSchema>));
  }
  defCache.set(name, node);
  return node;
}

function desc(s: JSONSchema): { description?: string } {
  return typeof s.description === 'string' ? { description: s.description } : {};
}

function objectNode(def: JSONSchema, ref: string | undefined, build: () => Record<string, FieldNode>): ObjectNode {
  let fields: Record<string, FieldNode> | undefined;
  const node: ObjectNode = { type: 'object', fields: () => (fields ??= build()), ...desc(def) };
  if (ref) node.ref = ref;
  if (Array.isArray(def.required)) node.required = def.required as string[];
  if (def['x-kubernetes-map-type'] === 'atomic' || def['x-kubernetes-map-type'] === 'granular') node.mapType = def['x-kubernetes-map-type'];
  if (def['x-kubernetes-preserve-unknown-fields'] === true) node.preserveUnknownFields = true;
  return node;
}

function fieldsOf(props: Record<string, JSONSchema>): Record<string, FieldNode> {
  const out: Record<string, FieldNode> = {};
  for (const [name, p] of Object.entries(props)) {
    const field: FieldNode = { schema: nodeForProperty(p) };
    if (typeof p['x-kubernetes-patch-strategy'] === 'string') field.patchStrategy = p['x-kubernetes-patch-strategy'].split(',');
    if (typeof p['x-kubernetes-patch-merge-key'] === 'string') field.patchMergeKey = p['x-kubernetes-patch-merge-key'];
    out[name] = field;
  }
  return out;
}

/** A property of a built-in definition: $ref (bare name), array, map or scalar. */
function nodeForProperty(p: JSONSchema): SchemaNode {
  if (typeof p.$ref === 'string') return nodeForDefinition(p.$ref);
  if (p.type === 'array') {
    const node: ArrayNode = { type: 'array', items: nodeForProperty((p.items ?? {}) as JSONSchema), ...desc(p) };
    listTags(node, p);
    return node;
  }
  if (p.type === 'object' && p.additionalProperties) {
    const values = typeof p.additionalProperties === 'object' ? nodeForProperty(p.additionalProperties as JSONSchema) : ({ type: 'any' } as AnyNode);
    const node: MapNode = { type: 'map', values, ...desc(p) };
    if (p['x-kubernetes-map-type'] === 'atomic' || p['x-kubernetes-map-type'] === 'granular') node.mapType = p['x-kubernetes-map-type'];
    return node;
  }
  return scalarOrAny(p);
}

function listTags(node: ArrayNode, p: JSONSchema): void {
  const lt = p['x-kubernetes-list-type'];
  if (lt === 'atomic' || lt === 'set' || lt === 'map') node.listType = lt;
  if (Array.isArray(p['x-kubernetes-list-map-keys'])) node.listMapKeys = p['x-kubernetes-list-map-keys'] as string[];
}

function scalarOrAny(p: JSONSchema): SchemaNode {
  if (p['x-kubernetes-int-or-string'] === true) return { type: 'string', intOrString: true, ...desc(p) };
  const t = p.type;
  if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean') {
    const node: ScalarNode = { type: t, ...desc(p) };
    if (typeof p.format === 'string' && p.format) node.format = p.format;
    if (Array.isArray(p.enum)) node.enum = p.enum;
    return node;
  }
  return { type: 'any', ...desc(p) };
}

// ---------------------------------------------------------------------------------------------
// CustomResourceDefinition schemas.

export interface CRDSchemaOptions {
  /** The schema is a resource's root (default true): apiVersion, kind and metadata are implied. */
  root?: boolean;
}

/** Converts a CRD version's openAPIV3Schema (a structural schema) to a SchemaNode. */
export function schemaFromJSONSchemaProps(props: object, opts: CRDSchemaOptions = {}): SchemaNode {
  return fromProps(props as JSONSchema, opts.root ?? true);
}

function fromProps(p: JSONSchema, embedded: boolean): SchemaNode {
  if (p['x-kubernetes-int-or-string'] === true) return { type: 'string', intOrString: true, ...desc(p) };
  const preserve = p['x-kubernetes-preserve-unknown-fields'] === true;
  const isEmbedded = embedded || p['x-kubernetes-embedded-resource'] === true;
  if (p.type === 'array') {
    const node: ArrayNode = { type: 'array', items: fromProps((p.items ?? {}) as JSONSchema, false), ...desc(p) };
    listTags(node, p);
    return node;
  }
  const props = p.properties as Record<string, JSONSchema> | undefined;
  if (p.type === 'object' && !props && p.additionalProperties !== undefined && p.additionalProperties !== false && !isEmbedded) {
    const values = typeof p.additionalProperties === 'object' ? fromProps(p.additionalProperties as JSONSchema, false) : ({ type: 'any' } as AnyNode);
    const node: MapNode = { type: 'map', values, ...desc(p) };
    if (p['x-kubernetes-map-type'] === 'atomic' || p['x-kubernetes-map-type'] === 'granular') node.mapType = p['x-kubernetes-map-type'];
    return node;
  }
  if (p.type === 'object' || props || isEmbedded) {
    // An object without properties keeps nothing unless preserve-unknown-fields says so
    // (structural pruning); a bare `type: object` with preserve is an open object.
    return objectNode({ ...p, 'x-kubernetes-preserve-unknown-fields': preserve }, undefined, () => {
      const fields: Record<string, FieldNode> = {};
      for (const [name, sub] of Object.entries(props ?? {})) fields[name] = { schema: fromProps(sub, false) };
      if (isEmbedded) {
        fields.apiVersion ??= { schema: { type: 'string' } };
        fields.kind ??= { schema: { type: 'string' } };
        // metadata of a resource is always ObjectMeta, whatever the CRD says of it.
        fields.metadata = { schema: nodeForDefinition(OBJECT_META) };
      }
      return fields;
    });
  }
  if (preserve && !p.type) return { type: 'any', ...desc(p) };
  return scalarOrAny(p);
}
