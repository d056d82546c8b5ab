import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definitions } from '../../../src/api/openapi/definitions-data.js';

type Props = Record<string, Record<string, unknown>>;
const props = (name: string): Props => {
  const d = definitions[name];
  assert.ok(d, `definition ${name}`);
  return d.properties as Props;
};
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

test('the generated file stays small enough to commit', () => {
  const size = statSync(fileURLToPath(new URL('../../../src/api/openapi/definitions.json', import.meta.url))).size;
  assert.ok(size < 4 * 1024 * 1024, `${size} bytes`);
});

test('definitions carry upstream names for api, apimachinery, apiextensions and aggregator types', () => {
  for (const name of ['io.k8s.api.core.v1.PodSpec', 'io.k8s.api.apps.v1.DeploymentSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString', QUANTITY, 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
    'io.k8s.api.core.v1.Event', 'io.k8s.api.events.v1.Event', 'io.k8s.api.discovery.v1.EndpointPort', 'io.k8s.api.core.v1.EndpointPort',
    'io.k8s.api.storage.v1.TokenRequest', 'io.k8s.api.authentication.v1.TokenRequest', 'io.k8s.apimachinery.pkg.version.Info']) {
    assert.ok(definitions[name], name);
  }
});

const quantityFields: [string, string][] = [
  ['io.k8s.api.core.v1.ResourceRequirements', 'limits'],
  ['io.k8s.api.core.v1.ResourceRequirements', 'requests'],
  ['io.k8s.api.core.v1.NodeStatus', 'capacity'],
  ['io.k8s.api.core.v1.NodeStatus', 'allocatable'],
  ['io.k8s.api.core.v1.ResourceQuotaSpec', 'hard'],
  ['io.k8s.api.core.v1.ResourceQuotaStatus', 'used'],
  ['io.k8s.api.core.v1.PodSpec', 'overhead'],
  ['io.k8s.api.core.v1.LimitRangeItem', 'default'],
  ['io.k8s.api.core.v1.PersistentVolumeSpec', 'capacity'],
  ['io.k8s.api.core.v1.EmptyDirVolumeSource', 'sizeLimit'],
  ['io.k8s.api.core.v1.ResourceFieldSelector', 'divisor'],
  ['io.k8s.api.autoscaling.v2.MetricTarget', 'averageValue'],
  ['io.k8s.api.node.v1.Overhead', 'podFixed'],
];
for (const [def, field] of quantityFields) {
  test(`${def.split('.').pop()}.${field} is a resource Quantity (int-or-string)`, () => {
    assert.match(JSON.stringify(props(def)[field]), new RegExp(`"\\$ref":"${QUANTITY.replaceAll('.', '\\.')}"`));
  });
}

test('ordinary string maps (labels, configmap data, selectors) stay strings', () => {
  assert.deepEqual(props('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').labels.additionalProperties, { type: 'string' });
  assert.deepEqual(props('io.k8s.api.core.v1.ConfigMap').data.additionalProperties, { type: 'string' });
  assert.deepEqual(props('io.k8s.api.core.v1.ServiceSpec').selector.additionalProperties, { type: 'string' });
});

test('wire names are used for fields whose client-node name differs', () => {
  assert.ok(props('io.k8s.api.core.v1.LimitRangeItem').default);
  assert.ok(props('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps')['x-kubernetes-preserve-unknown-fields']);
  assert.ok(props('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps').$ref);
});

test('top-level kinds carry x-kubernetes-group-version-kind; nested types do not', () => {
  assert.deepEqual(definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(definitions['io.k8s.api.core.v1.PodList']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'PodList', version: 'v1' }]);
  assert.deepEqual(definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Status']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Status', version: 'v1' }]);
  assert.equal(definitions['io.k8s.api.core.v1.PodSpec']['x-kubernetes-group-version-kind'], undefined);
});

test('dates are date-time strings, and required fields come from the models', () => {
  assert.deepEqual({ type: definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].type, format: definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format },
    { type: 'string', format: 'date-time' });
  assert.deepEqual(definitions['io.k8s.api.core.v1.Container'].required, ['name']);
  assert.deepEqual(definitions['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
});

test('descriptions come through, including those of $ref fields', () => {
  assert.match(String(definitions['io.k8s.api.core.v1.PodSpec'].description), /PodSpec is a description of a pod/);
  assert.match(String(props('io.k8s.api.core.v1.PodSpec').affinity.description), /scheduling constraints/);
  assert.doesNotMatch(String(props('io.k8s.api.core.v1.PodSpec').dnsPolicy.description), /\\'/, 'escapes are undone');
});
