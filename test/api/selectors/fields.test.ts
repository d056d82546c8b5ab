import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeFieldValue,
  fieldRequiresExactMatch,
  fieldSelectorToString,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
} from '../../../src/api/selectors/fields.js';
import { isStatusError } from '../../../src/api/status.js';

const valid: [string, string][] = [
  ['', ''],
  ['a=b', 'a=b'],
  ['a==b', 'a=b'],
  ['a!=b', 'a!=b'],
  ['a=', 'a='],
  ['b=2,a=1', 'a=1,b=2'],
  ['metadata.name=x,metadata.namespace=y', 'metadata.name=x,metadata.namespace=y'],
  ['a=b\\,c', 'a=b\\,c'],
  ['a=b\\=c', 'a=b\\=c'],
  ['a=b\\\\c', 'a=b\\\\c'],
  ['a=b,', 'a=b'],
  ['spec.nodeName!=', 'spec.nodeName!='],
];

for (const [input, canonical] of valid) {
  test(`field selector ${JSON.stringify(input)} parses and prints as ${JSON.stringify(canonical)}`, () => {
    assert.equal(fieldSelectorToString(parseFieldSelector(input)), canonical);
  });
}

const invalid: [string, string][] = [
  ['a', "invalid selector: 'a'; can't understand 'a'"],
  ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
  ['a=b=c', 'invalid field selector: unescaped character in value: ='],
  ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
  ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
];

for (const [input, message] of invalid) {
  test(`field selector ${JSON.stringify(input)} is rejected with upstream's message`, () => {
    assert.throws(() => parseFieldSelector(input), (err: unknown) => isStatusError(err) && err.code === 400 && err.message === message);
  });
}

const attrs = { 'metadata.name': 'p', 'spec.nodeName': 'n1', 'status.phase': 'Running', weird: 'a,b=c' };
const matches: [string, boolean][] = [
  ['', true],
  ['metadata.name=p', true],
  ['metadata.name==p', true],
  ['metadata.name=q', false],
  ['metadata.name!=q', true],
  ['spec.nodeName=n1,status.phase=Running', true],
  ['spec.nodeName=n1,status.phase!=Running', false],
  ['metadata.namespace=', true],
  ['metadata.namespace!=', false],
  ['weird=a\\,b\\=c', true],
];

for (const [sel, want] of matches) {
  test(`field selector ${JSON.stringify(sel)} ${want ? 'matches' : 'does not match'} a running pod on n1`, () => {
    assert.equal(matchesFields(parseFieldSelector(sel), attrs), want);
  });
}

test('escaping round-trips and the exact-match helper finds equality terms only', () => {
  const raw = 'a\\b,c=d';
  assert.equal(escapeFieldValue(raw), 'a\\\\b\\,c\\=d');
  assert.equal(unescapeFieldValue(escapeFieldValue(raw)), raw);
  const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
  assert.equal(fieldRequiresExactMatch(sel, 'spec.nodeName'), 'n1');
  assert.equal(fieldRequiresExactMatch(sel, 'status.phase'), undefined);
});
