// Custom resources validated against a CRD schema, checked by the message a user reads in
// `kubectl apply` output ("field: Type: value: detail"), word for word as upstream prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps as K8sJSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { fieldErrorMessage } from '../../../src/api/status.js';
import { validateAgainstSchema, type JSONSchemaProps } from '../../../src/api/crd/schema-validation.js';

/** A CR whose spec follows the given property schemas. */
const crdSchema = (spec: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: { type: 'object', properties: spec, ...extra },
  },
});
const cr = (spec: unknown) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
const messages = (obj: unknown, schema: JSONSchemaProps) => validateAgainstSchema(obj, schema).map(fieldErrorMessage);

interface Case { name: string; schema: JSONSchemaProps; obj: unknown; expect: string[] }

const field = (name: string, s: JSONSchemaProps) => crdSchema({ [name]: s });

const cases: Case[] = [
  // types
  { name: 'a valid object has no errors', schema: field('replicas', { type: 'integer' }), obj: cr({ replicas: 3 }), expect: [] },
  { name: 'a string where an integer belongs names the type it got', schema: field('replicas', { type: 'integer' }), obj: cr({ replicas: 'string' }), expect: ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'] },
  { name: 'an integer field accepts a JSON number written with a zero fraction', schema: field('replicas', { type: 'integer' }), obj: JSON.parse('{"spec":{"replicas":3.0}}'), expect: [] },
  { name: 'an integer field refuses a fraction and calls it a number', schema: field('replicas', { type: 'integer' }), obj: cr({ replicas: 1.5 }), expect: ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"'] },
  { name: 'a number field accepts an integer', schema: field('ratio', { type: 'number' }), obj: cr({ ratio: 2 }), expect: [] },
  { name: 'a boolean field refuses the string "true"', schema: field('enabled', { type: 'boolean' }), obj: cr({ enabled: 'true' }), expect: ['spec.enabled: Invalid value: "string": spec.enabled in body must be of type boolean: "string"'] },
  { name: 'an object field refuses an array', schema: field('template', { type: 'object' }), obj: cr({ template: [] }), expect: ['spec.template: Invalid value: "array": spec.template in body must be of type object: "array"'] },
  { name: 'an array field refuses an object', schema: field('args', { type: 'array', items: { type: 'string' } }), obj: cr({ args: {} }), expect: ['spec.args: Invalid value: "object": spec.args in body must be of type array: "object"'] },
  { name: 'a null in a field that is not nullable is of type null', schema: field('size', { type: 'string' }), obj: cr({ size: null }), expect: ['spec.size: Invalid value: "null": spec.size in body must be of type string: "null"'] },
  { name: 'a null in a nullable field is valid', schema: field('size', { type: 'string', nullable: true }), obj: cr({ size: null }), expect: [] },
  { name: 'int-or-string accepts a port number', schema: field('port', { 'x-kubernetes-int-or-string': true }), obj: cr({ port: 80 }), expect: [] },
  { name: 'int-or-string accepts a port name', schema: field('port', { 'x-kubernetes-int-or-string': true }), obj: cr({ port: 'http' }), expect: [] },
  { name: 'int-or-string refuses a boolean and lists both types', schema: field('port', { 'x-kubernetes-int-or-string': true }), obj: cr({ port: true }), expect: ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'] },
  { name: 'a fraction in an int32 field is reported against the format, as a float64', schema: field('replicas', { type: 'integer', format: 'int32' }), obj: cr({ replicas: 1.5 }), expect: ['spec.replicas: Invalid value: "float64": spec.replicas in body must be of type int32: "float64"'] },
  { name: 'a field without a type takes anything under x-kubernetes-preserve-unknown-fields', schema: field('raw', { 'x-kubernetes-preserve-unknown-fields': true }), obj: cr({ raw: { any: ['thing', 1] } }), expect: [] },

  // required, properties
  { name: 'a missing required field is a Required value', schema: crdSchema({ size: { type: 'string' } }, { required: ['size'] }), obj: cr({}), expect: ['spec.size: Required value'] },
  { name: 'a required field of the root is named without a leading dot', schema: { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } }, obj: { metadata: { name: 'w' } }, expect: ['spec: Required value'] },
  { name: 'a required field that is present but null is not missing', schema: crdSchema({ size: { type: 'string', nullable: true } }, { required: ['size'] }), obj: cr({ size: null }), expect: [] },
  { name: 'a property named like an Object.prototype member is not found on every object', schema: crdSchema({ constructor: { type: 'string' } }, { required: ['constructor'] }), obj: cr({}), expect: ['spec.constructor: Required value'] },
  { name: 'a field inside an array item is named with its index', schema: field('items', { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }), obj: cr({ items: [{ name: 'a' }, {}] }), expect: ['spec.items[1].name: Required value'] },
  { name: 'a map value is checked against additionalProperties and named with a dot', schema: field('labels', { type: 'object', additionalProperties: { type: 'string' } }), obj: cr({ labels: { team: 7 } }), expect: ['spec.labels.team: Invalid value: "integer": spec.labels.team in body must be of type string: "integer"'] },
  { name: 'additionalProperties false names the forbidden property with the object as the field', schema: crdSchema({ size: { type: 'string' } }, { additionalProperties: false }), obj: cr({ size: 'a', extra: 1 }), expect: ['spec: Invalid value: "extra": spec.extra in body is a forbidden property'] },
  { name: 'unknown fields are not errors when the schema does not forbid them', schema: field('size', { type: 'string' }), obj: cr({ size: 'a', other: 1 }), expect: [] },
  { name: 'metadata.name is held to a constraint the schema puts on it', schema: { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 3 } } } } }, obj: { metadata: { name: 'toolong' } }, expect: ['metadata.name: Too long: may not be more than 3 bytes'] },

  // enum
  { name: 'a value outside the enum lists the supported values in schema order', schema: field('color', { type: 'string', enum: ['red', 'blue'] }), obj: cr({ color: 'pink' }), expect: ['spec.color: Unsupported value: "pink": supported values: "red", "blue"'] },
  { name: 'numeric enum values are quoted in the list too', schema: field('level', { type: 'integer', enum: [1, 2] }), obj: cr({ level: 3 }), expect: ['spec.level: Unsupported value: 3: supported values: "1", "2"'] },
  { name: 'a null never matches an enum, even in a nullable field', schema: field('color', { type: 'string', nullable: true, enum: ['red', 'blue'] }), obj: cr({ color: null }), expect: ['spec.color: Unsupported value: null: supported values: "red", "blue"'] },
  { name: 'an object matches an enum entry with the same members in another order', schema: field('pair', { type: 'object', enum: [{ a: 1, b: 2 }] }), obj: cr({ pair: { b: 2, a: 1 } }), expect: [] },
  { name: 'a value of the wrong type outside the enum fails both checks', schema: field('color', { type: 'string', enum: ['red'] }), obj: cr({ color: 1 }), expect: ['spec.color: Invalid value: "integer": spec.color in body must be of type string: "integer"', 'spec.color: Unsupported value: 1: supported values: "red"'] },

  // numbers
  { name: 'a number over the maximum', schema: field('replicas', { type: 'integer', maximum: 10 }), obj: cr({ replicas: 20 }), expect: ['spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10'] },
  { name: 'a number at an exclusive maximum', schema: field('replicas', { type: 'integer', maximum: 10, exclusiveMaximum: true }), obj: cr({ replicas: 10 }), expect: ['spec.replicas: Invalid value: 10: spec.replicas in body should be less than 10'] },
  { name: 'a number under the minimum', schema: field('replicas', { type: 'integer', minimum: 1 }), obj: cr({ replicas: 0 }), expect: ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'] },
  { name: 'a number at an exclusive minimum', schema: field('ratio', { type: 'number', minimum: 0.5, exclusiveMinimum: true }), obj: cr({ ratio: 0.5 }), expect: ['spec.ratio: Invalid value: 0.5: spec.ratio in body should be greater than 0.5'] },
  { name: 'an integer is held to a fractional maximum truncated, and the message shows the truncated limit', schema: field('replicas', { type: 'integer', maximum: 10.5 }), obj: cr({ replicas: 11 }), expect: ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10'] },
  { name: 'a tiny limit is printed as Go prints a float64', schema: field('ratio', { type: 'number', maximum: 0.00001 }), obj: cr({ ratio: 0.5 }), expect: ['spec.ratio: Invalid value: 0.5: spec.ratio in body should be less than or equal to 1e-05'] },
  { name: 'an integer that is not a multiple', schema: field('replicas', { type: 'integer', multipleOf: 5 }), obj: cr({ replicas: 7 }), expect: ['spec.replicas: Invalid value: 7: spec.replicas in body should be a multiple of 5'] },
  { name: 'a decimal multiple survives floating-point error', schema: field('ratio', { type: 'number', multipleOf: 0.1 }), obj: cr({ ratio: 0.3 }), expect: [] },
  { name: 'a decimal that is not a multiple', schema: field('ratio', { type: 'number', multipleOf: 0.25 }), obj: cr({ ratio: 0.3 }), expect: ['spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.25'] },

  // strings
  { name: 'a string over maxLength is Too long in bytes, as upstream words it', schema: field('name', { type: 'string', maxLength: 5 }), obj: cr({ name: 'abcdef' }), expect: ['spec.name: Too long: may not be more than 5 bytes'] },
  { name: 'maxLength counts code points, not UTF-16 units', schema: field('name', { type: 'string', maxLength: 5 }), obj: cr({ name: '👍👍👍👍👍' }), expect: [] },
  { name: 'six emoji are still too long for five', schema: field('name', { type: 'string', maxLength: 5 }), obj: cr({ name: '👍👍👍👍👍👍' }), expect: ['spec.name: Too long: may not be more than 5 bytes'] },
  { name: 'a string under minLength', schema: field('name', { type: 'string', minLength: 1 }), obj: cr({ name: '' }), expect: ['spec.name: Invalid value: "": spec.name in body should be at least 1 chars long'] },
  { name: 'a string that does not match the pattern quotes the pattern', schema: field('name', { type: 'string', pattern: '^[a-z]+$' }), obj: cr({ name: 'X' }), expect: ["spec.name: Invalid value: \"X\": spec.name in body should match '^[a-z]+$'"] },
  { name: 'a pattern is searched for, not anchored', schema: field('name', { type: 'string', pattern: '[0-9]' }), obj: cr({ name: 'abc1' }), expect: [] },
  { name: 'only the first string failure is reported', schema: field('name', { type: 'string', maxLength: 2, pattern: '^[a-z]+$' }), obj: cr({ name: 'ABC' }), expect: ['spec.name: Too long: may not be more than 2 bytes'] },

  // formats
  { name: 'a date on a leap day is valid', schema: field('day', { type: 'string', format: 'date' }), obj: cr({ day: '2024-02-29' }), expect: [] },
  { name: 'a date the calendar lacks is refused against the format', schema: field('day', { type: 'string', format: 'date' }), obj: cr({ day: '2023-02-29' }), expect: ['spec.day: Invalid value: "2023-02-29": spec.day in body must be of type date: "2023-02-29"'] },
  { name: 'a date-time in RFC 3339 is valid', schema: field('at', { type: 'string', format: 'date-time' }), obj: cr({ at: '2024-01-02T03:04:05.123+01:00' }), expect: [] },
  { name: 'a date-time without a zone keeps the format name as written', schema: field('at', { type: 'string', format: 'date-time' }), obj: cr({ at: '2024-01-02T03:04:05' }), expect: ['spec.at: Invalid value: "2024-01-02T03:04:05": spec.at in body must be of type date-time: "2024-01-02T03:04:05"'] },
  { name: 'an IPv6 address is not an ipv4', schema: field('ip', { type: 'string', format: 'ipv4' }), obj: cr({ ip: '::1' }), expect: ['spec.ip: Invalid value: "::1": spec.ip in body must be of type ipv4: "::1"'] },
  { name: 'an ipv4 with a leading zero is accepted, as Kubernetes still tolerates them', schema: field('ip', { type: 'string', format: 'ipv4' }), obj: cr({ ip: '10.0.0.01' }), expect: [] },
  { name: 'an ipv4 part over 255 is refused', schema: field('ip', { type: 'string', format: 'ipv4' }), obj: cr({ ip: '10.0.0.256' }), expect: ['spec.ip: Invalid value: "10.0.0.256": spec.ip in body must be of type ipv4: "10.0.0.256"'] },
  { name: 'a dotted hostname needs a top-level domain of letters', schema: field('host', { type: 'string', format: 'hostname' }), obj: cr({ host: 'a.b.c.d' }), expect: ['spec.host: Invalid value: "a.b.c.d": spec.host in body must be of type hostname: "a.b.c.d"'] },
  { name: 'an ipv6 address is valid', schema: field('ip', { type: 'string', format: 'ipv6' }), obj: cr({ ip: 'fd00::1' }), expect: [] },
  { name: 'a cidr needs a prefix length that fits', schema: field('net', { type: 'string', format: 'cidr' }), obj: cr({ net: '10.0.0.0/33' }), expect: ['spec.net: Invalid value: "10.0.0.0/33": spec.net in body must be of type cidr: "10.0.0.0/33"'] },
  { name: 'a uuid in capitals is valid', schema: field('id', { type: 'string', format: 'uuid' }), obj: cr({ id: '123E4567-E89B-12D3-A456-426614174000' }), expect: [] },
  { name: 'a dotted hostname is valid', schema: field('host', { type: 'string', format: 'hostname' }), obj: cr({ host: 'api.example.com' }), expect: [] },
  { name: 'an email with a display name is valid', schema: field('mail', { type: 'string', format: 'email' }), obj: cr({ mail: 'Ops <ops@example.com>' }), expect: [] },
  { name: 'an email without a domain is refused', schema: field('mail', { type: 'string', format: 'email' }), obj: cr({ mail: 'ops' }), expect: ['spec.mail: Invalid value: "ops": spec.mail in body must be of type email: "ops"'] },
  { name: 'byte needs base64', schema: field('data', { type: 'string', format: 'byte' }), obj: cr({ data: 'not base64!' }), expect: ['spec.data: Invalid value: "not base64!": spec.data in body must be of type byte: "not base64!"'] },
  { name: 'a Go duration is valid', schema: field('wait', { type: 'string', format: 'duration' }), obj: cr({ wait: '1h30m' }), expect: [] },
  { name: 'a spelled-out duration is valid', schema: field('wait', { type: 'string', format: 'duration' }), obj: cr({ wait: '3 days' }), expect: [] },
  { name: 'a word is not a duration', schema: field('wait', { type: 'string', format: 'duration' }), obj: cr({ wait: 'soon' }), expect: ['spec.wait: Invalid value: "soon": spec.wait in body must be of type duration: "soon"'] },
  { name: 'a quantity is valid in Kubernetes notation', schema: field('size', { type: 'string', format: 'quantity' }), obj: cr({ size: '1Gi' }), expect: [] },
  { name: 'an unknown format is ignored', schema: field('name', { type: 'string', format: 'my-format' }), obj: cr({ name: 'anything' }), expect: [] },
  { name: 'int32 is not a range check: a large integer passes', schema: field('n', { type: 'integer', format: 'int32' }), obj: cr({ n: 2 ** 40 }), expect: [] },

  // arrays
  { name: 'too few items', schema: field('args', { type: 'array', minItems: 2, items: { type: 'string' } }), obj: cr({ args: ['a'] }), expect: ['spec.args: Invalid value: 1: spec.args in body should have at least 2 items'] },
  { name: 'uniqueItems reports duplicates without a value', schema: field('args', { type: 'array', uniqueItems: true, items: { type: 'object' } }), obj: cr({ args: [{ a: 1 }, { a: 1 }] }), expect: ['spec.args: Invalid value: "": spec.args in body shouldn\'t contain duplicates'] },
  { name: 'a set with a repeated item reports the second appearance as a Duplicate value', schema: field('tags', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }), obj: cr({ tags: ['a', 'b', 'a', 'a'] }), expect: ['spec.tags[2]: Duplicate value: "a"'] },
  { name: 'a set of objects compares whole items', schema: field('refs', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', 'x-kubernetes-map-type': 'atomic' } }), obj: cr({ refs: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }), expect: ['spec.refs[1]: Duplicate value: {"b":2,"a":1}'] },
  { name: 'a list-type map with a repeated key reports the key', schema: field('ports', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } }), obj: cr({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }), expect: ['spec.ports[1]: Duplicate value: {"name":"http"}'] },
  { name: 'a list-type map with two keys reports both, sorted as Go marshals them', schema: field('ports', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['protocol', 'port'], items: { type: 'object' } }), obj: cr({ ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { protocol: 'TCP', port: 80 }] }), expect: ['spec.ports[2]: Duplicate value: {"port":80,"protocol":"TCP"}'] },
  { name: 'list-type map items without the key count as the same key', schema: field('ports', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } }), obj: cr({ ports: [{ port: 1 }, { port: 2 }] }), expect: ['spec.ports[1]: Duplicate value: {}'] },
  { name: 'a list-type map item must be an object', schema: field('ports', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { 'x-kubernetes-preserve-unknown-fields': true } }), obj: cr({ ports: [{ name: 'a' }, 'b'] }), expect: ['spec.ports[1]: Invalid value: "b": must be an object for an array of list-type map'] },
  { name: 'sets inside map values are named with brackets', schema: field('groups', { type: 'object', additionalProperties: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } }), obj: cr({ groups: { dev: ['a', 'a'] } }), expect: ['spec.groups[dev][1]: Duplicate value: "a"'] },
  { name: 'list-type errors come after the schema errors', schema: field('tags', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string', maxLength: 1 } }), obj: cr({ tags: ['ab', 'ab'] }), expect: ['spec.tags[0]: Too long: may not be more than 1 byte', 'spec.tags[1]: Too long: may not be more than 1 byte', 'spec.tags[1]: Duplicate value: "ab"'] },

  // objects
  { name: 'too few properties names the count', schema: field('labels', { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } }), obj: cr({ labels: {} }), expect: ['spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties'] },
  { name: 'too few properties stops the object check there', schema: field('labels', { type: 'object', minProperties: 2, additionalProperties: { type: 'string' } }), obj: cr({ labels: { a: 1 } }), expect: ['spec.labels: Invalid value: 1: spec.labels in body should have at least 2 properties'] },

  // junctors
  { name: 'anyOf with no branch valid names the path in the detail of a <nil> field, then the best branch', schema: crdSchema({}, { anyOf: [{ required: ['a'] }, { required: ['b'] }] }), obj: cr({}), expect: ['<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)', 'spec.a: Required value'] },
  { name: 'anyOf with one branch valid is valid', schema: crdSchema({}, { anyOf: [{ required: ['a'] }, { required: ['b'] }] }), obj: cr({ b: 1 }), expect: [] },
  { name: 'oneOf with two valid branches says how many', schema: crdSchema({}, { oneOf: [{ required: ['a'] }, { required: ['b'] }] }), obj: cr({ a: 1, b: 1 }), expect: ['<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives'] },
  { name: 'oneOf with no valid branch reports the best branch', schema: crdSchema({}, { oneOf: [{ required: ['a'] }, { required: ['b'] }] }), obj: cr({}), expect: ['<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid', 'spec.a: Required value'] },
  { name: 'allOf reports every failing branch and then itself', schema: crdSchema({}, { allOf: [{ required: ['a'] }, { required: ['b'] }] }), obj: cr({}), expect: ['spec.a: Required value', 'spec.b: Required value', '<nil>: Invalid value: "": "spec" must validate all the schemas (allOf). None validated'] },
  { name: 'not refuses a value its schema accepts', schema: crdSchema({}, { not: { required: ['legacy'] } }), obj: cr({ legacy: true }), expect: ['<nil>: Invalid value: "": "spec" must not validate the schema (not)'] },
  { name: 'a value branch under anyOf narrows a typed field', schema: field('port', { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer', maximum: 65535 }, { type: 'string', pattern: '^[a-z]+$' }] }), obj: cr({ port: 'HTTP' }), expect: ['<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)', "spec.port: Invalid value: \"HTTP\": spec.port in body should match '^[a-z]+$'"] },

  // ignored
  { name: 'x-kubernetes-validations (CEL) are not evaluated', schema: field('replicas', { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 5' }] }), obj: cr({ replicas: 9 }), expect: [] },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(messages(c.obj, c.schema), c.expect));
}

test('too many items is a Too many error with the count and the limit', () => {
  const errs = validateAgainstSchema(cr({ args: ['a', 'b', 'c'] }), field('args', { type: 'array', maxItems: 2, items: { type: 'string' } }));
  assert.deepEqual(errs, [{ type: 'FieldValueTooMany', field: 'spec.args', detail: 'must have at most 2 items', value: 3 }]);
  assert.deepEqual(errs.map(fieldErrorMessage), ['spec.args: Too many: 3: must have at most 2 items']);
});

test('too many properties is a Too many error worded as items, as upstream does', () => {
  const errs = validateAgainstSchema(cr({ labels: { a: 'x', b: 'y' } }), field('labels', { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } }));
  assert.deepEqual(errs.map(fieldErrorMessage), ['spec.labels: Too many: 2: must have at most 1 item']);
});

test('a path option prefixes every field and replaces <nil>', () => {
  const schema: JSONSchemaProps = { type: 'object', required: ['ready'], anyOf: [{ required: ['x'] }], properties: { ready: { type: 'boolean' } } };
  assert.deepEqual(validateAgainstSchema({}, schema, { path: 'status' }).map(fieldErrorMessage), [
    'status: Invalid value: "": "" must validate at least one schema (anyOf)',
    'status.x: Required value',
    'status.ready: Required value',
  ]);
});

test('several errors in one object are all reported, in schema order', () => {
  const schema = crdSchema({ replicas: { type: 'integer', maximum: 10 }, color: { type: 'string', enum: ['red'] } }, { required: ['size'] });
  assert.deepEqual(messages(cr({ color: 'pink', replicas: 20 }), schema), [
    'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    'spec.color: Unsupported value: "pink": supported values: "red"',
    'spec.size: Required value',
  ]);
});

test('a schema typed with kubernetes-types is accepted as is', () => {
  const schema: K8sJSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' } } } } };
  assert.deepEqual(messages(cr({ n: 'x' }), schema), ['spec.n: Invalid value: "string": spec.n in body must be of type integer: "string"']);
});
