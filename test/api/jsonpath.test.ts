// JSONPath against client-go's own cases (util/jsonpath/jsonpath_test.go) and the CRD column
// semantics: evaluateJSONPath for a `{path}`, findJSONPathResults + jsonPathValueText for whole
// templates printed the way PrintResults prints them, parse errors by client-go's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJSONPath, findJSONPathResults, jsonPathValueText, parseJSONPath, parseJSONPathTemplate } from '../../src/api/jsonpath.js';
import { goFloat, goJSON } from '../../src/api/jsonpath/text.js';

const nodes = {
  kind: 'List',
  items: [
    {
      kind: 'None',
      metadata: { name: '127.0.0.1', labels: { 'kubernetes.io/hostname': '127.0.0.1' } },
      status: { capacity: { cpu: '4' }, ready: true, addresses: [{ type: 'LegacyHostIP', address: '127.0.0.1' }] },
    },
    {
      kind: 'None',
      metadata: { name: '127.0.0.2', labels: { 'kubernetes.io/hostname': '127.0.0.2' } },
      status: { capacity: { cpu: '8' }, ready: false, addresses: [{ type: 'LegacyHostIP', address: '127.0.0.2' }, { type: 'another', address: '127.0.0.3' }] },
    },
  ],
  users: [
    { name: 'myself', user: {} },
    { name: 'e2e', user: { username: 'admin', password: 'secret' } },
  ],
};

const types = {
  bools: [true, false, true, false],
  integers: [1, 2, 3, 4],
  floats: [1.5, 2.2, 3.3, 4.5],
  strings: ['one', 'two', 'three', 'four'],
  maps: [{ name: 'one', value: 1 }, { name: 'two', value: 2.02 }],
};

const pod = {
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, creationTimestamp: '2024-05-01T11:00:00Z' },
  spec: { replicas: 3, containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', count: 2 },
      { type: 'Synced', status: 'False', count: 7 },
    ],
  },
};

/** Executes a template and prints it as PrintResults does: values of one part joined by spaces. */
function execute(template: string, data: unknown): string {
  return findJSONPathResults(data, parseJSONPathTemplate(template))
    .map((values) => values.map(jsonPathValueText).join(' '))
    .join('');
}

const templates: [name: string, template: string, data: unknown, expect: string][] = [
  ['a list prints as JSON', '{ .bools }', types, '[true,false,true,false]'],
  ['an index', '{ .bools[0] }', types, 'true'],
  ['a negative index', '{ .integers[-2] }', types, '3'],
  ['a slice', '{ .strings[0:2] }', types, 'one two'],
  ['a slice with an open start', '{ .integers[:2] }', types, '1 2'],
  ['a slice with a step', '{ .integers[:4:2] }', types, '1 3'],
  ['a slice from the end', '{ .strings[-1:] }', types, 'four'],
  ['every other element from 1', '{ .integers[1::2] }', types, '2 4'],
  ['floats print as Go prints them', '{ .floats[0:2] }', types, '1.5 2.2'],
  ['a map prints as JSON with sorted keys', '{ .maps[1] }', types, '{"name":"two","value":2.02}'],
  ['text around actions', 'hello {.kind}!', nodes, 'hello List!'],
  ['range over a list', '{range .items[*]}{.metadata.name}, {end}{.kind}', nodes, '127.0.0.1, 127.0.0.2, List'],
  ['nested ranges', '{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}', nodes, '127.0.0.1, 127.0.0.2, 127.0.0.3, '],
  ['wildcards through lists', '{.items[*].status.addresses[*].address}', nodes, '127.0.0.1 127.0.0.2 127.0.0.3'],
  ['a union of bracket keys, each key a dotted path', "{.items[*]['metadata.name', 'status.capacity']}", nodes, '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'],
  ['a union of indices', '{[1,3,4]}', [0, 1, 2, 3, 4], '1 3 4'],
  ['a filter on a string', '{.users[?(@.name=="e2e")].user.password}', nodes, 'secret'],
  ['an escaped dot in a field name', '{.items[0].metadata.labels.kubernetes\\.io/hostname}', nodes, '127.0.0.1'],
  ['a filter on an escaped field', '{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}', nodes, 'None'],
  ['a filter on a recursive bool', '{.items[?(@..ready==true)].metadata.name}', nodes, '127.0.0.1'],
  ['a filter on numbers', '{[?(@<5)]}', [2, 6, 3, 7], '2 3'],
  ['an existence filter', '{[?(@.z)].id}', [{ id: 'i1' }, { id: 'i2', z: 1 }, { id: 'i3' }, { id: 'i5', z: 0 }], 'i2 i5'],
  ['recursive descent to a field', '{..name}', { a: { name: 'x' }, b: [{ name: 'y' }] }, 'x y'],
  ['three dots are two', '{...Price}', { a: { Price: 1.5 }, b: [{ Price: 2 }] }, '1.5 2'],
  ['recursive descent alone yields containers only', '{..}', [1, 2, 3], '[1,2,3]'],
  ['a quoted brace', '{"{"}', null, '{'],
  ['a missing key prints nothing', 'before-{.hello}after', nodes, 'before-after'],
  ['a wildcard field', '{.items[0].status.capacity.*}', nodes, '4'],
];

