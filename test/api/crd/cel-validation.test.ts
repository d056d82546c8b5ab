// x-kubernetes-validations rules evaluated as the apiextensions server does: self at each schema
// node, messages and reasons, fieldPath, transition rules against the old object, and the
// errors a rule that cannot be evaluated gives.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { celSyntaxError, validateCELRules } from '../../../src/api/crd/cel-validation.js';
import type { JSONSchemaProps } from '../../../src/api/crd/json-schema-props.js';
import { fieldErrorMessage } from '../../../src/api/status.js';
import { loadCEL } from '../../../src/api/cel/library.js';

// CEL is loaded on first need in the server; these tests call its evaluators directly.
before(() => loadCEL());

type Rules = JSONSchemaProps['x-kubernetes-validations'];

function specSchema(properties: Record<string, JSONSchemaProps>, rules: Rules = []): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', properties, 'x-kubernetes-validations': rules } } };
}

const cr = (spec: object) => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', resourceVersion: '5' }, spec });
const plain = (obj: unknown, schema: JSONSchemaProps) => validateCELRules(obj, schema, { rules: 'plain' }).map(fieldErrorMessage);
const transition = (obj: unknown, old: unknown, schema: JSONSchemaProps) => validateCELRules(obj, schema, { rules: 'transition', old }).map(fieldErrorMessage);

const replicas = { minReplicas: { type: 'integer' }, maxReplicas: { type: 'integer' } } satisfies Record<string, JSONSchemaProps>;

