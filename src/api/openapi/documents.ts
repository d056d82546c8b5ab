// The OpenAPI v3 documents served at /openapi/v3 (the root: one entry per group-version) and
// /openapi/v3/<api/v1|apis/G/V> (one document per group-version), shaped like upstream's
// api/openapi-spec/v3 so kubectl can:
//  - find the PATCH operation of a kind (x-kubernetes-group-version-kind) and its fieldValidation
//    parameter, and so trust the server to validate (kubectl --validate=strict);
//  - read components.schemas for `kubectl explain` and strategic-merge metadata.
// Documents are cached by their inputs; the hash is of the served bytes, so an unchanged
// document keeps its hash (and the root's serverRelativeURL) across calls and restarts.
import { createHash } from 'node:crypto';
import type { ResourceType } from '../resource.js';
import { definitions, type JSONSchema } from './definitions-data.js';
import { definitionNameForKind } from './schema-nodes.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const SCHEMA_PREFIX = '#/components/schemas/';

export interface GroupVersion {
  group: string;
  version: string;
}

export interface RootEntry extends GroupVersion {
  /** The resources of this group-version; the hash is then that of their document. */
  resources?: ResourceType[];
  /** A precomputed hash (e.g. from openapiV3DocumentJSON); wins over `resources`. */
  hash?: string;
}

/** "" → "api/v1"; "apps" → "apis/apps/v1". */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** GET /openapi/v3. */
export function openapiV3Root(groupVersions: RootEntry[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of [...groupVersions].sort((a, b) => groupVersionPath(a.group, a.version).localeCompare(groupVersionPath(b.group, b.version)))) {
    const p = groupVersionPath(gv.group, gv.version);
    const hash = gv.hash ?? (gv.resources ? openapiV3DocumentJSON(gv.group, gv.version, gv.resources).hash : fallbackHash(gv));
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

/** Without resources the built-in definitions fix the document; hash what determines it. */
function fallbackHash(gv: GroupVersion): string {
  return sha(`${definitionsFingerprint()}|${gv.group}|${gv.version}`);
}

let fingerprint: string | undefined;
function definitionsFingerprint(): string {
  return (fingerprint ??= sha(Object.keys(definitions).join(',')));
}

const sha = (s: string): string => createHash('sha512').update(s).digest('hex').toUpperCase();

export interface DocumentOptions {
  /** openAPIV3Schema of custom kinds in this group-version (CRDs), by kind. */
  customSchemas?: Record<string, object>;
}

interface BuiltDocument {
  doc: Record<string, unknown>;
  body: string;
  hash: string;
}

const docCache = new Map<string, BuiltDocument>();
const MAX_CACHED = 256;

/** GET /openapi/v3/<group-version path>: the document object (cached; do not mutate). */
export function openapiV3Document(group: string, version: string, resources: ResourceType[], opts: DocumentOptions = {}): Record<string, unknown> {
  return built(group, version, resources, opts).doc;
}

/** The document serialised once, with its hash (for ETag and the root's ?hash=). */
export function openapiV3DocumentJSON(group: string, version: string, resources: ResourceType[], opts: DocumentOptions = {}): { body: string; hash: string } {
  const b = built(group, version, resources, opts);
  return { body: b.body, hash: b.hash };
}

function built(group: string, version: string, resources: ResourceType[], opts: DocumentOptions): BuiltDocument {
  const mine = resources.filter((r) => r.group === group && r.version === version);
  const key = JSON.stringify([group, version, mine, opts.customSchemas ?? null]);
  const hit = docCache.get(key);
  if (hit) return hit;
  const doc = buildDocument(group, version, mine, opts);
  const body = JSON.stringify(doc);
  const result = { doc, body, hash: sha(body) };
  if (docCache.size >= MAX_CACHED) docCache.delete(docCache.keys().next().value as string);
  docCache.set(key, result);
  return result;
}

// ---------------------------------------------------------------------------------------------

interface GVK { group: string; version: string; kind: string }

function buildDocument(group: string, version: string, resources: ResourceType[], opts: DocumentOptions): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const custom = customDefinitions(group, version, opts.customSchemas ?? {});
  const nameOf = (g: GVK): string | undefined =>
    (g.group === group && g.version === version ? custom.names[g.kind] : undefined) ?? definitionNameForKind(g.group, g.version, g.kind);

  const roots = new Set<string>([`${META}Status`, `${META}DeleteOptions`, `${META}WatchEvent`, `${META}Patch`, `${META}APIResourceList`]);
  const paths: Record<string, unknown> = {};
  for (const r of [...resources].sort((a, b) => a.plural.localeCompare(b.plural))) {
    const kind = { group: r.group, version: r.version, kind: r.kind };
    const kindDef = nameOf(kind);
    const listDef = nameOf({ ...kind, kind: r.listKind });
    if (kindDef) roots.add(kindDef);
    if (listDef) roots.add(listDef);
    // Custom kinds take no strategic merge patch (upstream answers 415): kubectl, reading this,
    // computes a JSON merge patch for them instead.
    const media = custom.names[r.kind] && r.group === group && r.version === version ? customPatchMedia : patchMedia;
    Object.assign(paths, resourcePaths(r, kindDef, listDef, media));
    for (const sub of r.subresources) {
      const subDef = nameOf(sub);
      if (subDef) roots.add(subDef);
      Object.assign(paths, subresourcePaths(r, sub, subDef, media));
    }
  }

  // Every definition reachable from the roots, in upstream's v3 form.
  const queue = [...roots];
  const seen = new Set(queue);
  while (queue.length) {
    const name = queue.pop() as string;
    const def = custom.defs[name] ?? definitions[name];
    if (!def) continue;
    schemas[name] = custom.defs[name] ? toV3(def) : v3Definition(name);
    for (const ref of refsOf(def)) if (!seen.has(ref)) { seen.add(ref); queue.push(ref); }
  }
  const sortedSchemas: Record<string, unknown> = {};
  for (const k of Object.keys(schemas).sort()) sortedSchemas[k] = schemas[k];

  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas: sortedSchemas,
      securitySchemes: {
        BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' },
      },
    },
    security: [{ BearerToken: [] }],
  };
}

