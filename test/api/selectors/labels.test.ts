import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabelSelector,
  formatLabels,
  isEverything,
  labelSelectorAsSelector,
  matchesLabels,
  parseLabelSelector,
  requiresExactMatch,
  selectorFromSet,
  selectorToString,
} from '../../../src/api/selectors/labels.js';
import { isStatusError } from '../../../src/api/status.js';

// Selectors upstream accepts, with the canonical text it prints back (requirements sorted by key,
// set values sorted, "in"/"notin" spaced).
const valid: [string, string][] = [
  ['', ''],
  ['x=a', 'x=a'],
  ['y=b,x=a', 'x=a,y=b'],
  ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
  ['x==a', 'x==a'],
  ['x!=a', 'x!=a'],
  ['x=', 'x='],
  ['x= ', 'x='],
  ['x=,z= ', 'x=,z='],
  ['x', 'x'],
  ['!x', '!x'],
  [' x , !y ', 'x,!y'],
  ['x in (b,a)', 'x in (a,b)'],
  ['x in (a,a)', 'x in (a)'],
  ['x notin (a)', 'x notin (a)'],
  ['x in ()', 'x in ()'],
  ['x in (,a)', 'x in (,a)'],
  ['x in (a,)', 'x in (,a)'],
  ['x in (in,notin)', 'x in (in,notin)'],
  ['x>1', 'x>1'],
  ['x<5', 'x<5'],
  ['x>1,z<5', 'x>1,z<5'],
  ['example.com/app=web', 'example.com/app=web'],
  ['a.b-c_d=e.f-g_h', 'a.b-c_d=e.f-g_h'],
  ['x=a,x!=b', 'x=a,x!=b'],
];

for (const [input, canonical] of valid) {
  test(`label selector ${JSON.stringify(input)} parses and prints as ${JSON.stringify(canonical)}`, () => {
    assert.equal(selectorToString(parseLabelSelector(input)), canonical);
  });
}

const qualifiedName =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

// Selectors upstream rejects, with its exact message (served as a 400).
const invalid: [string, string][] = [
  ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
  ['x=a,,y=b', "found ',', expected: identifier after ','"],
  ['x=a,', "found '', expected: identifier after ','"],
  ['!x=a', "found '=', expected: ',' or 'end of string'"],
  ['=a', "found '=', expected: !, identifier, or 'end of string'"],
  ['x=a b', "found 'b', expected: ',' or 'end of string'"],
  ['x==a==b', "found '==', expected: ',' or 'end of string'"],
  ['x in a', "unable to parse requirement: found 'a' expected: '('"],
  ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
  ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
  ['x=(', "unable to parse requirement: found '(', expected: identifier"],
  ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
  ['x>1.1', `unable to parse requirement: values[0]: Invalid value: "1.1": for 'Gt', 'Lt' operators, the value must be an integer`],
  ['a$b=c', `unable to parse requirement: <nil>: Invalid value: "a$b": ${qualifiedName}`],
  ['!', "unable to parse requirement: found '', expected: identifier"],
];

for (const [input, message] of invalid) {
  test(`label selector ${JSON.stringify(input)} is rejected with upstream's message`, () => {
    assert.throws(
      () => parseLabelSelector(input),
      (err: unknown) => isStatusError(err) && err.code === 400 && err.reason === 'BadRequest' && err.message === message,
    );
  });
}

test('an invalid label value is reported with its values[i][key] path', () => {
  // '|' is no operator, so "a||y" is one (invalid) value, as upstream lexes it
  assert.throws(() => parseLabelSelector('x=a||y=b'), /unable to parse requirement: values\[0\]\[x\]: Invalid value: "a\|\|y": a valid label/);
  // a negative number is not a valid label value, so upstream rejects "x<-5" too
  assert.throws(() => parseLabelSelector('x<-5'), /values\[0\]\[x\]: Invalid value: "-5"/);
  assert.throws(() => parseLabelSelector('x=a$'), (err: Error) =>
    err.message ===
    `unable to parse requirement: values[0][x]: Invalid value: "a$": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  assert.throws(() => parseLabelSelector(`x=${'a'.repeat(64)}`), /must be no more than 63 characters/);
  assert.throws(() => parseLabelSelector(`${'k'.repeat(64)}=a`), /name part must be no more than 63 characters/);
  assert.throws(() => parseLabelSelector('Example.com/a=b'), /prefix part a lowercase RFC 1123 subdomain/);
});

const labels = { x: 'a', n: '5', empty: '' };
const matches: [string, Record<string, string> | undefined, boolean][] = [
  ['', labels, true],
  ['', undefined, true],
  ['x=a', labels, true],
  ['x==a', labels, true],
  ['x=b', labels, false],
  ['x!=b', labels, true],
  ['x!=a', labels, false],
  ['y!=a', labels, true],
  ['x in (a,b)', labels, true],
  ['y in (a)', labels, false],
  ['x notin (a)', labels, false],
  ['y notin (a)', labels, true],
  ['x', labels, true],
  ['empty', labels, true],
  ['y', labels, false],
  ['!y', labels, true],
  ['!empty', labels, false],
  ['empty=', labels, true],
  ['y=', labels, false],
  ['n>4', labels, true],
  ['n>5', labels, false],
  ['n<6', labels, true],
  ['x>1', labels, false],
  ['y<1', labels, false],
  ['x=a,n>4', labels, true],
  ['x=a,n>9', labels, false],
];

for (const [sel, ls, want] of matches) {
  test(`label selector ${JSON.stringify(sel)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(ls)}`, () => {
    assert.equal(matchesLabels(parseLabelSelector(sel), ls), want);
  });
}

test('a LabelSelector converts like metav1.LabelSelectorAsSelector', () => {
  assert.equal(matchesLabels(labelSelectorAsSelector(undefined), { a: 'b' }), false, 'a missing selector selects nothing');
  assert.ok(isEverything(labelSelectorAsSelector({})), 'an empty selector selects everything');
  const sel = labelSelectorAsSelector({
    matchLabels: { b: 'x', a: 'y' },
    matchExpressions: [
      { key: 'c', operator: 'In', values: ['z', 'w'] },
      { key: 'd', operator: 'DoesNotExist' },
      { key: 'e', operator: 'Exists' },
      { key: 'f', operator: 'NotIn', values: ['q'] },
    ],
  });
  assert.equal(selectorToString(sel), 'a=y,b=x,c in (w,z),!d,e,f notin (q)');
  assert.equal(matchesLabels(sel, { a: 'y', b: 'x', c: 'w', e: '' }), true);
  assert.equal(matchesLabels(sel, { a: 'y', b: 'x', c: 'w', e: '', d: '1' }), false);
  assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), { message: '"Bogus" is not a valid label selector operator' });
  assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), {
    message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
  });
  assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), {
    message: `values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist`,
  });
});

test('table helpers format selectors and label maps as kubectl shows them', () => {
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' }] }), '<error>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
});

test('set selectors and exact-match introspection', () => {
  const s = selectorFromSet({ tier: 'db', app: 'web' });
  assert.equal(selectorToString(s), 'app=web,tier=db');
  assert.equal(requiresExactMatch(s, 'app'), 'web');
  assert.equal(requiresExactMatch(parseLabelSelector('app in (a,b)'), 'app'), undefined);
  assert.equal(requiresExactMatch(parseLabelSelector('app in (a)'), 'app'), 'a');
});
