// Generates src/api/openapi/definitions.json: the OpenAPI definitions of every built-in kind,
// named as upstream names them (io.k8s.api.core.v1.PodSpec, ...).
//
// Sources:
//  - @kubernetes/client-node models: field names, wire names, types, formats (attributeTypeMap
//    in dist/gen/models/*.js), descriptions and required fields (JSDoc and `?` in the .d.ts);
//  - kubernetes-types: which API group a type belongs to, which string fields are really
//    resource.Quantity / IntOrString / Time / MicroTime, and descriptions of $ref fields that
//    client-node drops;
//  - src/api/openapi/list-metadata.ts: the patch/list/map tags of upstream's Go types.
//
// Run: node --import tsx scripts/gen-openapi.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atomicStructs, listMetadata } from '../src/api/openapi/list-metadata.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'node_modules/@kubernetes/client-node/dist/gen/models');
const apisDir = join(root, 'node_modules/@kubernetes/client-node/dist/gen/apis');
const typesDir = join(root, 'node_modules/kubernetes-types');
const outFile = join(root, 'src/api/openapi/definitions.json');

// ---------------------------------------------------------------------------------------------
// Packages: Go package name → API group on the wire and the OpenAPI definition prefix.
interface Pkg {
  group: string;
  prefix: (version: string) => string;
}
const apiPkg = (group: string): Pkg => ({ group, prefix: (v) => `io.k8s.api.${pkgOf(group)}.${v}.` });
function pkgOf(group: string): string {
  if (group === '') return 'core';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  return group.split('.')[0];
}
const pkgs: Record<string, Pkg> = {
  meta: { group: 'meta.k8s.io', prefix: (v) => `io.k8s.apimachinery.pkg.apis.meta.${v}.` },
  apiextensions: { group: 'apiextensions.k8s.io', prefix: (v) => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${v}.` },
  apiregistration: { group: 'apiregistration.k8s.io', prefix: (v) => `io.k8s.kube-aggregator.pkg.apis.apiregistration.${v}.` },
};
for (const g of ['', 'admissionregistration.k8s.io', 'internal.apiserver.k8s.io', 'apps', 'authentication.k8s.io',
  'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
  'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy',
  'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'storagemigration.k8s.io']) {
  pkgs[pkgOf(g)] = apiPkg(g);
}
/** kubernetes-types folder / client-node name prefix → Go package. */
const folderPkg: Record<string, string> = { api: 'core', core: 'core', apiserverinternal: 'apiserverinternal', internal: 'apiserverinternal' };
const toPkg = (s: string): string => folderPkg[s] ?? s.toLowerCase();

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const FIELDS_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

// ---------------------------------------------------------------------------------------------
// JSDoc parsing shared by both .d.ts sources.
function cleanDoc(raw: string): string {
  return raw
    .replace(/^\s*\/\*\*\s?/, '')
    .replace(/\s*\*\/\s*$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .replace(/\\(['"`])/g, '$1')
    .trim();
}

interface ParsedProp { doc?: string; optional: boolean; tsType: string }
interface ParsedType { doc?: string; props: Map<string, ParsedProp> }

