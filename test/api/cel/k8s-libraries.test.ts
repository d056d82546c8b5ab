// The Kubernetes CEL extension libraries (src/api/cel/k8s) against upstream's tables: the cases of
// k8s.io/apiserver/pkg/cel/library/*_test.go, the library cases of apiextensions-apiserver's
// schema/cel validation_test.go, and cel-go's strings and sets documentation. Each expression is
// type-checked (it must compile to bool) and evaluated; errors are compared as users see them.
// Then one rule through a CRD's x-kubernetes-validations and expressions through a
// ValidatingAdmissionPolicy and a webhook matchCondition.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Environment } from '@marcbachmann/cel-js';
import { cel, celEvaluationError, loadCEL } from '../../../src/api/cel/library.js';
import { registerKubernetesLibraries } from '../../../src/api/cel/k8s/index.js';
import { formatNames } from '../../../src/api/cel/k8s/format.js';
import { compilePolicyExpression } from '../../../src/api/cel/admission-policy.js';
import { celValue, validateCELRules } from '../../../src/api/crd/cel-validation.js';
import type { JSONSchemaProps } from '../../../src/api/crd/json-schema-props.js';
import { fieldErrorMessage } from '../../../src/api/status.js';

let env: Environment;

before(async () => {
  await loadCEL();
  env = registerKubernetesLibraries(new (cel().Environment)({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false, enableOptionalTypes: true }));
});

/** An environment with typed variables, and the values to evaluate with. */
interface Scope {
  env: () => Environment;
  vars: () => Record<string, unknown>;
}

const plain: Scope = { env: () => env, vars: () => ({}) };

function withVariables(types: Record<string, string>, values: () => Record<string, unknown>): Scope {
  let scoped: Environment | undefined;
  return {
    env: () => {
      if (!scoped) {
        scoped = env.clone();
        for (const [name, type] of Object.entries(types)) scoped.registerVariable(name, type);
      }
      return scoped;
    },
    vars: values,
  };
}

/** The expression compiles to bool and evaluates to true. */
function holds(scope: Scope, expr: string): void {
  const checked = scope.env().check(expr);
  assert.ok(checked.valid, `${expr}: ${checked.error?.message}`);
  assert.equal(checked.type, 'bool', expr);
  assert.equal(scope.env().evaluate(expr, scope.vars()), true, expr);
}

/** The expression compiles but fails when evaluated, with this message (as users read it). */
function fails(scope: Scope, expr: string, message: string | RegExp): void {
  assert.ok(scope.env().check(expr).valid, expr);
  assert.throws(
    () => scope.env().evaluate(expr, scope.vars()),
    (err: unknown) => {
      const line = celEvaluationError(err);
      if (typeof message === 'string') assert.equal(line, message);
      else assert.match(line, message);
      return true;
    },
  );
}

/** The type checker rejects the expression. */
function rejects(scope: Scope, expr: string, message: RegExp): void {
  const checked = scope.env().check(expr);
  assert.equal(checked.valid, false, expr);
  assert.match(checked.error!.message, message);
}

function table(scope: Scope, valid: string[], errors: [string, string | RegExp][] = [], compileErrors: [string, RegExp][] = []): void {
  for (const expr of valid) test(expr, () => holds(scope, expr));
  for (const [expr, message] of errors) test(`${expr} fails`, () => fails(scope, expr, message));
  for (const [expr, message] of compileErrors) test(`${expr} does not compile`, () => rejects(scope, expr, message));
}