/** CRD schemas become definitions named like upstream's: group reversed, then version, kind. */
function customDefinitions(group: string, version: string, customSchemas: Record<string, object>): { names: Record<string, string>; defs: Record<string, JSONSchema> } {
  const names: Record<string, string> = {};
  const defs: Record<string, JSONSchema> = {};
  const prefix = group.split('.').reverse().join('.');
  for (const [kind, schema] of Object.entries(customSchemas)) {
    const name = `${prefix}.${version}.${kind}`;
    names[kind] = name;
    const s = { ...(schema as JSONSchema) };
    const props = { ...((s.properties as Record<string, JSONSchema> | undefined) ?? {}) };
    props.metadata = { $ref: `${META}ObjectMeta`, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" };
    props.apiVersion ??= { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
    props.kind ??= { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
    s.properties = props;
    s.type ??= 'object';
    s['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
    defs[name] = s;
    const listName = `${name}List`;
    names[`${kind}List`] = listName;
    defs[listName] = {
      description: `${kind}List is a list of ${kind}`,
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
        items: { type: 'array', items: { $ref: name }, description: `List of ${kind.toLowerCase()}s.` },
        kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
        metadata: { $ref: `${META}ListMeta`, description: 'Standard list metadata.' },
      },
      required: ['items'],
      'x-kubernetes-group-version-kind': [{ group, kind: `${kind}List`, version }],
    };
  }
  return { names, defs };
}

function refsOf(s: unknown, out: string[] = []): string[] {
  // Definitions are a few levels deep; recursion is bounded by the schema, not by input.
  if (Array.isArray(s)) for (const x of s) refsOf(x, out);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else if (k !== 'enum' && k !== 'default' && k !== 'example') refsOf(v, out);
    }
  }
  return out;
}

const v3Cache = new Map<string, unknown>();
function v3Definition(name: string): unknown {
  let v = v3Cache.get(name);
  if (!v) v3Cache.set(name, (v = toV3(definitions[name])));
  return v;
}

/** Bare `$ref: name` → upstream's `allOf: [{$ref: "#/components/schemas/name"}]` with siblings kept. */
function toV3(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV3);
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string') out.allOf = [{ $ref: SCHEMA_PREFIX + v }];
    else if (k === 'enum' || k === 'default' || k === 'example') out[k] = v;
    else out[k] = toV3(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths.

const ref = (name: string | undefined): Record<string, unknown> => (name ? { $ref: SCHEMA_PREFIX + name } : {});

const queryParam = (name: string, description: string, type = 'string'): Record<string, unknown> => ({
  name, in: 'query', description, schema: { type, uniqueItems: true },
});
const pathParam = (name: string, description: string): Record<string, unknown> => ({
  name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true },
});

const P = {
  pretty: queryParam('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: queryParam('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: queryParam('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: queryParam('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', 'boolean'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.', 'integer'),
  propagationPolicy: queryParam('propagationPolicy', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  labelSelector: queryParam('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: queryParam('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: queryParam('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  continue: queryParam('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: queryParam('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset'),
  resourceVersionMatch: queryParam('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls. Defaults to unset'),
  timeoutSeconds: queryParam('timeoutSeconds', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.', 'integer'),
  watch: queryParam('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.', 'boolean'),
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  namespace: pathParam('namespace', 'object name and auth scope, such as for teams and projects'),
};
const nameParam = (kind: string): Record<string, unknown> => pathParam('name', `name of the ${kind}`);

const readMedia = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const patchMedia = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const customPatchMedia = patchMedia.filter((m) => m !== 'application/strategic-merge-patch+json');

function responses(codes: string[], schemaName: string | undefined, media = readMedia): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const text: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  for (const c of codes) {
    out[c] = { description: text[c], content: Object.fromEntries(media.map((m) => [m, { schema: ref(schemaName) }])) };
  }
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function operation(action: string, kind: GVK, description: string, operationId: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    tags: [tagOf(kind)],
    description,
    operationId,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: kind.group, kind: kind.kind, version: kind.version },
  };
}

function tagOf(g: GVK): string {
  const group = g.group === '' ? 'core' : g.group.replace(/\.k8s\.io$/, '').split('.').map((p, i) => (i ? p[0].toUpperCase() + p.slice(1) : p)).join('');
  return `${group}_${g.version}`;
}

function opIdSuffix(r: ResourceType): string {
  const g = r.group === '' ? 'Core' : r.group.replace(/\.k8s\.io$/, '').split('.').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return `${g}${r.version[0].toUpperCase()}${r.version.slice(1)}${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
}

function basePath(r: ResourceType): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return r.namespaced ? `${root}/namespaces/{namespace}/${r.plural}` : `${root}/${r.plural}`;
}

function resourcePaths(r: ResourceType, kindDef: string | undefined, listDef: string | undefined, patchMedia: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kind = { group: r.group, version: r.version, kind: r.kind };
  const id = opIdSuffix(r);
  const has = (v: string): boolean => (r.verbs as string[]).includes(v);
  const scope = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
  const body = (name: string | undefined, media = ['*/*']): Record<string, unknown> =>
    ({ requestBody: { required: true, content: Object.fromEntries(media.map((m) => [m, { schema: ref(name) }])) } });
  const listParams = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.timeoutSeconds, P.watch];

  const collection: Record<string, unknown> = {};
  if (has('list')) collection.get = operation('list', kind, `list or watch objects of kind ${r.kind}`, `list${id}`, { parameters: listParams, responses: responses(['200'], listDef, [...readMedia, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch']) });
  if (has('create')) collection.post = operation('post', kind, `create a ${r.kind}`, `create${id}`, { parameters: writeParams, ...body(kindDef), responses: responses(['200', '201', '202'], kindDef) });
  if (has('deletecollection')) collection.delete = operation('deletecollection', kind, `delete collection of ${r.kind}`, `deletecollection${id}`, { parameters: [...listParams.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks), P.dryRun, P.gracePeriodSeconds, P.propagationPolicy], ...body(`${META}DeleteOptions`), responses: responses(['200'], `${META}Status`) });
  if (Object.keys(collection).length) out[basePath(r)] = { ...collection, parameters: scope };

  const item: Record<string, unknown> = {};
  if (has('get')) item.get = operation('get', kind, `read the specified ${r.kind}`, `read${id}`, { responses: responses(['200'], kindDef) });
  if (has('update')) item.put = operation('put', kind, `replace the specified ${r.kind}`, `replace${id}`, { parameters: writeParams, ...body(kindDef), responses: responses(['200', '201'], kindDef) });
  if (has('patch')) item.patch = operation('patch', kind, `partially update the specified ${r.kind}`, `patch${id}`, { parameters: [...writeParams, P.force], ...body(`${META}Patch`, patchMedia), responses: responses(['200', '201'], kindDef) });
  if (has('delete')) item.delete = operation('delete', kind, `delete a ${r.kind}`, `delete${id}`, { parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy], ...body(`${META}DeleteOptions`), responses: responses(['200', '202'], `${META}Status`) });
  if (Object.keys(item).length) out[`${basePath(r)}/{name}`] = { ...item, parameters: [nameParam(r.kind), ...scope] };

  // List across all namespaces.
  if (r.namespaced && has('list')) {
    const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    out[`${root}/${r.plural}`] = {
      get: operation('list', kind, `list or watch objects of kind ${r.kind}`, `list${id.replace('Namespaced', '')}ForAllNamespaces`, { parameters: listParams, responses: responses(['200'], listDef) }),
      parameters: [P.pretty],
    };
  }
  return out;
}

function subresourcePaths(r: ResourceType, sub: ResourceType['subresources'][number], subDef: string | undefined, patchMedia: string[]): Record<string, unknown> {
  const kind = { group: sub.group, version: sub.version, kind: sub.kind };
  const id = `${opIdSuffix(r)}${sub.name[0].toUpperCase()}${sub.name.slice(1)}`;
  const has = (v: string): boolean => (sub.verbs as string[]).includes(v);
  const params = [nameParam(sub.kind), ...(r.namespaced ? [P.namespace] : []), P.pretty];
  const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
  const body = (name: string | undefined, media = ['*/*']): Record<string, unknown> =>
    ({ requestBody: { required: true, content: Object.fromEntries(media.map((m) => [m, { schema: ref(name) }])) } });
  const ops: Record<string, unknown> = {};
  if (has('get')) ops.get = operation('get', kind, `read ${sub.name} of the specified ${r.kind}`, `read${id}`, { responses: responses(['200'], subDef) });
  if (has('update')) ops.put = operation('put', kind, `replace ${sub.name} of the specified ${r.kind}`, `replace${id}`, { parameters: writeParams, ...body(subDef), responses: responses(['200', '201'], subDef) });
  if (has('patch')) ops.patch = operation('patch', kind, `partially update ${sub.name} of the specified ${r.kind}`, `patch${id}`, { parameters: [...writeParams, P.force], ...body(`${META}Patch`, patchMedia), responses: responses(['200', '201'], subDef) });
  if (has('create')) ops.post = operation('post', kind, `create ${sub.name} of a ${r.kind}`, `create${id}`, { parameters: writeParams, ...body(subDef), responses: responses(['200', '201', '202'], subDef) });
  if (!Object.keys(ops).length) return {};
  return { [`${basePath(r)}/{name}/${sub.name}`]: { ...ops, parameters: params } };
}