for (const [name, template, data, expect] of templates) {
  test(`template: ${name}`, () => assert.equal(execute(template, data), expect));
}

const evaluations: [name: string, path: string, data: unknown, expect: unknown[]][] = [
  ['a nested field', '.spec.replicas', pod, [3]],
  ['a missing field is no value', '.spec.nope', pod, []],
  ['a field of a missing object', '.status.nope.deeper', pod, []],
  ['a field of a scalar', '.spec.replicas.x', pod, []],
  ['an index', '.spec.containers[0].name', pod, ['a']],
  ['the last element', '.spec.containers[-1].name', pod, ['b']],
  ['a slice', '.spec.containers[0:2].image', pod, ['nginx', 'busybox']],
  ['all elements', '.spec.containers[*].name', pod, ['a', 'b']],
  ['a union of indices', '.spec.containers[0,1].name', pod, ['a', 'b']],
  ['a filter with ==', '.status.conditions[?(@.type=="Ready")].status', pod, ['True']],
  ['a filter with !=', ".status.conditions[?(@.type!='Ready')].type", pod, ['Synced']],
  ['a filter with <', '.status.conditions[?(@.count<5)].type', pod, ['Ready']],
  ['a filter with >', '.status.conditions[?(@.count>5)].type', pod, ['Synced']],
  ['a filter with <=', '.status.conditions[?(@.count<=2)].type', pod, ['Ready']],
  ['a filter with >=', '.status.conditions[?(@.count >= 2)].type', pod, ['Ready', 'Synced']],
  ['an existence filter', '.status.conditions[?(@.count)].type', pod, ['Ready', 'Synced']],
  ['an int literal never equals a float literal', '.status.conditions[?(@.count==2.0)].type', pod, []],
  ['recursive descent', '..image', pod, ['nginx', 'busybox']],
  ['a wildcard field', '.metadata.labels.*', pod, ['web']],
  ['a dotted label key, escaped', '.metadata.labels.app\\.kubernetes\\.io/name', pod, ['web']],
  ["a bracket key is a dotted path ('a.b' is a then b)", ".spec['containers']", pod, [pod.spec.containers]],
  ['an index out of range is no value', '.spec.containers[5].name', pod, []],
  ['an index into a map is no value', '.spec[0]', pod, []],
  ['a filter on a map is no value', '.spec[?(@.x)]', pod, []],
  ['comparing a number with a string is no value', '.status.conditions[?(@.count=="2")].type', pod, []],
  ['an unknown operator is no value', '.status.conditions[?(@.count<>2)].type', pod, []],
  ['a path that does not parse is no value', '.spec[', pod, []],
  ['a root marker is allowed', '$.spec.replicas', pod, [3]],
  ['only the first {...} part counts', '.spec.replicas}{.metadata.name', pod, [3]],
  ['a literal', '"x"', pod, ['x']],
];