describe('lists', () => {
  const durations = (...ds: string[]) => cel().evaluate(`[${ds.map((d) => `duration('${d}')`).join(', ')}]`);
  const dates = (...ds: string[]) => ds.map((d) => new Date(`${d}T00:00:00Z`));
  const scope = withVariables(
    {
      ints: 'list<int>',
      unsortedInts: 'list<int>',
      emptyInts: 'list<int>',
      doubles: 'list<double>',
      unsortedDoubles: 'list<double>',
      emptyDoubles: 'list<double>',
      durations: 'list<google.protobuf.Duration>',
      unsortedDurations: 'list<google.protobuf.Duration>',
      emptyDurations: 'list<google.protobuf.Duration>',
      strs: 'list<string>',
      unsortedStrings: 'list<string>',
      emptyStrings: 'list<string>',
      dates: 'list<google.protobuf.Timestamp>',
      unsortedDates: 'list<google.protobuf.Timestamp>',
      emptyDates: 'list<google.protobuf.Timestamp>',
      objs: 'list<map<string, string>>',
    },
    () => ({
      ints: [1n, 2n, 2n, 3n],
      unsortedInts: [2n, 1n],
      emptyInts: [],
      doubles: [1, 2, 2, 3],
      unsortedDoubles: [2, 1],
      emptyDoubles: [],
      durations: durations('1s', '1m', '1m', '1h'),
      unsortedDurations: durations('1m', '1s'),
      emptyDurations: [],
      strs: ['a', 'b', 'b', 'c'],
      unsortedStrings: ['b', 'a'],
      emptyStrings: [],
      dates: dates('2000-01-01', '2000-02-01', '2000-02-01', '2010-01-01'),
      unsortedDates: dates('2000-02-01', '2000-01-01'),
      emptyDates: [],
      objs: [
        { f1: 'a', f2: 'a' },
        { f1: 'a', f2: 'b' },
        { f1: 'a', f2: 'b' },
        { f1: 'a', f2: 'c' },
      ],
    }),
  );
  table(
    scope,
    [
      'ints.sum() == 8',
      'ints.min() == 1',
      'ints.max() == 3',
      'emptyInts.sum() == 0',
      'ints.isSorted()',
      'emptyInts.isSorted()',
      'unsortedInts.isSorted() == false',
      'ints.indexOf(2) == 1',
      'ints.lastIndexOf(2) == 2',
      'ints.indexOf(10) == -1',
      'ints.lastIndexOf(10) == -1',
      'doubles.sum() == 8.0',
      'doubles.min() == 1.0',
      'doubles.max() == 3.0',
      'emptyDoubles.sum() == 0.0',
      'doubles.isSorted()',
      'emptyDoubles.isSorted()',
      'unsortedDoubles.isSorted() == false',
      'doubles.indexOf(2.0) == 1',
      'doubles.lastIndexOf(2.0) == 2',
      'doubles.indexOf(10.0) == -1',
      'doubles.lastIndexOf(10.0) == -1',
      "durations.sum() == duration('1h2m1s')",
      "durations.min() == duration('1s')",
      "durations.max() == duration('1h')",
      "emptyDurations.sum() == duration('0s')",
      'durations.isSorted()',
      'emptyDurations.isSorted()',
      'unsortedDurations.isSorted() == false',
      "durations.indexOf(duration('1m')) == 1",
      "durations.lastIndexOf(duration('1m')) == 2",
      "durations.indexOf(duration('2m')) == -1",
      "durations.lastIndexOf(duration('2m')) == -1",
      "strs.min() == 'a'",
      "strs.max() == 'c'",
      'strs.isSorted()',
      'emptyStrings.isSorted()',
      'unsortedStrings.isSorted() == false',
      "strs.indexOf('b') == 1",
      "strs.lastIndexOf('b') == 2",
      "strs.indexOf('x') == -1",
      "strs.lastIndexOf('x') == -1",
      "dates.min() == timestamp('2000-01-01T00:00:00.000Z')",
      "dates.max() == timestamp('2010-01-01T00:00:00.000Z')",
      'dates.isSorted()',
      'emptyDates.isSorted()',
      'unsortedDates.isSorted() == false',
      "dates.indexOf(timestamp('2000-02-01T00:00:00.000Z')) == 1",
      "dates.lastIndexOf(timestamp('2000-02-01T00:00:00.000Z')) == 2",
      "dates.indexOf(timestamp('2005-02-01T00:00:00.000Z')) == -1",
      "dates.lastIndexOf(timestamp('2005-02-01T00:00:00.000Z')) == -1",
      // Lists, maps and objects compare deeply.
      '[[1], [2]].indexOf([1]) == 0',
      "[{'a': 1}, {'b': 2}].lastIndexOf({'b': 2}) == 1",
      'objs.indexOf(objs[1]) == 1',
      'objs.lastIndexOf(objs[1]) == 2',
      '([0] + emptyInts).min() == 0',
      // Dynamic dispatch, an empty list included.
      'dyn([]).sum() == 0',
      'dyn([1, 2]).sum() == 3',
      'dyn([1.0, 2.0]).sum() == 3.0',
      '[].sum() == 0',
      // The other element types upstream declares.
      '[1u, 3u].sum() == 4u',
      '[3u, 1u].min() == 1u',
      '[false, true].isSorted() && [true, false].isSorted() == false',
      "[b'a', b'c', b'b'].max() == b'c'",
      // A JSON list of ints and doubles, as a dyn value.
      'dyn([1, 2.5]).indexOf(2.5) == 1 && dyn([3, 2.5]).min() == 2.5',
    ],
    [
      ['emptyInts.min() == 1', 'min called on empty list'],
      ['emptyInts.max() == 3', 'max called on empty list'],
      ['emptyDoubles.min() == 1.0', 'min called on empty list'],
      ['emptyDoubles.max() == 3.0', 'max called on empty list'],
      ["emptyStrings.min() == 'a'", 'min called on empty list'],
      ["emptyStrings.max() == 'c'", 'max called on empty list'],
      ['[9223372036854775807, 1].sum() == 0', 'integer overflow'],
    ],
    [
      ["['a', 'b'].sum() == 'c'", /found no matching overload for 'list\.sum\(\)'/],
      ['[[1], [2]].min() == [1]', /found no matching overload/],
      ["[{'a': 1}, {'b': 2}].max() == {'b': 2}", /found no matching overload/],
    ],
  );
  test('results have the element type', () => {
    assert.equal(env.check('[1, 2].min()').type, 'int');
    assert.equal(env.check('[1.5].sum()').type, 'double');
    assert.equal(env.check("[duration('1s')].max()").type, 'google.protobuf.Duration');
    assert.equal(env.check("['a'].indexOf('a')").type, 'int');
  });
});

