// CustomResourceDefinition validation through validateObject / validateObjectUpdate, after
// defaulting as the store does, each rule checked by upstream's rendered message. Paths follow
// upstream's internal type: what every version shares is reported at spec.validation,
// spec.subresources, spec.additionalPrinterColumns; what differs stays at spec.versions[i].
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { fieldErrorMessage } from '../../../src/api/status.js';
import { applyDefaults } from '../../../src/api/defaults/index.js';
import { validateObject, validateObjectUpdate } from '../../../src/api/validation/index.js';
import { loadCEL } from '../../../src/api/cel/library.js';

// CEL is loaded on first need in the server; these tests call its evaluators directly.
before(() => loadCEL());

type Obj = Record<string, any>;
const group = 'apiextensions.k8s.io';
const kind = 'CustomResourceDefinition';

const schema = (): Obj => ({
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, port: { 'x-kubernetes-int-or-string': true } } },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
});

function crd(edit: (c: Obj) => void = () => {}): KubeObject {
  const c: Obj = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind,
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema() }, subresources: { status: {} } }],
    },
  };
  edit(c);
  return c as KubeObject;
}

const v0 = (c: Obj): Obj => c.spec.versions[0];
const root = (c: Obj): Obj => v0(c).schema.openAPIV3Schema;

function messages(obj: KubeObject): string[] {
  const o = structuredClone(obj);
  applyDefaults(group, 'v1', kind, o);
  return validateObject(group, 'v1', kind, o).map(fieldErrorMessage);
}

function updateMessages(old: KubeObject, change: (o: Obj) => void): string[] {
  const before = structuredClone(old);
  applyDefaults(group, 'v1', kind, before);
  (before.metadata as Obj).resourceVersion = '5';
  const after = structuredClone(before) as Obj;
  change(after);
  applyDefaults(group, 'v1', kind, after as KubeObject);
  return validateObjectUpdate(group, 'v1', kind, after as KubeObject, before).map(fieldErrorMessage);
}

