// Request body decoding: one scan refuses deep nesting and counts keys, so the text for the
// duplicate-field scan is handed on only when parsing lost keys; the body reader's limits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { checkDepth, decodeJSON, decodeObjectBody, maxNestingDepth, readBody, type Request } from '../../src/apiserver/http/body.js';
import { findDuplicateFields } from '../../src/api/openapi/field-validation.js';
import { StatusError } from '../../src/api/status.js';

const json = (s: string) => Buffer.from(s);

function request(chunks: Buffer[], headers: Record<string, string> = {}): Request {
  const r = Readable.from(chunks) as Readable & { headers: Record<string, string> };
  r.headers = headers;
  return r as unknown as Request;
}

describe('JSON object bodies and duplicate fields', () => {
  const cases: [string, string, string[]][] = [
    ['no duplicates: no text for the scan', '{"kind":"Pod","metadata":{"name":"a","labels":{"x":"1"}},"spec":{"containers":[{"name":"a","args":["a:b","{"]}]}}', []],
    ['a duplicate at the top level', '{"kind":"Pod","kind":"Pod"}', ['duplicate field "kind"']],
    ['a duplicate inside a list item', '{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}', ['duplicate field "spec.containers[1].image"']],
    ['strings with colons and braces are not keys', '{"a":"x:y","b":"{\\"c\\":1}","a":1}', ['duplicate field "a"']],
    ['keys equal only after unescaping', '{"na\\u006de":1,"name":2}', ['duplicate field "name"']],
    ['a __proto__ key is an ordinary key', '{"__proto__":{"a":1},"b":2}', []],
  ];
  for (const [name, text, dups] of cases) {
    test(name, () => {
      const d = decodeObjectBody(json(text), 'application/json');
      assert.deepEqual(d.value, JSON.parse(text));
      if (dups.length === 0) assert.equal(d.jsonText, undefined);
      else {
        assert.equal(d.jsonText, text);
        assert.deepEqual(findDuplicateFields(d.jsonText!), dups);
      }
    });
  }

  test('other JSON bodies (patches, options) keep their text', () => {
    assert.equal(decodeJSON(json('{"a":1}')).jsonText, '{"a":1}');
  });

  test('nesting deeper than the limit is a 400 before parsing', () => {
    const deep = '['.repeat(maxNestingDepth + 1) + ']'.repeat(maxNestingDepth + 1);
    assert.throws(() => decodeObjectBody(json(deep), 'application/json'), (e: unknown) => e instanceof StatusError && e.code === 400 && /nested more than/.test(e.message));
    const ok = '{"a":' + '['.repeat(maxNestingDepth - 1) + ']'.repeat(maxNestingDepth - 1) + '}';
    assert.ok(decodeObjectBody(json(ok), 'application/json').value);
  });

  test('malformed and empty bodies are 400s', () => {
    assert.throws(() => decodeObjectBody(json('{"a":'), 'application/json'), (e: unknown) => e instanceof StatusError && e.code === 400);
    assert.throws(() => decodeObjectBody(json('  '), 'application/json'), (e: unknown) => e instanceof StatusError && e.code === 400);
  });
});

describe('readBody', () => {
  test('joins the chunks of a body', async () => {
    assert.equal((await readBody(request([json('{"a"'), json(':1}')]))).toString(), '{"a":1}');
  });

  test('an empty body is an empty buffer', async () => {
    assert.equal((await readBody(request([]))).length, 0);
  });

  test('a body over the limit is a 413, declared or not', async () => {
    await assert.rejects(readBody(request([json('x')], { 'content-length': '100' }), 10), (e: unknown) => e instanceof StatusError && e.code === 413);
    await assert.rejects(readBody(request([json('123456'), json('789012')]), 10), (e: unknown) => e instanceof StatusError && e.code === 413);
  });

  test('a body read to its end already reads as empty', async () => {
    const r = request([json('abc')]);
    assert.equal((await readBody(r)).toString(), 'abc');
    assert.equal((await readBody(r)).length, 0);
  });
});

/** The scan as it was, a character at a time: the reference the faster one must agree with. */
function checkDepthByChar(text: string): number {
  let depth = 0;
  let colons = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 58) colons++;
    else if (c === 123 || c === 91) {
      if (++depth > maxNestingDepth) throw new Error('too deep');
    } else if (c === 125 || c === 93) depth--;
  }
  return colons;
}

describe('the depth and key scan', () => {
  const outcome = (f: (t: string) => number, t: string) => {
    try {
      return f(t);
    } catch {
      return 'too deep';
    }
  };
  test('counts keys outside strings, whatever the escapes inside them', () => {
    const cases = [
      '{"a":1,"b":{"c":[1,2,{"d":"x"}]}}',
      '{"a":"x:y","b":"{\\"c\\":1}","a":1}',
      '{"a\\\\":"b:","c":"\\\\\\"d:"}',
      '{"k":"\\u0022:"}',
      '{"unterminated":"a:b',
      '"\\',
      '',
      '{"a":"\\\\"}',
    ];
    for (const t of cases) assert.equal(outcome(checkDepth, t), outcome(checkDepthByChar, t), t);
  });

  test('agrees with the character scan on random text of quotes, backslashes, colons and brackets', () => {
    const alphabet = ['"', '\\', ':', '{', '}', '[', ']', 'a', ','];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let n = 0; n < 5000; n++) {
      let t = '';
      const len = next() % 40;
      for (let i = 0; i < len; i++) t += alphabet[next() % alphabet.length];
      assert.equal(outcome(checkDepth, t), outcome(checkDepthByChar, t), t);
    }
    const deep = '{"a":"' + '\\"'.repeat(3) + '",' + '['.repeat(maxNestingDepth + 1);
    assert.equal(outcome(checkDepth, deep), 'too deep');
  });
});