for (const [name, path, data, expect] of evaluations) {
  test(`evaluate: ${name}`, () => assert.deepEqual(evaluateJSONPath(data, path), expect));
}

const parseErrors: [path: string, message: string][] = [
  ['.spec[', 'unterminated array'],
  ['.a[?(@.x', 'unterminated filter'],
  ['.a[?(@.x)', 'unclosed array expect ]'],
  ['.a["x"]', 'invalid array index "x"'],
  ['.a[x]', 'invalid array index x'],
  ['.a[1:2:3:4]', 'invalid array index 1:2:3:4'],
  ['.a[99999999999999999999]', 'array index 99999999999999999999 is not a number'],
  ['"abc', 'unterminated quoted string'],
  ['"a\\qb"', 'unquote string "a\\qb" error invalid syntax'],
  ['-', 'cannot parse number -'],
  ['1.2.3', 'cannot parse number 1.2.3'],
  ['....x', 'invalid multiple recursive descent'],
  ['(x)', "unrecognized character in action: U+0028 '('"],
  ['.a\tb', 'unrecognized character in action: U+0009'],
  ['.a\n', 'unclosed action'],
];

for (const [path, message] of parseErrors) {
  test(`parse error: ${JSON.stringify(path)} → ${message}`, () => assert.throws(() => parseJSONPath(path), { message }));
}

test('paths client-go accepts parse, including ones that look odd', () => {
  for (const path of ['.spec.replicas', '.metadata.labels.app\\.kubernetes\\.io/name', ".spec['a.b']", '.items[*].name', '..name', '.a.*', '.a[?(@.x=="y")]', '.spec(', '.a b', '']) {
    assert.doesNotThrow(() => parseJSONPath(path), path);
  }
});

test('parsed paths are cached and reusable', () => {
  const parsed = parseJSONPath('.spec.replicas');
  assert.equal(parseJSONPath('.spec.replicas'), parsed);
  assert.equal(parsed.source, '.spec.replicas');
  assert.deepEqual(evaluateJSONPath(pod, parsed), [3]);
});

test('without allowMissingKeys a missing field is an error, as client-go reports it', () => {
  assert.throws(() => findJSONPathResults(pod, '.spec.nope', { allowMissingKeys: false }), { message: 'nope is not found' });
});

test('evaluation errors keep client-go messages', () => {
  const withNull = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: null } };
  const cases: [string, string][] = [
    ['.spec.containers[5]', 'array index out of bounds: index 5, length 2'],
    ['.spec[0]', 'map[string]interface {} is not array or slice'],
    ['.status.conditions[?(@.count=="2")]', 'incompatible types for comparison'],
    ['.status.conditions[?(@.count<>2)]', 'unrecognized filter operator <>'],
    ['.metadata.deletionTimestamp[?(@.y)]', '<nil> is not array or slice and cannot be filtered'],
    ['hello', 'unrecognized identifier hello'],
  ];
  for (const [path, message] of cases) {
    assert.throws(() => findJSONPathResults(withNull, path), { message }, path);
  }
});

const floats: [number, string][] = [
  [1.5, '1.5'],
  [0.5, '0.5'],
  [100000.5, '100000.5'],
  [1234567.5, '1.2345675e+06'],
  [0.0001, '0.0001'],
  [0.00001, '1e-05'],
  [-2.25, '-2.25'],
  [1e21, '1e+21'],
];

for (const [n, text] of floats) {
  test(`a float ${n} prints as Go's %v: ${text}`, () => assert.equal(goFloat(n), text));
}

test('values print as PrintResults prints them', () => {
  assert.equal(jsonPathValueText('x'), 'x');
  assert.equal(jsonPathValueText(3), '3');
  assert.equal(jsonPathValueText(true), 'true');
  assert.equal(jsonPathValueText(null), '<no value>');
  assert.equal(jsonPathValueText({ b: 1, a: '<&>' }), '{"a":"\\u003c\\u0026\\u003e","b":1}');
  assert.equal(goJSON(['x', { z: null }]), '["x",{"z":null}]');
});