describe('CEL validation rules', () => {
  const cases: { name: string; schema: JSONSchemaProps; spec: object; expect: string[] }[] = [
    { name: 'a rule that holds gives no error', schema: specSchema(replicas, [{ rule: 'self.minReplicas <= self.maxReplicas' }]), spec: { minReplicas: 1, maxReplicas: 3 }, expect: [] },
    {
      name: 'a rule that fails without a message says which rule failed, with the schema type as the value',
      schema: specSchema(replicas, [{ rule: 'self.minReplicas <= self.maxReplicas' }]),
      spec: { minReplicas: 5, maxReplicas: 3 },
      expect: ['spec: Invalid value: "object": failed rule: self.minReplicas <= self.maxReplicas'],
    },
    {
      name: 'a message replaces the rule text',
      schema: specSchema(replicas, [{ rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' }]),
      spec: { minReplicas: 5, maxReplicas: 3 },
      expect: ['spec: Invalid value: "object": minReplicas must not exceed maxReplicas'],
    },
    {
      name: 'a messageExpression builds the message from the object',
      schema: specSchema(replicas, [{ rule: 'self.minReplicas <= self.maxReplicas', messageExpression: '"minReplicas " + string(self.minReplicas) + " is too big"' }]),
      spec: { minReplicas: 5, maxReplicas: 3 },
      expect: ['spec: Invalid value: "object": minReplicas 5 is too big'],
    },
    {
      name: 'reason and fieldPath pick the error type and the field it names',
      schema: specSchema(replicas, [{ rule: 'has(self.maxReplicas)', reason: 'FieldValueRequired', fieldPath: '.maxReplicas', message: 'maxReplicas is needed' }]),
      spec: { minReplicas: 1 },
      expect: ['spec.maxReplicas: Required value: maxReplicas is needed'],
    },
    {
      name: 'a Forbidden reason',
      schema: specSchema({ mode: { type: 'string' } }, [{ rule: 'self.mode != "legacy"', reason: 'FieldValueForbidden', message: 'legacy mode is gone' }]),
      spec: { mode: 'legacy' },
      expect: ['spec: Forbidden: legacy mode is gone'],
    },
    {
      name: 'rules on list items run for each item, string functions included',
      schema: specSchema({ names: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("app-") && self.size() <= 10' }] } } }),
      spec: { names: ['app-a', 'web', 'app-b'] },
      expect: ['spec.names[1]: Invalid value: "string": failed rule: self.startsWith("app-") && self.size() <= 10'],
    },
    {
      name: 'rules on map values run for each value',
      schema: specSchema({ limits: { type: 'object', additionalProperties: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0' }] } } }),
      spec: { limits: { cpu: 2, memory: 0 } },
      expect: ['spec.limits.memory: Invalid value: "integer": failed rule: self > 0'],
    },
    {
      name: 'macros over lists, and integers compared with doubles',
      schema: specSchema({ weights: { type: 'array', items: { type: 'number' } }, total: { type: 'integer' } }, [{ rule: 'self.weights.all(w, w >= 0.0) && self.total > 0.5' }]),
      spec: { weights: [0.5, 1], total: 1 },
      expect: [],
    },
    {
      name: 'a rule on an absent field does not run',
      schema: specSchema({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 3' }] } }),
      spec: {},
      expect: [],
    },
    {
      name: 'a rule that cannot be evaluated reports why',
      schema: specSchema(replicas, [{ rule: 'self.maxReplicas > 1' }]),
      spec: { minReplicas: 1 },
      expect: ['spec: Invalid value: "object": no such key: maxReplicas evaluating rule: self.maxReplicas > 1'],
    },
    {
      name: 'a root rule sees apiVersion, kind and metadata.name, and its error names no field ("<nil>", as Go prints it)',
      schema: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.metadata.name.size() > 3 && self.kind == "Thing"', message: 'name too short' }] },
      spec: {},
      expect: ['<nil>: Invalid value: "object": name too short'],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(plain(cr(c.spec), c.schema), c.expect));

  const immutable = specSchema({ region: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'region is immutable' }] } });

  test('a transition rule does not run on create, and compares with the old value on update', () => {
    assert.deepEqual(plain(cr({ region: 'eu' }), immutable), []);
    assert.deepEqual(transition(cr({ region: 'us' }), cr({ region: 'eu' }), immutable), ['spec.region: Invalid value: "string": region is immutable']);
    assert.deepEqual(transition(cr({ region: 'eu' }), cr({ region: 'eu' }), immutable), []);
    assert.deepEqual(transition(cr({ region: 'us' }), cr({}), immutable), [], 'no old value, no transition rule');
  });

  test('transition rules are not among the plain ones, nor plain among the transition ones', () => {
    const both = specSchema({ n: { type: 'integer' } }, [{ rule: 'self.n > 0' }, { rule: 'self.n >= oldSelf.n', message: 'n may only grow' }]);
    assert.deepEqual(plain(cr({ n: 0 }), both), ['spec: Invalid value: "object": failed rule: self.n > 0']);
    assert.deepEqual(transition(cr({ n: 0 }), cr({ n: 2 }), both), ['spec: Invalid value: "object": n may only grow']);
  });

  test('optionalOldSelf rules also run on create, with oldSelf none', () => {
    const once = specSchema({ id: { type: 'string', 'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() || oldSelf.value() == self', optionalOldSelf: true, message: 'id is set once' }] } });
    const creating = (spec: object) => validateCELRules(cr(spec), once, { rules: 'plain', creating: true }).map(fieldErrorMessage);
    assert.deepEqual(creating({ id: 'a' }), []);
    assert.deepEqual(transition(cr({ id: 'b' }), cr({ id: 'a' }), once), ['spec.id: Invalid value: "string": id is set once']);
  });

  test('items of a list-map are matched with their old selves by key', () => {
    const ports = specSchema({
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.port == oldSelf.port', message: 'port is immutable' }] },
      },
    });
    const old = cr({ ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] });
    assert.deepEqual(transition(cr({ ports: [{ name: 'https', port: 443 }, { name: 'http', port: 80 }, { name: 'new', port: 1 }] }), old, ports), []);
    assert.deepEqual(transition(cr({ ports: [{ name: 'https', port: 8443 }] }), old, ports), ['spec.ports[0]: Invalid value: "object": port is immutable']);
  });

  test('syntax errors are found without evaluating', () => {
    assert.equal(celSyntaxError('self.a > 1'), undefined);
    assert.match(celSyntaxError('self.a >') ?? '', /Unexpected token/);
  });
});