/** Parses `export interface X {…}` / `export declare class X {…}` blocks of a generated .d.ts. */
function parseDts(text: string, re: RegExp): Map<string, ParsedType> {
  const out = new Map<string, ParsedType>();
  const lines = text.split('\n');
  let doc: string | undefined;
  let docBuf: string[] | undefined;
  let current: ParsedType | undefined;
  let depth = 0;
  let pendingProp: { name: string; optional: boolean; type: string[]; doc?: string } | undefined;
  for (const line of lines) {
    const t = line.trim();
    if (docBuf) {
      docBuf.push(line);
      if (t.endsWith('*/')) { doc = cleanDoc(docBuf.join('\n')); docBuf = undefined; }
      continue;
    }
    if (t.startsWith('/**')) {
      if (t.endsWith('*/')) doc = cleanDoc(t); else docBuf = [line];
      continue;
    }
    if (!current) {
      const m = re.exec(t);
      if (m) { current = { doc, props: new Map() }; out.set(m[1], current); depth = 1; }
      doc = undefined;
      continue;
    }
    if (pendingProp) {
      pendingProp.type.push(t);
      depth += (t.match(/\{/g) ?? []).length - (t.match(/\}/g) ?? []).length;
      if (depth === 1) {
        current.props.set(pendingProp.name, { doc: pendingProp.doc, optional: pendingProp.optional, tsType: pendingProp.type.join(' ').replace(/;$/, '') });
        pendingProp = undefined;
      }
      continue;
    }
    if (depth === 1 && t === '}') { current = undefined; continue; }
    const pm = /^(?:readonly\s+)?'?([\w$-]+)'?(\?)?:\s*(.*)$/.exec(t);
    if (depth === 1 && pm && !t.startsWith('static')) {
      const rest = pm[3];
      const opens = (rest.match(/\{/g) ?? []).length - (rest.match(/\}/g) ?? []).length;
      if (opens > 0) {
        pendingProp = { name: pm[1], optional: !!pm[2], type: [rest], doc };
        depth += opens;
      } else {
        current.props.set(pm[1], { doc, optional: !!pm[2], tsType: rest.replace(/;$/, '') });
      }
      doc = undefined;
      continue;
    }
    depth += (t.match(/\{/g) ?? []).length - (t.match(/\}/g) ?? []).length;
    doc = undefined;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// kubernetes-types: (pkg, version, Kind) → type info; (version, Kind) → candidate packages.
const ktTypes = new Map<string, ParsedType>(); // key pkg/version/Kind
const ktByVersionKind = new Map<string, string[]>(); // key version/Kind → pkgs
for (const folder of readdirSync(typesDir)) {
  if (folder === 'node_modules' || folder.endsWith('.json') || folder.endsWith('.md')) continue;
  const files = folder.endsWith('.d.ts') ? [] : readdirSync(join(typesDir, folder)).filter((f) => f.endsWith('.d.ts'));
  for (const f of files) {
    const version = f.replace(/\.d\.ts$/, '');
    if (folder === 'api') continue; // api/resource.d.ts holds only Quantity
    const parsed = parseDts(readFileSync(join(typesDir, folder, f), 'utf8'), /^export interface (\w+)/);
    const pkg = toPkg(folder);
    for (const [kind, t] of parsed) {
      ktTypes.set(`${pkg}/${version}/${kind}`, t);
      const k = `${version}/${kind}`;
      ktByVersionKind.set(k, [...(ktByVersionKind.get(k) ?? []), pkg]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// client-node models.
interface Attr { name: string; baseName: string; type: string; format: string }
interface Model { cls: string; version: string; kind: string; attrs: Attr[]; dts: ParsedType; prefixPkg?: string }
const models = new Map<string, Model>();
const special = new Set(['ObjectSerializer', 'all', 'VersionInfo']);
for (const f of readdirSync(modelsDir).filter((f) => f.endsWith('.js'))) {
  const cls = f.replace(/\.js$/, '');
  if (special.has(cls)) continue;
  const m = /^([A-Z][a-z]+(?:[A-Z][a-z]+)?)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(cls);
  if (!m) throw new Error(`unrecognised model name ${cls}`);
  const mod = (await import(pathToFileURL(join(modelsDir, f)).href)) as Record<string, { attributeTypeMap?: Attr[] }>;
  const attrs = mod[cls]?.attributeTypeMap ?? [];
  const dts = parseDts(readFileSync(join(modelsDir, `${cls}.d.ts`), 'utf8'), /^export declare class (\w+)/).get(cls) ?? { props: new Map() };
  models.set(cls, { cls, version: m[2].toLowerCase(), kind: m[3], attrs, dts, prefixPkg: m[1] ? toPkg(m[1].replace(/Apiserver$/, '')) : undefined });
}

// Which API (group/version) files mention each model: used for types newer than kubernetes-types.
const apiRoots = new Map<string, { pkg: string; version: string; roots: Set<string> }>();
for (const f of readdirSync(apisDir).filter((f) => /V\d\w*Api\.js$/.test(f))) {
  const text = readFileSync(join(apisDir, f), 'utf8');
  const path = /'\/(apis\/([^/']+)|api)\/(v\d\w*)\//.exec(text);
  if (!path) continue;
  const group = path[2] ?? '';
  const roots = new Set<string>();
  for (const s of text.matchAll(/"(\w+)"/g)) if (models.has(s[1])) roots.add(s[1]);
  apiRoots.set(f, { pkg: pkgOf(group), version: path[3], roots });
}
const refsOf = (m: Model): string[] => m.attrs.flatMap((a) => [...a.type.matchAll(/\b([A-Z]\w*V\d\w*|V\d\w*)\b/g)].map((x) => x[1]).filter((n) => models.has(n)));
const reach = new Map<string, Set<string>>(); // model → pkgs whose API reaches it
for (const { pkg, roots } of apiRoots.values()) {
  const queue = [...roots];
  const seen = new Set<string>(queue);
  while (queue.length) {
    const n = queue.pop() as string;
    reach.set(n, (reach.get(n) ?? new Set()).add(pkg));
    for (const r of refsOf(models.get(n) as Model)) if (!seen.has(r)) { seen.add(r); queue.push(r); }
  }
}

// Types whose group neither naming nor kubernetes-types nor reachability decides.
const pkgOverride: Record<string, string> = {
  V1Status: 'meta', V1StatusDetails: 'meta', V1StatusCause: 'meta', V1WatchEvent: 'meta', V1DeleteOptions: 'meta',
  V1Preconditions: 'meta', V1FieldSelectorRequirement: 'meta',
};
const unresolved: string[] = [];
const defName = new Map<string, string>(); // client-node class → upstream definition name
const pkgOfModel = new Map<string, string>();
for (const m of models.values()) {
  let pkg = pkgOverride[m.cls] ?? m.prefixPkg;
  if (!pkg) {
    const c = ktByVersionKind.get(`${m.version}/${m.kind}`) ?? [];
    if (c.length === 1) pkg = c[0];
    else if (c.includes('meta')) pkg = 'meta';
  }
  if (!pkg) {
    const r = [...(reach.get(m.cls) ?? [])];
    const sameVersion = r.filter((p) => [...apiRoots.values()].some((a) => a.pkg === p && a.version === m.version));
    if (sameVersion.length === 1) pkg = sameVersion[0];
    else if (r.length === 1) pkg = r[0];
    else if (sameVersion.includes('core')) pkg = 'core';
  }
  if (!pkg || !pkgs[pkg]) { unresolved.push(m.cls); continue; }
  pkgOfModel.set(m.cls, pkg);
  defName.set(m.cls, pkgs[pkg].prefix(m.version) + m.kind);
}
// Leftover models no API reaches (alpha versions): the group of the same kind in another version.
for (let progress = true; progress;) {
 progress = false;
 for (const cls of unresolved.splice(0)) {
  const m = models.get(cls) as Model;
  const referrers = new Set([...models.values()].filter((o) => pkgOfModel.has(o.cls) && refsOf(o).includes(cls)).map((o) => pkgOfModel.get(o.cls)));
  const peers = referrers.size === 1 ? referrers
    : new Set([...models.values()].filter((o) => o.kind === m.kind && pkgOfModel.has(o.cls)).map((o) => pkgOfModel.get(o.cls)));
  if (peers.size !== 1) { unresolved.push(cls); continue; }
  const pkg = [...peers][0] as string;
  pkgOfModel.set(cls, pkg);
  defName.set(cls, pkgs[pkg].prefix(m.version) + m.kind);
  progress = true;
 }
}
if (unresolved.length) console.warn(`unresolved groups (skipped): ${unresolved.join(' ')}`);

// ---------------------------------------------------------------------------------------------
// Quantity fields on types newer than kubernetes-types (1.30). Facts from upstream types.go:
// these are resource.Quantity or ResourceList (map[ResourceName]Quantity).
const quantityFields = new Set([
  'core.PodSpec.overhead', 'core.PodStatus.allocatedResources', 'core.ContainerStatus.allocatedResources',
  'core.NodeAllocatableResourceClaimStatus.resources',
  'resource.CapacityRequirements.requests', 'resource.DeviceRequestAllocationResult.consumedCapacity',
  'resource.DeviceCapacity.value', 'resource.CapacityRequestPolicy.default', 'resource.CapacityRequestPolicyRange.min',
  'resource.CapacityRequestPolicyRange.max', 'resource.CapacityRequestPolicyRange.step', 'resource.Counter.value',
  'resource.BasicDevice.capacity', 'resource.CapacityRequestPolicy.validValues', 'resource.NodeAllocatableResourceMapping.allocationMultiplier',
  'storage.CSIStorageCapacity.capacity', 'storage.CSIStorageCapacity.maximumVolumeSize',
]);
// `any` fields by their upstream named type.
const anyFieldType: Record<string, string> = {
  'meta.ManagedFieldsEntry.fieldsV1': FIELDS_V1,
  'apiextensions.JSONSchemaProps.additionalItems': `${APIEXT}JSONSchemaPropsOrBool`,
  'apiextensions.JSONSchemaProps.additionalProperties': `${APIEXT}JSONSchemaPropsOrBool`,
  'apiextensions.JSONSchemaProps.default': `${APIEXT}JSON`,
  'apiextensions.JSONSchemaProps.example': `${APIEXT}JSON`,
  'apiextensions.JSONSchemaProps.items': `${APIEXT}JSONSchemaPropsOrArray`,
  'apiextensions.JSONSchemaProps.enum': `${APIEXT}JSON`,
  'apiextensions.JSONSchemaProps.dependencies': `${APIEXT}JSONSchemaPropsOrStringArray`,
  'apiextensions.CustomResourceSubresources.status': `${APIEXT}CustomResourceSubresourceStatus`,
  'apiserverinternal.StorageVersion.spec': 'io.k8s.api.apiserverinternal.v1alpha1.StorageVersionSpec',
};

type Schema = Record<string, unknown>;
const used = new Set<string>(); // special named types referenced

function ref(name: string, description?: string): Schema {
  used.add(name);
  return description ? { $ref: name, description } : { $ref: name };
}

/** Maps one client-node type string to a schema; `hint` is the kubernetes-types TS type. */
function mapType(type: string, format: string, hint: string, key: string): Schema {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    const inner = /^Array<(.+)>$/.exec(hint)?.[1] ?? '';
    return { type: 'array', items: mapType(arr[1], format, inner, key) };
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    const inner = /\]:\s*([^;}]+)/.exec(hint)?.[1]?.trim() ?? '';
    return { type: 'object', additionalProperties: mapType(map[1], format, inner, key) };
  }
  if (hint === 'Quantity' || quantityFields.has(key)) return ref(QUANTITY);
  if (hint === 'IntOrString' || type === 'IntOrString') return ref(INT_OR_STRING);
  switch (type) {
    case 'string': return format ? { type: 'string', format } : { type: 'string' };
    case 'boolean': return { type: 'boolean' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'Date': return ref(hint === 'MicroTime' ? MICRO_TIME : TIME);
    case 'V1MicroTime': return ref(MICRO_TIME);
    case 'any': return ref(anyFieldType[key] ?? RAW_EXTENSION);
  }
  const target = defName.get(type);
  if (!target) throw new Error(`unknown type ${type} at ${key}`);
  return { $ref: target };
}

const definitions: Record<string, Schema> = {};
for (const m of models.values()) {
  const name = defName.get(m.cls);
  if (!name) continue;
  const pkg = pkgOfModel.get(m.cls) as string;
  const kt = ktTypes.get(`${pkg}/${m.version}/${m.kind}`);
  const tableKey = `${pkg}.${m.kind}`;
  const tags = listMetadata[tableKey] ?? {};
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const a of m.attrs) {
    const p = m.dts.props.get(a.name);
    const k = kt?.props.get(a.baseName);
    const key = `${pkg}.${m.kind}.${a.baseName}`;
    const s = mapType(a.type, a.format, k?.tsType ?? '', key);
    // client-node documents V1MicroTime fields with the MicroTime type's text; prefer the field's.
    const description = a.type === 'V1MicroTime' ? (k?.doc ?? p?.doc) : (p?.doc ?? k?.doc);
    if (description) s.description = description;
    const tag = tags[a.baseName];
    if (tag) {
      if (tag.patchStrategy) s['x-kubernetes-patch-strategy'] = tag.patchStrategy;
      if (tag.patchMergeKey) s['x-kubernetes-patch-merge-key'] = tag.patchMergeKey;
      if (tag.listType) s['x-kubernetes-list-type'] = tag.listType;
      if (tag.listMapKeys) s['x-kubernetes-list-map-keys'] = tag.listMapKeys;
      if (tag.mapType) s['x-kubernetes-map-type'] = tag.mapType;
    }
    properties[a.baseName] = s;
    if (p && !p.optional) required.push(a.baseName);
  }
  const def: Schema = { type: 'object' };
  const doc = m.dts.doc ?? kt?.doc;
  if (doc) def.description = doc;
  def.properties = properties;
  if (required.length) def.required = required;
  if (atomicStructs.includes(tableKey)) def['x-kubernetes-map-type'] = 'atomic';
  if (properties.apiVersion && properties.kind && pkg !== 'meta') {
    def['x-kubernetes-group-version-kind'] = [{ group: pkgs[pkg].group, kind: m.kind, version: m.version }];
  }
  definitions[name] = def;
}