describe('regex', () => {
  const scope = withVariables({ str: 'string' }, () => ({ str: 'this is a 123 string 456' }));
  table(
    scope,
    [
      "str.find('[0-9]+') == '123'",
      "str.find('[0-9]+') != '456'",
      "str.find('xyz') == ''",
      "str.findAll('[0-9]+') == ['123', '456']",
      "str.findAll('[0-9]+', 0) == []",
      "str.findAll('[0-9]+', 1) == ['123']",
      "str.findAll('[0-9]+', 2) == ['123', '456']",
      "str.findAll('[0-9]+', 3) == ['123', '456']",
      "str.findAll('[0-9]+', -1) == ['123', '456']",
      "str.findAll('xyz') == []",
      "str.findAll('xyz', 1) == []",
      // Go's FindAllString: an empty match right after a match is skipped.
      "'123 abc 456'.findAll('[0-9]*') == ['123', '', '', '', '', '456']",
      "'abc'.findAll('') == ['', '', '', '']",
      // RE2 syntax JavaScript spells differently.
      "'aBc'.find('(?i)b') == 'B'",
      "'ab12'.find('[[:digit:]]+') == '12'",
      String.raw`'abc'.find(r'\Aa') == 'a' && 'abc'.find(r'b\z') == ''`,
      String.raw`'x\ny'.find('x.y') == '' && 'x\ny'.find('(?s)x.y') == 'x\ny'`,
      String.raw`'héllo wörld'.findAll(r'\pL+') == ['héllo', 'wörld']`,
      String.raw`'a\vb c'.find(r'\s') == ' '`,
      String.raw`'a.b'.find(r'\Q.\E') == '.'`,
      "'k=v'.find('(?P<key>[a-z]+)=') == 'k='",
    ],
    [
      ["str.find(')') == ''", /^Illegal regex: error parsing regexp: /],
      ["str.findAll(')') == []", /^Illegal regex: error parsing regexp: /],
      ["str.findAll(')', 1) == []", /^Illegal regex: error parsing regexp: /],
      ["'x'.find('(?=x)') == ''", 'Illegal regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
      ["'x'.find('a{1001}') == ''", 'Illegal regex: error parsing regexp: invalid repeat count: `{1001}`'],
      [String.raw`'x'.find(r'\1') == ''`, 'Illegal regex: error parsing regexp: invalid escape sequence: `\\1`'],
    ],
  );
});

describe('URLs', () => {
  const scope = withVariables({ u: 'string' }, () => ({ u: 'https://user:pass@kubernetes.io:80/docs/home?k1=a&k2=b&k2=c#anchor' }));
  table(
    scope,
    [
      "url('/path').getScheme() == ''",
      "url('https://example.com/').getScheme() == 'https'",
      "url('https://example.com:80/').getHost() == 'example.com:80'",
      "url('https://example.com/').getHost() == 'example.com'",
      "url('https://[::1]:80/').getHost() == '[::1]:80'",
      "url('https://[::1]/').getHost() == '[::1]'",
      "url('/path').getHost() == ''",
      "url('https://example.com:80/').getHostname() == 'example.com'",
      "url('https://127.0.0.1/').getHostname() == '127.0.0.1'",
      "url('https://[::1]/').getHostname() == '::1'",
      "url('/path').getHostname() == ''",
      "url('https://example.com:80/').getPort() == '80'",
      "url('https://example.com/').getPort() == ''",
      "url('/path').getPort() == ''",
      "url('https://example.com/path').getEscapedPath() == '/path'",
      "url('https://example.com/with space/').getEscapedPath() == '/with%20space/'",
      "url('https://example.com').getEscapedPath() == ''",
      "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == { 'k1': ['a'], 'k2': ['b', 'c']}",
      "url('https://example.com/path?key with spaces=value with spaces').getQuery() == { 'key with spaces': ['value with spaces']}",
      "url('https://example.com/path?').getQuery() == {}",
      "url('https://example.com/path').getQuery() == {}",
      "url(u).getScheme() == 'https'",
      "url(u).getHost() == 'kubernetes.io:80'",
      "url(u).getHostname() == 'kubernetes.io'",
      "url(u).getPort() == '80'",
      "url(u).getEscapedPath() == '/docs/home'",
      "url(u).getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
      "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
      "isURL('/path') == true",
      "isURL('https://a:b:c/') == false",
      "isURL('../relative-path') == false",
    ],
    [
      ["url('https://a:b:c/') == url('/')", 'URL parse error during conversion from string: parse "https://a:b:c/": invalid port ":c" after host'],
      ["url('../relative-path') == url('/')", 'URL parse error during conversion from string: parse "../relative-path": invalid URI for request'],
    ],
  );
  test('getQuery is a map of string lists', () => assert.equal(env.check("url('/').getQuery()").type, 'map<string, list<string>>'));
});

describe('quantity', () => {
  table(
    plain,
    [
      'quantity("12Mi") == quantity("12582912")',
      'isQuantity("20")',
      'isQuantity("20M")',
      'isQuantity("20Mi")',
      'isQuantity("20Mo") == false',
      'isQuantity("10Mm") == false',
      'quantity("200M") == quantity("200M")',
      'quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")',
      'quantity("2M") == quantity("0.002G") && quantity("2000k") == quantity("2M") && quantity("0.002G") == quantity("2000k")',
      'quantity("200M") == quantity("0.3G") == false',
      'quantity("50M").isLessThan(quantity("50Mi"))',
      'quantity("50M").isLessThan(quantity("100M"))',
      'quantity("100M").isLessThan(quantity("50M")) == false',
      'quantity("50Mi").isGreaterThan(quantity("50M"))',
      'quantity("150Mi").isGreaterThan(quantity("100Mi"))',
      'quantity("50M").isGreaterThan(quantity("100M")) == false',
      'quantity("200M").compareTo(quantity("0.2G")) == 0',
      'quantity("50M").compareTo(quantity("50Mi")) == -1',
      'quantity("50Mi").compareTo(quantity("50M")) == 1',
      'quantity("50k").add(quantity("20")) == quantity("50.02k")',
      'quantity("50k").add(20).isLessThan(quantity("50020")) == false',
      'quantity("50k").sub(quantity("20")) == quantity("49.98k")',
      'quantity("50k").sub(20) == quantity("49980")',
      'quantity("50k").add(20).sub(quantity("100k")).asInteger() == -49980',
      'quantity("50k").add(20).sub(quantity("100k")).sub(-50000).asInteger() == 20',
      'quantity("50k").asInteger() == 50000',
      'quantity("9999999999999999999999999999999999999G").isInteger() == false',
      'quantity("50").isInteger()',
      'quantity("50.703k").asApproximateFloat() == 50703.0',
      'quantity("50000000G").isInteger()',
      'quantity("50k").sub(20000).asApproximateFloat() == 30000.0',
      'sign(quantity("-5Mi")) == -1 && sign(quantity("0")) == 0 && sign(quantity("1m")) == 1',
      // resource.Quantity converts to int64 only from its int64 form at a scale ≥ 0.
      'quantity("1000m").isInteger() == false && quantity("1.5k").isInteger()',
      'quantity("1.5Gi").isInteger() == false && quantity("1Gi").isInteger()',
    ],
    [
      ['quantity("10Mo") == quantity("1")', /^quantities must match the regular expression/],
      ['quantity("10Mm") == quantity("1")', "unable to parse quantity's suffix"],
      ['quantity("9999999999999999999999999999999999999G").asInteger() == 0', 'cannot convert value to integer'],
      ['quantity("1000m").asInteger() == 1', 'cannot convert value to integer'],
    ],
    [
      ['isQuantity([1, 2, 3])', /found no matching overload for 'isQuantity/],
      // Upstream declares sign as a global function only.
      ['quantity("1").sign() == 1', /found no matching overload/],
    ],
  );
});

describe('IP', () => {
  table(
    plain,
    [
      'string(ip("192.168.0.1")) == "192.168.0.1"',
      'ip("192.168.0.1") == ip("192.168.0.1") && ip("192.168.0.1") != ip("192.168.0.2")',
      'isIP("192.168.0.1")',
      'isIP("192.168.0.1.0") == false',
      'ip.isCanonical("127.0.0.1")',
      'ip("192.168.0.1").family() == 4',
      'ip("0.0.0.0").isUnspecified()',
      'ip("127.0.0.1").isUnspecified() == false',
      'ip("127.0.0.1").isLoopback()',
      'ip("1.2.3.4").isLoopback() == false',
      'ip("224.0.0.1").isLinkLocalMulticast()',
      'ip("224.0.1.1").isLinkLocalMulticast() == false',
      'ip("169.254.169.254").isLinkLocalUnicast()',
      'ip("192.168.0.1").isLinkLocalUnicast() == false',
      'ip("192.168.0.1").isGlobalUnicast()',
      'ip("255.255.255.255").isGlobalUnicast() == false',
      'string(ip("2001:db8::68")) == "2001:db8::68"',
      'isIP("2001:db8::68")',
      'isIP("2001:db8:::68") == false',
      'ip.isCanonical("2001:db8::68")',
      'ip.isCanonical("2001:DB8::68") == false',
      'ip.isCanonical("2001:db8::0:0:0:abcd") == false',
      'ip("2001:db8::68").family() == 6',
      'ip("::").isUnspecified()',
      'ip("::1").isUnspecified() == false',
      'ip("::1").isLoopback()',
      'ip("2001:db8::abcd").isLoopback() == false',
      'ip("ff02::1").isLinkLocalMulticast()',
      'ip("fd00::1").isLinkLocalMulticast() == false',
      'ip("fe80::1").isLinkLocalUnicast()',
      'ip("fd80::1").isLinkLocalUnicast() == false',
      'ip("2001:db8::abcd").isGlobalUnicast()',
      'ip("ff00::1").isGlobalUnicast() == false',
      'string(ip("192.168.0.1")) == "192.168.0.1"',
      'string(ip("2001:DB8:0:0:0::1")) == "2001:db8::1"',
      'type(ip("192.168.0.1")) == net.IP',
    ],
    [
      ['ip("192.168.0.1.0") == ip("::1")', 'IP Address "192.168.0.1.0" parse error during conversion from string: ParseAddr("192.168.0.1.0"): IPv4 address too long'],
      ['ip.isCanonical("127.0.0.1.0")', 'IP Address "127.0.0.1.0" parse error during conversion from string: ParseAddr("127.0.0.1.0"): IPv4 address too long'],
      ['ip("2001:db8:::68") == ip("::1")', 'IP Address "2001:db8:::68" parse error during conversion from string: ParseAddr("2001:db8:::68"): each colon-separated field must have at least one digit (at ":68")'],
      ['ip.isCanonical("2001:db8:::68")', 'IP Address "2001:db8:::68" parse error during conversion from string: ParseAddr("2001:db8:::68"): each colon-separated field must have at least one digit (at ":68")'],
      ['ip("127.0.0.01") == ip("::1")', 'IP Address "127.0.0.01" parse error during conversion from string: ParseAddr("127.0.0.01"): IPv4 field has octet with leading zero'],
      ['ip("fe80::1%eth0") == ip("::1")', 'IP address "fe80::1%eth0" with zone value is not allowed'],
      ['ip("::ffff:1.2.3.4") == ip("::1")', 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed'],
    ],
    [['isIP(cidr("192.168.0.0/24"))', /found no matching overload for 'isIP\(net\.CIDR\)'/]],
  );
});

describe('CIDR', () => {
  table(
    plain,
    [
      'string(cidr(dyn("192.168.0.0/24"))) == "192.168.0.0/24"',
      'cidr("192.168.0.0/24").containsIP(ip("192.168.0.1"))',
      'cidr("192.168.0.0/24").containsIP(ip("192.168.1.1")) == false',
      'cidr("192.168.0.0/24").containsIP("192.168.0.1")',
      'cidr("192.168.0.0/24").containsIP("192.168.1.1") == false',
      'cidr("192.168.0.0/24").containsCIDR(cidr("192.168.0.0/25"))',
      'cidr("192.168.0.0/24").containsCIDR(cidr("192.168.0.0/23")) == false',
      'cidr("192.168.0.0/24").containsCIDR("192.168.0.0/25")',
      'cidr("192.168.0.0/24").containsCIDR("192.168.0.0/23") == false',
      'cidr("192.168.0.0/24").ip() == ip("192.168.0.0")',
      'cidr("192.168.0.0/24").masked() == cidr("192.168.0.0/24")',
      'cidr("192.168.0.1/24").masked() == cidr("192.168.0.0/24")',
      'cidr("192.168.0.0/24").prefixLength() == 24',
      'string(cidr("2001:db8::/32")) == "2001:db8::/32"',
      'cidr("2001:db8::/32").containsIP(ip("2001:db8::1"))',
      'cidr("2001:db8::/32").containsIP(ip("2001:dc8::1")) == false',
      'cidr("2001:db8::/32").containsIP("2001:db8::1")',
      'cidr("2001:db8::/32").containsIP("2001:dc8::1") == false',
      'cidr("2001:db8::/32").containsCIDR(cidr("2001:db8::/33"))',
      'cidr("2001:db8::/32").containsCIDR(cidr("2001:db8::/31")) == false',
      'cidr("2001:db8::/32").containsCIDR("2001:db8::/33")',
      'cidr("2001:db8::/32").containsCIDR("2001:db8::/31") == false',
      'cidr("2001:db8::/32").ip() == ip("2001:db8::")',
      'cidr("2001:db8::/32").masked() == cidr("2001:db8::/32")',
      'cidr("2001:db8:1::/32").masked() == cidr("2001:db8::/32")',
      'cidr("2001:db8::/32").prefixLength() == 32',
      'string(cidr("192.168.0.0/24")) == "192.168.0.0/24"',
      'type(cidr("192.168.0.0/24")) == net.CIDR',
      // The library's documented examples.
      "cidr('192.168.0.1/24').ip().family() == 4 && cidr('::1/128').ip().family() == 6",
      "cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked() == false",
      "isCIDR('192.168.0.0/16') && isCIDR('::1/128') && !isCIDR('192.168.0.0/33') && !isCIDR('::1/129')",
      // Subnets with other addresses, as kubernetes#130450 fixed containsCIDR.
      "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))",
      "cidr('192.168.0.0/16').containsCIDR('192.168.0.1/32')",
      "cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24') == false",
      "cidr('10.0.0.0/8').containsCIDR('2001:db8::/32') == false && cidr('10.0.0.0/8').containsIP('::1') == false",
    ],
    [
      [
        'cidr("192.168.0.0/") == cidr("::/0")',
        'network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0/"): bad bits after slash: ""',
      ],
      [
        'cidr("2001:db8::/") == cidr("::/0")',
        'network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("2001:db8::/"): bad bits after slash: ""',
      ],
      [
        'cidr("192.168.0.0/33") == cidr("::/0")',
        'network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0/33"): prefix length out of range',
      ],
      ['cidr("::ffff:1.2.3.4/120") == cidr("::/0")', 'network address parse error during conversion from string: IPv4-mapped IPv6 address "::ffff:1.2.3.4/120" is not allowed'],
      ['cidr("10.0.0.0/8").containsIP("10.0.0")', 'no such overload'],
    ],
    [['cidr(192168) == cidr("::/0")', /found no matching overload for 'cidr\(int\)'/]],
  );
});

describe('format', () => {
  // cel-js has no == for optionals: validity is read with hasValue(), messages with value().
  /** validate(…) gives exactly these messages. */
  const invalid = (expr: string, messages: string[]) => `${expr}.value() == ${JSON.stringify(messages)}`;
  const label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  const subdomain =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  const dns1035 =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  const qualified =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const labelValue =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  table(plain, [
    '!format.dns1123Label().validate("my-label-name").hasValue()',
    '!format.dns1123Subdomain().validate("apiextensions.k8s.io").hasValue()',
    '!format.qualifiedName().validate("apiextensions.k8s.io/v1beta1").hasValue()',
    '!format.dns1123LabelPrefix().validate("my-label-prefix-").hasValue()',
    '!format.dns1123SubdomainPrefix().validate("mysubdomain.prefix.-").hasValue()',
    '!format.dns1035LabelPrefix().validate("my-label-prefix-").hasValue()',
    '!format.uri().validate("http://example.com").hasValue()',
    '!format.uuid().validate("123e4567-e89b-12d3-a456-426614174000").hasValue()',
    '!format.byte().validate("aGVsbG8=").hasValue()',
    '!format.date().validate("2021-01-01").hasValue()',
    '!format.datetime().validate("2021-01-01T00:00:00Z").hasValue()',
    invalid('format.dns1123Label().validate("contains a space")', [label]),
    invalid('format.dns1123Subdomain().validate("contains a space")', [subdomain]),
    invalid('format.dns1035Label().validate("contains a space")', [dns1035]),
    invalid('format.qualifiedName().validate("contains a space")', [qualified]),
    invalid('format.dns1123LabelPrefix().validate("contains a space-")', [label]),
    invalid('format.dns1123SubdomainPrefix().validate("contains a space-")', [subdomain]),
    invalid('format.dns1035LabelPrefix().validate("contains a space-")', [dns1035]),
    '!format.dns1123Label().validate("my-label-name").hasValue()',
    '!format.dns1123Subdomain().validate("example.com").hasValue()',
    '!format.dns1035Label().validate("my-label-name").hasValue()',
    '!format.qualifiedName().validate("my.name").hasValue()',
    invalid('format.byte().validate("aGVsbG8")', ['invalid base64']),
    '!format.date().validate("2020-01-01").hasValue()',
    invalid('format.date().validate("2020-01-32")', ['invalid date']),
    '!format.datetime().validate("2020-01-01T00:00:00Z").hasValue()',
    invalid('format.datetime().validate("2020-01-32T00:00:00Z")', ['invalid datetime']),
    'format.named("unknown").hasValue() == false',
    '!format.labelValue().validate("my-cool-label-Value").hasValue()',
    invalid('format.labelValue().validate("my-cool-label-Value!!\\n\\n!!!")', [labelValue]),
    invalid('format.uuid().validate("not-a-uuid")', ['does not match the UUID format']),
    invalid('format.uri().validate("relative/path")', ['parse "relative/path": invalid URI for request']),
  ]);
  test('every format can be looked up by name, equals itself and no other', () => {
    assert.equal(formatNames.length, 13);
    for (const a of formatNames) {
      holds(plain, `format.named("${a}").hasValue()`);
      holds(plain, `format.named("${a}").value() == format.${a}()`);
      for (const b of formatNames) if (a !== b) holds(plain, `format.${a}() != format.${b}()`);
    }
  });
  test('validate gives an optional list of strings', () => assert.equal(env.check('format.uuid().validate("x")').type, 'optional<list<string>>'));
});

describe('strings', () => {
  table(
    plain,
    [
      "'tacocat'.charAt(3) == 'o'",
      "'tacocat'.charAt(7) == ''",
      "'©αT'.charAt(0) == '©' && '©αT'.charAt(1) == 'α' && '©αT'.charAt(2) == 'T'",
      '"12 days 12 hours".replace("{0}", "2") == "12 days 12 hours"',
      '"{0} days {0} hours".replace("{0}", "2") == "2 days 2 hours"',
      '"{0} days {0} hours".replace("{0}", "2", 1).replace("{0}", "23") == "2 days 23 hours"',
      '"1 ©αT taco".replace("αT", "o©α") == "1 ©o©α taco"',
      "'hello hello'.replace('he', 'we') == 'wello wello'",
      "'hello hello'.replace('he', 'we', -1) == 'wello wello'",
      "'hello hello'.replace('he', 'we', 1) == 'wello hello'",
      "'hello hello'.replace('he', 'we', 0) == 'hello hello'",
      "'hello hello'.replace('', '_') == '_h_e_l_l_o_ _h_e_l_l_o_'",
      "'hello hello'.replace('h', '') == 'ello ello'",
      String.raw`strings.quote('single-quote with "double quote"') == '"single-quote with \\"double quote\\""'`,
      String.raw`strings.quote("two escape sequences \a\n") == '"two escape sequences \\a\\n"'`,
      String.raw`"this is a string: %s\nand an integer: %d".format(["str", 42]) == "this is a string: str\nand an integer: 42"`,
      '"a double substituted with %%s: %s".format([64.2]) == "a double substituted with %s: 64.2"',
      '"string type: %s".format([string]) == "string type: string"',
      '"timestamp: %s".format([timestamp("2023-02-03T23:31:20+00:00")]) == "timestamp: 2023-02-03T23:31:20Z"',
      '"duration: %s".format([duration("1h45m47s")]) == "duration: 6347s"',
      '"%f".format([3.14]) == "3.140000"',
      String.raw`"scientific notation: %e".format([2.71828]) == "scientific notation: 2.718280\u202f\u00d7\u202f10\u2070\u2070"`,
      '"5 in binary: %b".format([5]) == "5 in binary: 101"',
      '"26 in hex: %x".format([26]) == "26 in hex: 1a"',
      '"26 in hex (uppercase): %X".format([26]) == "26 in hex (uppercase): 1A"',
      '"30 in octal: %o".format([30]) == "30 in octal: 36"',
      '"a map inside a list: %s".format([[1, 2, 3, {"a": "x", "b": "y", "c": "z"}]]) == \'a map inside a list: [1, 2, 3, {"a":"x", "b":"y", "c":"z"}]\'',
      String.raw`"true bool: %s - false bool: %s\nbinary bool: %b".format([true, false, true]) == "true bool: true - false bool: false\nbinary bool: 1"`,
      // Go's %g for doubles in %s; x/text's en-US digit grouping in %f; %.6f for doubles in lists.
      '"%s %s %s".format([1234567.0, 0.00001, 100000.0]) == "1.234567e+06 1e-05 100000"',
      '"%.2f %.0f".format([1234567.891, 2.5]) == "1,234,567.89 2"',
      '"%s".format([[1.5, "x", b"y", null]]) == \'[1.500000, "x", b"y", null]\'',
      '"%x %X".format(["hi", b"\\xff"]) == "6869 FF"',
    ],
    [
      ["'tacocat'.charAt(30) == ''", 'index out of range: 30'],
      ["'tacocat'.charAt(-1) == ''", 'index out of range: -1'],
      ['"%d".format([1.5]) == ""', 'error during formatting: decimal clause can only be used on integers, was given double'],
      ['"%s %s".format(["a"]) == ""', 'index 1 out of range'],
      ['"%z".format([1]) == ""', 'could not parse formatting clause: unrecognized formatting clause "z"'],
      ['"%.3".format([1.0]) == ""', 'could not parse formatting clause: error while parsing precision: could not find end of precision specifier'],
      ['"%f".format(["x"]) == ""', 'error during formatting: fixed-point clause can only be used on doubles, was given string'],
      ['"%s".format([ip("::1")]) == ""', 'error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given net.IP'],
    ],
    [["42.charAt(2) == ''", /found no matching overload/]],
  );
});

describe('sets', () => {
  table(plain, [
    'sets.contains([], [])',
    'sets.contains([], [1]) == false',
    'sets.contains([1, 2, 3, 4], [2, 3])',
    'sets.contains(dyn([1, 2.0, 3u]), dyn([1.0, 2u, 3]))',
    'sets.equivalent([], [])',
    'sets.equivalent([1], [1, 1])',
    'sets.equivalent(dyn([1]), dyn([1u, 1.0]))',
    'sets.equivalent(dyn([1, 2, 3]), dyn([3u, 2.0, 1]))',
    'sets.intersects([1], []) == false',
    'sets.intersects([1], [1, 2])',
    'sets.intersects(dyn([[1], [2, 3]]), dyn([[1, 2], [2, 3.0]]))',
  ]);
});

describe('in a CRD validation rule', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: { memory: { type: 'string' }, address: { type: 'string' }, subnets: { type: 'array', items: { type: 'string' } } },
        'x-kubernetes-validations': [
          { rule: "quantity(self.memory).isLessThan(quantity('1Gi'))", message: 'memory must stay below 1Gi' },
          { rule: 'self.subnets.all(s, isCIDR(s) && cidr(s).containsIP(self.address))' },
        ],
      },
    },
  };
  const cr = (spec: object) => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec });
  const errors = (spec: object) => validateCELRules(cr(spec), schema, { rules: 'plain' }).map(fieldErrorMessage);

  test('rules using the libraries hold, fail with their message, or report upstream\'s evaluation error', () => {
    assert.deepEqual(errors({ memory: '512Mi', address: '10.0.0.7', subnets: ['10.0.0.0/24', '10.0.0.0/8'] }), []);
    assert.deepEqual(errors({ memory: '2Gi', address: '10.0.0.7', subnets: ['10.1.0.0/16'] }), [
      'spec: Invalid value: "object": memory must stay below 1Gi',
      'spec: Invalid value: "object": failed rule: self.subnets.all(s, isCIDR(s) && cidr(s).containsIP(self.address))',
    ]);
    assert.deepEqual(errors({ memory: '1Mm', address: '10.0.0.7', subnets: [] }), [
      "spec: Invalid value: \"object\": unable to parse quantity's suffix evaluating rule: memory must stay below 1Gi",
    ]);
  });
});

