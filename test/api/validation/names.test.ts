// The apimachinery string validators, with upstream's exact messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName, isValidPortName, nameIsDNSSubdomain } from '../../../src/api/validation/names.js';

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const qnameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const cases: [string, (v: string) => string[], string, string[]][] = [
  ['a DNS-1123 subdomain accepts dotted lower-case names', isDNS1123Subdomain, 'example.com', []],
  ['a DNS-1123 subdomain rejects capitals with the upstream message', isDNS1123Subdomain, 'Example', [subdomainMsg]],
  ['a DNS-1123 subdomain longer than 253 characters is too long and still checked by regex', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
  ['a DNS-1123 label accepts a leading digit', isDNS1123Label, '123-abc', []],
  ['a DNS-1123 label rejects dots', isDNS1123Label, 'a.b', [labelMsg]],
  ['a DNS-1123 label rejects 64 characters', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
  ['a DNS-1035 label rejects a leading digit', isDNS1035Label, '1abc', [dns1035Msg]],
  ['a DNS-1035 label accepts my-name', isDNS1035Label, 'my-name', []],
  ['a qualified name accepts a prefix and a name', isQualifiedName, 'example.com/MyName', []],
  ['a qualified name rejects an empty prefix', isQualifiedName, '/name', ['prefix part must be non-empty']],
  ['a qualified name rejects a bad name part', isQualifiedName, 'a/-x', [qnameMsg]],
  ['a qualified name rejects two slashes', isQualifiedName, 'a/b/c', ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
  ['a label value may be empty', isValidLabelValue, '', []],
  ['a label value rejects spaces', isValidLabelValue, 'a b', [labelValueMsg]],
  ['a config key rejects a slash and names the allowed characters', isConfigMapKey, 'a/b', ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]],
  ['a config key may not be ..', isConfigMapKey, '..', ["must not be '..'"]],
  ['a path segment name may not contain a slash', isValidPathSegmentName, 'a/b', ["may not contain '/'"]],
  ['a path segment name accepts colons (system:controller names)', isValidPathSegmentName, 'system:kube-scheduler', []],
  ['a port name may not have consecutive hyphens', isValidPortName, 'a--b', ['must not contain consecutive hyphens']],
  ['a port name needs a letter', isValidPortName, '123', ['must contain at least one letter (a-z)']],
];

for (const [name, fn, input, expected] of cases) {
  test(name, () => assert.deepEqual(fn(input), expected));
}

test('a generateName prefix may end with a dash', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.deepEqual(nameIsDNSSubdomain('web-', false), [subdomainMsg]);
});
