// GET /openapi/v2 as protobuf (gnostic openapi_v2.Document), for kubectl ≤ 1.28: its default
// --validate=strict asks this document — never v3 — whether a kind's PATCH operation takes the
// `fieldValidation` query parameter, and a 404 here makes every `kubectl apply` fail. The
// document carries the paths with their PATCH operations (x-kubernetes-group-version-kind and
// the write parameters); it has no definitions, so those clients fall back to their compiled-in
// types for strategic merge, as they do for any kind the document does not describe.
// Field numbers: github.com/google/gnostic-models openapiv2/OpenAPIv2.proto.
import type { ResourceType } from '../../api/resource.js';
import { KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../../util/version.js';

/**
 * The response type. Clients ask for `…spec.v2@v1.0+protobuf`, but `@` is no MIME token character
 * and Go's mime.ParseMediaType (client-go) rejects it in a Content-Type: upstream answers with
 * this dotted spelling, and accepts both.
 */
export const openapiV2ProtobufType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const acceptedTypes = new Set([openapiV2ProtobufType, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf']);

/** Whether the Accept header asks for the protobuf form (the only one served). */
export function wantsOpenapiV2Protobuf(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((c) => acceptedTypes.has(c.split(';')[0].trim().toLowerCase()));
}

// A minimal protobuf writer: only length-delimited fields (strings and sub-messages) are needed.
type Field = [number, string | Buffer];

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function message(fields: Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const [num, value] of fields) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    parts.push(varint((num << 3) | 2), varint(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

/** NamedAny{name=1, value=2 Any{yaml=2}}: JSON is YAML, and kubectl yaml-decodes the value. */
const vendorExtension = (name: string, value: unknown): Buffer => message([[1, name], [2, message([[2, JSON.stringify(value)]])]]);

/** ParametersItem{parameter=1 Parameter{non_body_parameter=2 NonBodyParameter{query=3 {in=2, description=3, name=4, type=6}}}}. */
const queryParameter = (name: string, type: string, description: string): Buffer =>
  message([[1, message([[2, message([[3, message([[2, 'query'], [3, description], [4, name], [6, type]])]])]])]]);

const writeParameters = [
  queryParameter('dryRun', 'string', 'When present, indicates that modifications should not be persisted.'),
  queryParameter('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  queryParameter('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
  queryParameter('force', 'boolean', 'Force is going to "force" Apply requests.'),
];

const patchMedia = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function itemPath(r: ResourceType): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${r.namespaced ? `${root}/namespaces/{namespace}` : root}/${r.plural}/{name}`;
}

/** Operation{description=3, operation_id=5, produces=6, consumes=7, parameters=8, vendor_extension=13}. */
function patchOperation(r: ResourceType): Buffer {
  const fields: Field[] = [
    [3, `partially update the specified ${r.kind}`],
    [5, `patch${r.group === '' ? 'Core' : ''}${r.version}${r.kind}`],
    [6, 'application/json'],
    [6, 'application/yaml'],
    ...patchMedia.map((m): Field => [7, m]),
    ...writeParameters.map((p): Field => [8, p]),
    [13, vendorExtension('x-kubernetes-action', 'patch')],
    [13, vendorExtension('x-kubernetes-group-version-kind', { group: r.group, kind: r.kind, version: r.version })],
  ];
  return message(fields);
}

const cache = new Map<string, Buffer>();

/** The encoded Document for these resources (cached by their identity). */
export function openapiV2Protobuf(resources: ResourceType[]): Buffer {
  const patchable = resources.filter((r) => r.verbs.includes('patch')).sort((a, b) => itemPath(a).localeCompare(itemPath(b)));
  const key = patchable.map(itemPath).join('|');
  const hit = cache.get(key);
  if (hit) return hit;
  // NamedPathItem{name=1, value=2 PathItem{patch=8}}
  const paths = patchable.map((r): Field => [2, message([[1, itemPath(r)], [2, message([[8, patchOperation(r)]])]])]);
  const doc = message([
    [1, '2.0'],
    [2, message([[1, 'Kubernetes'], [2, `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0`]])],
    [8, message(paths)],
  ]);
  if (cache.size > 64) cache.clear();
  cache.set(key, doc);
  return doc;
}
