// applyDefaults for apiextensions.k8s.io/v1 CustomResourceDefinition against upstream's
// SetDefaults_CustomResourceDefinition, ...Spec and SetDefaults_ServiceReference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { applyDefaults, defaulterFor } from '../../../src/api/defaults/index.js';

type Obj = Record<string, any>;

function defaulted(obj: Obj): Obj {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', o);
  return o as Obj;
}

const crd = (spec: Obj = {}, status?: Obj): Obj => ({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      { name: 'v1beta1', served: true, storage: false },
      { name: 'v1', served: true, storage: true },
    ],
    ...spec,
  },
  ...(status ? { status } : {}),
});

test('the CRD kind has a defaulter', () => assert.ok(defaulterFor('apiextensions.k8s.io', 'CustomResourceDefinition')));

test('singular defaults to the lowercased kind, listKind to kind + "List"', () => {
  const c = defaulted(crd());
  assert.equal(c.spec.names.singular, 'widget');
  assert.equal(c.spec.names.listKind, 'WidgetList');
});

test('names already given are kept; without a kind there is no listKind', () => {
  const c = defaulted(crd({ names: { plural: 'widgets', kind: 'Widget', singular: 'wd', listKind: 'Widgets' } }));
  assert.equal(c.spec.names.singular, 'wd');
  assert.equal(c.spec.names.listKind, 'Widgets');
  const noKind = defaulted(crd({ names: { plural: 'widgets' } }));
  assert.equal(noKind.spec.names.singular, '');
  assert.equal(noKind.spec.names.listKind, undefined);
});

test('conversion defaults to None; a given conversion is kept as it is', () => {
  assert.deepEqual(defaulted(crd()).spec.conversion, { strategy: 'None' });
  const webhook = { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://conv.example.com' }, conversionReviewVersions: ['v1'] } };
  assert.deepEqual(defaulted(crd({ conversion: webhook })).spec.conversion, webhook);
});

test('a conversion webhook service gets port 443', () => {
  const c = defaulted(crd({ conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'conv', namespace: 'system' } }, conversionReviewVersions: ['v1'] } } }));
  assert.equal(c.spec.conversion.webhook.clientConfig.service.port, 443);
  const own = defaulted(crd({ conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'conv', namespace: 'system', port: 8443 } } } } }));
  assert.equal(own.spec.conversion.webhook.clientConfig.service.port, 8443);
});

test('storedVersions defaults to the storage version, and is kept when set', () => {
  assert.deepEqual(defaulted(crd()).status.storedVersions, ['v1']);
  assert.deepEqual(defaulted(crd({}, { storedVersions: ['v1beta1', 'v1'] })).status.storedVersions, ['v1beta1', 'v1']);
  assert.equal(defaulted(crd({ versions: [{ name: 'v1', served: true, storage: false }] })).status, undefined);
});

test('nothing else is defaulted: no printer columns, no preserveUnknownFields', () => {
  const c = defaulted(crd());
  assert.equal(c.spec.preserveUnknownFields, undefined);
  assert.equal(c.spec.versions[1].additionalPrinterColumns, undefined);
});