// Version info (/version) is unversioned upstream: io.k8s.apimachinery.pkg.version.Info.
{
  const dts = parseDts(readFileSync(join(modelsDir, 'VersionInfo.d.ts'), 'utf8'), /^export declare class (\w+)/).get('VersionInfo');
  const props: Record<string, Schema> = {};
  for (const [n, p] of dts?.props ?? []) props[n] = { type: 'string', ...(p.doc ? { description: p.doc } : {}) };
  definitions['io.k8s.apimachinery.pkg.version.Info'] = {
    type: 'object',
    description: dts?.doc ?? 'Info contains versioning information.',
    properties: props,
    required: [...(dts?.props ?? [])].filter(([, p]) => !p.optional).map(([n]) => n),
  };
}

// ---------------------------------------------------------------------------------------------
// Named special types (upstream defines them by hand with OpenAPIDefinition overrides).
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const metaGVKs = (kind: string): unknown[] => [{ group: '', kind, version: 'v1' }];
Object.assign(definitions, {
  [QUANTITY]: {
    description: 'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
    'x-kubernetes-int-or-string': true,
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
  [TIME]: { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.', type: 'string', format: 'date-time' },
  [MICRO_TIME]: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  [RAW_EXTENSION]: { description: 'RawExtension is used to hold extensions in external versions: an embedded object, kept as-is.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  [FIELDS_V1]: { description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a \'.\' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: \'f:<name>\', where <name> is the name of a field in a struct, or key in a map \'v:<value>\', where <value> is the exact json formatted value of a list item \'i:<index>\', where <index> is position of a item in a list \'k:<keys>\', where <keys> is a map of  a list item\'s key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  [`${meta}Patch`]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
  [`${APIEXT}JSON`]: { description: 'JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.', 'x-kubernetes-preserve-unknown-fields': true },
  [`${APIEXT}JSONSchemaPropsOrArray`]: { description: 'JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.', 'x-kubernetes-preserve-unknown-fields': true },
  [`${APIEXT}JSONSchemaPropsOrBool`]: { description: 'JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.', 'x-kubernetes-preserve-unknown-fields': true },
  [`${APIEXT}JSONSchemaPropsOrStringArray`]: { description: 'JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.', 'x-kubernetes-preserve-unknown-fields': true },
  [`${APIEXT}CustomResourceSubresourceStatus`]: { description: 'CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PUT/POST/PATCH requests to the custom resource ignore changes to the status stanza', type: 'object' },
  'io.k8s.api.apiserverinternal.v1alpha1.StorageVersionSpec': { description: 'StorageVersionSpec is an empty spec.', type: 'object' },
  // meta.k8s.io kinds served by every API server but absent from client-node's models.
  [`${meta}TableColumnDefinition`]: {
    description: 'TableColumnDefinition contains information about a column returned in the Table.', type: 'object',
    properties: {
      name: { type: 'string', description: 'name is a human readable name for the column.' },
      type: { type: 'string', description: 'type is an OpenAPI type definition for this column, such as number, integer, string, or array. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for more.' },
      format: { type: 'string', description: 'format is an optional OpenAPI type modifier for this column. A format modifies the type and imposes additional rules, like date or time formatting for a string. The \'name\' format is applied to the primary identifier column which has type \'string\' to assist in clients identifying column is the resource name. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for more.' },
      description: { type: 'string', description: 'description is a human readable description of this column.' },
      priority: { type: 'integer', format: 'int32', description: 'priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority. Columns that may be omitted in limited space scenarios should be given a higher priority.' },
    },
    required: ['name', 'type', 'format', 'description', 'priority'],
  },
  [`${meta}TableRow`]: {
    description: 'TableRow is an individual row in a table.', type: 'object',
    properties: {
      cells: { type: 'array', items: { 'x-kubernetes-preserve-unknown-fields': true }, description: 'cells will be as wide as the column definitions array and may contain strings, numbers (float64 or int64), booleans, simple maps, lists, or null. See the type field of the column definition for a more detailed description.', 'x-kubernetes-list-type': 'atomic' },
      conditions: { type: 'array', items: { $ref: `${meta}TableRowCondition` }, description: 'conditions describe additional status of a row that are relevant for a human user. These conditions apply to the row, not to the object, and will be specific to table output. The only defined condition type is \'Completed\', for a row that indicates a resource that has run to completion and can be given less visual priority.', 'x-kubernetes-list-type': 'atomic' },
      object: { $ref: RAW_EXTENSION, description: 'This field contains the requested additional information about each object based on the includeObject policy when requesting the Table. If "None", this field is empty, if "Object" this will be the default serialization of the object for the current API version, and if "Metadata" (the default) will contain the object metadata. Check the returned kind and apiVersion of the object before parsing. The media type of the object will always match the enclosing list - if this as a JSON table, these will be JSON encoded objects.' },
    },
    required: ['cells'],
  },
  [`${meta}TableRowCondition`]: {
    description: 'TableRowCondition allows a row to be marked with additional information.', type: 'object',
    properties: {
      type: { type: 'string', description: 'Type of row condition. The only defined value is \'Completed\' indicating that the object this row represents has reached a completed state and may be given less visual priority than other rows. Clients are not required to honor any conditions but should be consistent where possible about handling the conditions.' },
      status: { type: 'string', description: 'Status of the condition, one of True, False, Unknown.' },
      reason: { type: 'string', description: '(brief) machine readable reason for the condition\'s last transition.' },
      message: { type: 'string', description: 'Human readable message indicating details about last transition.' },
    },
    required: ['type', 'status'],
  },
  [`${meta}Table`]: {
    description: 'Table is a tabular representation of a set of API resources. The server transforms the object into a set of preferred columns for quickly reviewing the objects.', type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: `${meta}ListMeta`, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
      columnDefinitions: { type: 'array', items: { $ref: `${meta}TableColumnDefinition` }, description: 'columnDefinitions describes each column in the returned items array. The number of cells per row will always match the number of column definitions.', 'x-kubernetes-list-type': 'atomic' },
      rows: { type: 'array', items: { $ref: `${meta}TableRow` }, description: 'rows is the list of items in the table.', 'x-kubernetes-list-type': 'atomic' },
    },
    required: ['columnDefinitions', 'rows'],
    'x-kubernetes-group-version-kind': [{ group: 'meta.k8s.io', kind: 'Table', version: 'v1' }],
  },
  [`${meta}PartialObjectMetadata`]: {
    description: 'PartialObjectMetadata is a generic representation of any object with ObjectMeta. It allows clients to get access to a particular ObjectMeta schema without knowing the details of the version.', type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: `${meta}ObjectMeta`, description: 'Standard object\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' },
    },
    'x-kubernetes-group-version-kind': [{ group: 'meta.k8s.io', kind: 'PartialObjectMetadata', version: 'v1' }],
  },
  [`${meta}PartialObjectMetadataList`]: {
    description: 'PartialObjectMetadataList contains a list of objects containing only their metadata.', type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { $ref: `${meta}ListMeta`, description: 'Standard list metadata.' },
      items: { type: 'array', items: { $ref: `${meta}PartialObjectMetadata` }, description: 'items contains each of the included items.' },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [{ group: 'meta.k8s.io', kind: 'PartialObjectMetadataList', version: 'v1' }],
  },
});
// meta kinds that upstream registers in the core group (and others, which we need not list).
for (const kind of ['Status', 'APIResourceList', 'APIGroup', 'APIGroupList', 'APIVersions', 'DeleteOptions', 'WatchEvent']) {
  const d = definitions[`${meta}${kind}`];
  if (d) d['x-kubernetes-group-version-kind'] = metaGVKs(kind);
}

for (const n of used) if (!definitions[n]) throw new Error(`referenced but undefined: ${n}`);
const sorted: Record<string, Schema> = {};
for (const k of Object.keys(definitions).sort()) sorted[k] = definitions[k];
const json = JSON.stringify({
  $comment: 'Generated by scripts/gen-openapi.ts from @kubernetes/client-node and kubernetes-types; do not edit. $ref values are bare definition names.',
  definitions: sorted,
});
writeFileSync(outFile, json + '\n');
console.log(`wrote ${Object.keys(sorted).length} definitions, ${(json.length / 1024).toFixed(0)} KiB to ${outFile}`);