const dns1035 = (v: string) =>
  `Invalid value: "${v}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
const dns1035Msg = dns1035('x').slice('Invalid value: "x": '.length);

const S = 'spec.validation.openAPIV3Schema';

const cases: [name: string, obj: KubeObject, expect: string[]][] = [
  ['a complete CRD is valid', crd(), []],
  ['a cluster-scoped CRD with several versions and their own schemas is valid', crd((c) => {
    c.spec.scope = 'Cluster';
    c.spec.versions.push({ name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } });
  }), []],

  // metadata.name
  ['the name must be plural.group', crd((c) => (c.metadata.name = 'widget.example.com')), ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group']],
  ['a namespace is forbidden', crd((c) => (c.metadata.namespace = 'default')), ['metadata.namespace: Forbidden: not allowed on this type']],

  // group
  ['a group is required', crd((c) => {
    c.spec.group = '';
    c.metadata.name = 'widgets.';
  }), [
    'metadata.name: Invalid value: "widgets.": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    'spec.group: Required value',
  ]],
  ['a group needs a dot', crd((c) => {
    c.spec.group = 'example';
    c.metadata.name = 'widgets.example';
  }), ['spec.group: Invalid value: "example": should be a domain with at least one dot']],
  ['a group is a DNS subdomain', crd((c) => {
    c.spec.group = 'Example.com';
    c.metadata.name = 'widgets.example.com';
  }), [
    'metadata.name: Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group',
    'spec.group: Invalid value: "Example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
  ]],
  ['a protected group needs its approval annotation', crd((c) => {
    c.spec.group = 'widgets.k8s.io';
    c.metadata.name = 'widgets.widgets.k8s.io';
  }), ['metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111']],
  ['an approval annotation is a URL or starts with "unapproved"', crd((c) => {
    c.spec.group = 'widgets.k8s.io';
    c.metadata.name = 'widgets.widgets.k8s.io';
    c.metadata.annotations = { 'api-approved.kubernetes.io': 'yes' };
  }), ['metadata.annotations[api-approved.kubernetes.io]: Invalid value: "yes": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111']],
  ['an approved protected group is valid', crd((c) => {
    c.spec.group = 'widgets.k8s.io';
    c.metadata.name = 'widgets.widgets.k8s.io';
    c.metadata.annotations = { 'api-approved.kubernetes.io': 'https://github.com/kubernetes/kubernetes/pull/1' };
  }), []],

  // scope
  ['a scope is required', crd((c) => delete c.spec.scope), ['spec.scope: Required value']],
  ['a scope is Cluster or Namespaced', crd((c) => (c.spec.scope = 'Global')), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']],

  // names
  ['a plural is required', crd((c) => {
    c.spec.names.plural = '';
    c.metadata.name = '.example.com';
  }), [
    'metadata.name: Invalid value: ".example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    'spec.names.plural: Required value',
  ]],
  ['a kind is required (and singular and listKind then have no default)', crd((c) => delete c.spec.names.kind), [
    'spec.names.singular: Required value',
    'spec.names.kind: Required value',
    'spec.names.listKind: Required value',
  ]],
  ['plural and singular are DNS-1035 labels', crd((c) => {
    c.spec.names.plural = 'Widgets';
    c.spec.names.singular = 'wid_get';
    c.metadata.name = 'Widgets.example.com';
  }), [
    'metadata.name: Invalid value: "Widgets.example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    `spec.names.plural: ${dns1035('Widgets')}`,
    `spec.names.singular: ${dns1035('wid_get')}`,
  ]],
  ['a kind may have mixed case but is otherwise a DNS-1035 label', crd((c) => (c.spec.names.kind = 'My_Widget')), [
    `spec.names.singular: ${dns1035('my_widget')}`,
    `spec.names.kind: Invalid value: "My_Widget": may have mixed case, but should otherwise match: ${dns1035Msg}`,
    `spec.names.listKind: Invalid value: "My_WidgetList": may have mixed case, but should otherwise match: ${dns1035Msg}`,
  ]],
  ['listKind may not equal kind', crd((c) => (c.spec.names.listKind = 'Widget')), ['spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same']],
  ['short names and categories are DNS-1035 labels', crd((c) => {
    c.spec.names.shortNames = ['wd', 'W'];
    c.spec.names.categories = ['all', '1st'];
  }), [`spec.names.shortNames[1]: ${dns1035('W')}`, `spec.names.categories[1]: ${dns1035('1st')}`]],
  ['accepted names are checked too', crd((c) => (c.status = { acceptedNames: { plural: 'Widgets', kind: 'Widget' } })), [`status.acceptedNames.plural: ${dns1035('Widgets')}`]],

  // versions
  ['exactly one storage version', crd((c) => (v0(c).storage = false)), [
    'spec.versions: Invalid value: [{"name":"v1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","default":1},"port":{"x-kubernetes-int-or-string":true}}},"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}},"subresources":{"status":{}}}]: must have exactly one version marked as storage version',
    'status.storedVersions: Invalid value: []: must have at least one stored version',
  ]],
  ['version names are unique DNS-1035 labels, the first also being spec.version', crd((c) => {
    v0(c).name = 'V1';
    c.spec.versions.push({ ...structuredClone(v0(c)), storage: false });
  }), [
    `spec.versions[0].name: ${dns1035('V1')}`,
    `spec.versions[1].name: ${dns1035('V1')}`,
    `spec.versions: Invalid value: ${JSON.stringify((crd((c) => {
      v0(c).name = 'V1';
      c.spec.versions.push({ ...structuredClone(v0(c)), storage: false });
    }) as Obj).spec.versions)}: must contain unique version names`,
    `spec.version: ${dns1035('V1')}`,
  ]],
  ['a schema is required', crd((c) => delete v0(c).schema), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']],
  ['a deprecation warning needs a deprecated version', crd((c) => (v0(c).deprecationWarning = 'old')), ['spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions']],
  ['a deprecation warning is printable', crd((c) => Object.assign(v0(c), { deprecated: true, deprecationWarning: 'é\u0007' })), ['spec.versions[0].deprecationWarning: Invalid value: "é\\u0007": must only contain printable UTF-8 characters; non-printable character found at index 2']],

  // schemas: one shared by every version is reported at spec.validation
  ['the root type must be object (structural errors come sorted, after the status subresource rule)', crd((c) => (root(c).type = 'array')), [
    `${S}.type: Invalid value: "array": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
    `${S}.items: Required value: must be specified`,
    `${S}.type: Invalid value: "array": must be object at the root`,
  ]],
  ['every specified field has a type', crd((c) => (root(c).properties.spec.properties.bad = { description: 'no type' })), [`${S}.properties[spec].properties[bad].type: Required value: must not be empty for specified object fields`]],
  ['array items have a type', crd((c) => (root(c).properties.spec.properties.list = { type: 'array', items: {} })), [`${S}.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items`]],
  ['a root without type', crd((c) => delete root(c).type), [`${S}.type: Required value: must not be empty at the root`]],
  ['metadata at the root may only restrict name and generateName', crd((c) => (root(c).properties.metadata = { type: 'object', properties: { labels: { type: 'object' } } })), [`${S}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
  ['metadata restricting the name is fine', crd((c) => (root(c).properties.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } })), []],
  ['a default in metadata is forbidden', crd((c) => (root(c).properties.metadata = { type: 'object', default: {} })), [`${S}.properties[metadata].default: Forbidden: must not be set in top-level metadata`]],
  ['kind at the root must be a string', crd((c) => (root(c).properties.kind = { type: 'integer' })), [`${S}.properties[kind].type: Invalid value: "integer": must be string`]],
  ['additionalProperties at the root is forbidden', crd((c) => {
    delete v0(c).subresources;
    root(c).additionalProperties = false;
  }), [`${S}.additionalProperties: Forbidden: must not be used at the root`, `${S}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]],
  ['a value validation may not declare a type', crd((c) => (root(c).properties.spec.anyOf = [{ type: 'object', required: ['replicas'] }])), [`${S}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`]],
  ['what a value validation mentions must exist', crd((c) => {
    delete v0(c).subresources;
    root(c).allOf = [{ properties: { other: { minLength: 1 } } }];
  }), [`${S}.properties[other]: Required value: because it is defined in ${S}.allOf[0].properties[other]`]],
  ['int-or-string by anyOf of integer and string is structural', crd((c) => (root(c).properties.spec.properties.port = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] })), []],
  ['int-or-string may not also preserve unknown fields', crd((c) => (root(c).properties.spec.properties.port['x-kubernetes-preserve-unknown-fields'] = true)), [`${S}.properties[spec].properties[port].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`]],
  ['unsupported keywords are forbidden', crd((c) => Object.assign(root(c).properties.spec.properties, { a: { type: 'string', uniqueItems: true }, b: { type: 'null' }, c: { type: 'text' } })), [
    `${S}.properties[spec].properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    `${S}.properties[spec].properties[b].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
    `${S}.properties[spec].properties[b].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
    `${S}.properties[spec].properties[c].type: Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string"`,
  ]],
  ['a $ref makes the schema unconvertible: only the OpenAPI error is reported', crd((c) => (root(c).properties.spec.properties.r = { $ref: '#/x' })), [`${S}.properties[spec].properties[r].$ref: Forbidden: $ref is not supported`]],
  ['list-type map needs keys that are required or defaulted', crd((c) => (root(c).properties.spec.properties.ports = {
    type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
    items: { type: 'object', properties: { name: { type: 'string' } } },
  })), [`${S}.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`]],
  ['list-map-keys need list-type map', crd((c) => (root(c).properties.spec.properties.ports = { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-map-keys': ['name'] })), [`${S}.properties[spec].properties[ports].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`]],
  ['x-kubernetes-preserve-unknown-fields may not be false', crd((c) => (root(c).properties.spec['x-kubernetes-preserve-unknown-fields'] = false)), [`${S}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]],
  ['a validation rule needs a rule', crd((c) => (root(c).properties.spec['x-kubernetes-validations'] = [{ rule: ' ', reason: 'Bad' }])), [
    `${S}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
    `${S}.properties[spec].x-kubernetes-validations[0].reason: Unsupported value: "Bad": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
  ]],
  ['with the status subresource the root may not restrict more than properties allow', crd((c) => (root(c).anyOf = [{ required: ['spec'] }])), [
    'spec.validation.openAPIV3Schema: Invalid value: ' + JSON.stringify({ ...schema(), anyOf: [{ required: ['spec'] }] }) + ': only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled',
  ]],
  ['nullable at the root is forbidden', crd((c) => {
    delete v0(c).subresources;
    root(c).nullable = true;
  }), ['spec.validation.openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root']],
  ['schemas that differ are reported per version', crd((c) => {
    c.spec.versions.push({ name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { description: 'x' } } } } });
  }), ['spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields']],

  // subresources
  ['scale paths point into spec and status', crd((c) => (v0(c).subresources.scale = { specReplicasPath: '.status.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: '.metadata.labels' })), [
    'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .',
    'spec.subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
  ]],
  ['scale paths are required', crd((c) => (v0(c).subresources.scale = {})), ['spec.subresources.scale.specReplicasPath: Required value', 'spec.subresources.scale.statusReplicasPath: Required value']],

  // printer columns
  ['printer columns', crd((c) => (v0(c).additionalPrinterColumns = [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1 },
    { name: '', type: 'text', format: 'uuid', jsonPath: 'spec.x' },
    { name: 'Missing', jsonPath: '' },
  ])), [
    'spec.additionalPrinterColumns[1].name: Required value',
    'spec.additionalPrinterColumns[1].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
    'spec.additionalPrinterColumns[1].format: Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password',
    'spec.additionalPrinterColumns[1].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .',
    'spec.additionalPrinterColumns[2].type: Required value: must be one of boolean,date,integer,number,string',
    'spec.additionalPrinterColumns[2].JSONPath: Required value',
  ]],
  ['a column path upstream cannot parse is still accepted (the table then stops before it)', crd((c) => (v0(c).additionalPrinterColumns = [{ name: 'X', type: 'string', jsonPath: '.spec[' }])), []],

  // conversion
  ['a webhook conversion needs a client config and review versions', crd((c) => (c.spec.conversion = { strategy: 'Webhook' })), [
    'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
    'spec.conversion.conversionReviewVersions: Required value',
  ]],
  ['a webhook conversion by URL', crd((c) => (c.spec.conversion = { strategy: 'Webhook', webhook: { clientConfig: { url: 'http://user@conv/x?q=1' }, conversionReviewVersions: ['v2', 'v2'] } })), [
    'spec.conversion.webhookClientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
    'spec.conversion.webhookClientConfig.url: Invalid value: "user": user information is not permitted in the URL',
    'spec.conversion.webhookClientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL',
    'spec.conversion.conversionReviewVersions[1]: Invalid value: "v2": duplicate version',
    'spec.conversion.conversionReviewVersions: Invalid value: ["v2","v2"]: must include at least one of v1, v1beta1',
  ]],
  ['a webhook conversion by service, whose name and namespace upstream reports swapped', crd((c) => (c.spec.conversion = { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'conv', path: 'convert/' } }, conversionReviewVersions: ['v1'] } })), [
    'spec.conversion.webhookClientConfig.service.name: Required value',
    'spec.conversion.webhookClientConfig.service.path: Invalid value: "convert/": must start with a \'/\'',
  ]],
  ['a valid webhook conversion', crd((c) => (c.spec.conversion = { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'conv', namespace: 'system', path: '/convert' } }, conversionReviewVersions: ['v1'] } })), []],
  ['a None conversion has no webhook', crd((c) => (c.spec.conversion = { strategy: 'None', webhook: { clientConfig: { url: 'https://x' }, conversionReviewVersions: ['v1'] } })), [
    'spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook',
    'spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook',
  ]],
  ['an unknown strategy', crd((c) => (c.spec.conversion = { strategy: 'Magic' })), ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"']],
  ['preserveUnknownFields cannot be set to true', crd((c) => (c.spec.preserveUnknownFields = true)), [
    'spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema',
    'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
  ]],

  // stored versions
  ['every stored version stays in spec.versions', crd((c) => (c.status = { storedVersions: ['v1beta1', 'v1'] })), [
    'status.storedVersions[0]: Invalid value: "v1beta1": missing from spec.versions; v1beta1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1beta1 and removes v1beta1 from status.storedVersions',
  ]],
];

for (const [name, obj, expect] of cases) {
  test(`CRD: ${name}`, () => assert.deepEqual(messages(obj), expect));
}

test('CRD update: group and plural never change; scope and kind only until established', () => {
  assert.deepEqual(updateMessages(crd(), (o) => {
    o.spec.scope = 'Cluster';
    o.spec.names.kind = 'Gadget';
  }), []);
  const established = crd((c) => (c.status = { storedVersions: ['v1'], conditions: [{ type: 'Established', status: 'True' }] }));
  assert.deepEqual(updateMessages(established, (o) => {
    o.spec.scope = 'Cluster';
    o.spec.names.kind = 'Gadget';
    o.spec.names.listKind = 'GadgetList';
  }), ['spec.scope: Invalid value: "Cluster": field is immutable', 'spec.names.kind: Invalid value: "Gadget": field is immutable']);
  assert.deepEqual(updateMessages(crd(), (o) => {
    o.spec.group = 'other.com';
    o.metadata.name = 'widgets.other.com';
  }), ['metadata.name: Invalid value: "widgets.other.com": field is immutable', 'spec.group: Invalid value: "other.com": field is immutable']);
});

test('CRD update: dropping a stored version from spec.versions is refused', () => {
  const twoVersions = crd((c) => c.spec.versions.unshift({ name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: schema() }, subresources: { status: {} } }));
  const msgs = updateMessages(twoVersions, (o) => {
    o.status.storedVersions = ['v1beta1', 'v1'];
    o.spec.versions.shift();
  });
  assert.deepEqual(msgs, [
    'status.storedVersions[0]: Invalid value: "v1beta1": missing from spec.versions; v1beta1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1beta1 and removes v1beta1 from status.storedVersions',
  ]);
});

test('CRD update: what the stored CRD already had is not refused again', () => {
  // A legacy CRD (preserveUnknownFields, a non-structural schema) may still be updated...
  const legacy = crd((c) => {
    c.spec.preserveUnknownFields = true;
    v0(c).schema.openAPIV3Schema = { type: 'object', properties: { spec: { description: 'no type' } } };
  });
  assert.deepEqual(updateMessages(legacy, (o) => (o.metadata.labels = { a: 'b' })), []);
  // ...but a structural schema cannot become non-structural.
  assert.deepEqual(updateMessages(crd(), (o) => (o.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.bad = { description: 'no type' })), [
    `${S}.properties[spec].properties[bad].type: Required value: must not be empty for specified object fields`,
  ]);
  // A version without a schema may stay so, but then must not be served.
  const noSchema = crd((c) => delete v0(c).schema);
  assert.deepEqual(updateMessages(noSchema, (o) => (o.metadata.labels = { a: 'b' })), ['spec.versions[0].schema.openAPIV3Schema: Required value: because otherwise all fields are pruned']);
  assert.deepEqual(updateMessages(noSchema, (o) => (o.spec.versions[0].served = false)), []);
});

test('CRD update: the approval annotation is only checked when its state changes', () => {
  const protectedCRD = crd((c) => {
    c.spec.group = 'widgets.k8s.io';
    c.metadata.name = 'widgets.widgets.k8s.io';
  });
  assert.deepEqual(updateMessages(protectedCRD, (o) => (o.metadata.labels = { a: 'b' })), []);
  assert.deepEqual(updateMessages(protectedCRD, (o) => (o.metadata.annotations = { 'api-approved.kubernetes.io': 'nope' })), [
    'metadata.annotations[api-approved.kubernetes.io]: Invalid value: "nope": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111',
  ]);
});