describe('in admission expressions', () => {
  const scope = { params: false, variables: [] };
  const activation = (object: unknown) => ({ object: celValue(object), oldObject: null, request: celValue({ operation: 'CREATE' }), namespaceObject: null });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1' }, spec: { podIP: '10.0.0.7', limit: '512Mi', hosts: ['a', 'b'] } };

  test('a ValidatingAdmissionPolicy validation and messageExpression compile with their types and evaluate', () => {
    const validation = compilePolicyExpression(
      "quantity(object.spec.limit).isLessThan(quantity('1Gi')) && cidr('10.0.0.0/8').containsIP(object.spec.podIP) && object.spec.hosts.isSorted()",
      'validation',
      scope,
    );
    assert.ok('program' in validation, 'error' in validation ? validation.error : '');
    assert.equal(validation.type, 'bool');
    assert.equal(validation.program(activation(pod)), true);
    assert.equal(validation.program(activation({ ...pod, spec: { ...pod.spec, podIP: '192.168.0.1' } })), false);

    const message = compilePolicyExpression("'%s is not a DNS-1035 label: %s'.format([object.metadata.name, format.dns1035Label().validate(object.metadata.name).value()[0]])", 'messageExpression', scope);
    assert.ok('program' in message && message.type === 'string');
    assert.match(String(message.program(activation({ ...pod, metadata: { name: '1web' } }))), /^1web is not a DNS-1035 label: a DNS-1035 label must consist/);
  });

  test('a webhook matchCondition', () => {
    const condition = compilePolicyExpression("url(object.spec.endpoint).getHostname() in ['ok1', 'ok2']", 'matchCondition', scope);
    assert.ok('program' in condition && condition.type === 'bool');
    assert.equal(condition.program(activation({ spec: { endpoint: 'https://ok2:8443/hook' } })), true);
  });

  test('a call with the wrong argument types does not compile', () => {
    const wrong = compilePolicyExpression("ip('10.0.0.1').isLessThan(quantity('1'))", 'validation', scope);
    assert.ok('error' in wrong && wrong.error.startsWith('compilation failed: found no matching overload'));
  });
});
