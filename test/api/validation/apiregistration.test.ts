// APIService validation through validateObject / validateObjectUpdate, after defaulting as the
// store does, each rule checked by upstream's rendered message (kube-aggregator's
// apiregistration/validation ValidateAPIService).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { fieldErrorMessage } from '../../../src/api/status.js';
import { applyDefaults } from '../../../src/api/defaults/index.js';
import { validateObject, validateObjectUpdate } from '../../../src/api/validation/index.js';

type Obj = Record<string, any>;
const group = 'apiregistration.k8s.io';
const kind = 'APIService';

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64'); // 28 bytes

/** A remote APIService for v1beta1.metrics.example.com, changed by edit. */
function apiService(edit: (spec: Obj) => void = () => {}, name = 'v1beta1.metrics.example.com'): KubeObject {
  const spec: Obj = { group: 'metrics.example.com', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'kube-system', name: 'metrics' }, caBundle };
  edit(spec);
  return { apiVersion: `${group}/v1`, kind, metadata: { name }, spec };
}

function messages(obj: KubeObject): string[] {
  const o = structuredClone(obj);
  applyDefaults(group, 'v1', kind, o);
  return validateObject(group, 'v1', kind, o).map(fieldErrorMessage);
}

const cases: Array<{ name: string; obj: KubeObject; expect: string[] }> = [
  { name: 'a remote APIService with its Service and CA bundle is valid', obj: apiService(), expect: [] },
  { name: 'the legacy v1 group is local and named "v1."', obj: apiService((s) => Object.assign(s, { group: '', version: 'v1', service: undefined, caBundle: undefined }), 'v1.'), expect: [] },
  {
    name: 'the name must be version.group',
    obj: apiService(() => {}, 'metrics.example.com'),
    expect: ['metadata.name: Invalid value: "metrics.example.com": must be `spec.version+"."+spec.group`: "v1beta1.metrics.example.com"'],
  },
  {
    name: 'only v1 may have an empty group',
    obj: apiService((s) => Object.assign(s, { group: '', service: undefined, caBundle: undefined }), 'v1beta1.'),
    expect: ['spec.group: Required value: only v1 may have an empty group and it better be legacy kube'],
  },
  {
    name: 'the group is a DNS subdomain and the version a DNS-1035 label',
    obj: apiService((s) => Object.assign(s, { group: 'Metrics', version: '1beta' }), '1beta.Metrics'),
    expect: [`spec.group: Invalid value: "Metrics": ${subdomainMsg}`, `spec.version: Invalid value: "1beta": ${dns1035Msg}`],
  },
  {
    name: 'priorities must be in range (unset is 0)',
    obj: apiService((s) => Object.assign(s, { groupPriorityMinimum: 20001, versionPriority: undefined })),
    expect: ['spec.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000', 'spec.versionPriority: Invalid value: 0: must be positive and less than 1000'],
  },
  {
    name: 'a local APIService may not carry TLS settings',
    obj: apiService((s) => Object.assign(s, { service: undefined, insecureSkipTLSVerify: true })),
    expect: ['spec.caBundle: Invalid value: "28 bytes": local APIServices may not have a caBundle', 'spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify'],
  },
  {
    name: 'a remote APIService names its Service',
    obj: apiService((s) => (s.service = { port: 443 })),
    expect: ['spec.service.namespace: Required value', 'spec.service.name: Required value'],
  },
  {
    name: 'insecureSkipTLSVerify may not be set beside a CA bundle',
    obj: apiService((s) => (s.insecureSkipTLSVerify = true)),
    expect: ['spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present'],
  },
  { name: 'insecureSkipTLSVerify alone is allowed', obj: apiService((s) => Object.assign(s, { insecureSkipTLSVerify: true, caBundle: undefined })), expect: [] },
];

for (const c of cases) test(`APIService: ${c.name}`, () => assert.deepEqual(messages(c.obj), c.expect));

test('APIService: an update is validated as a create (a version change must rename it, which an update cannot)', () => {
  const before = structuredClone(apiService());
  applyDefaults(group, 'v1', kind, before);
  before.metadata!.resourceVersion = '3';
  const after = structuredClone(before);
  (after as Obj).spec.version = 'v1';
  const errs = validateObjectUpdate(group, 'v1', kind, after, before).map(fieldErrorMessage);
  assert.deepEqual(errs, ['metadata.name: Invalid value: "v1beta1.metrics.example.com": must be `spec.version+"."+spec.group`: "v1.metrics.example.com"']);
});
