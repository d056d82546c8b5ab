// A Service created with generateName whose allocation fails is named by its generated name, as
// upstream's: its store generates the name before BeginCreate allocates the IPs and node ports,
// so `Service "web-x7k2p" is invalid: …` — never `Service ""`. A named Service keeps its name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { ApiError } from '../../src/client/rest/errors.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

let api: InProcessApi;
let client: Client;

before(async () => {
  api = await startInProcessApi({ server: { serviceCIDR: '10.96.0.0/16' } });
  client = api.client();
});
after(() => api?.close());

const ns = 'default';
const services = () => client.resource(resources.services);

function service(meta: { name?: string; generateName?: string }, spec: Record<string, unknown>): Service & KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } } as Service & KubeObject;
}

/** The 422 a refused create answers with. */
async function invalidCreate(svc: Service & KubeObject): Promise<ApiError> {
  const err = await services().create(svc, { namespace: ns }).then(
    () => assert.fail('the create was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, String(err));
  assert.equal(err.status.code, 422, err.message);
  assert.equal(err.status.reason, 'Invalid');
  return err;
}

/** The generated name a refusal names: generateName plus five characters. */
function generatedName(err: ApiError, prefix: string): string {
  const name = err.status.details?.name ?? '';
  assert.match(name, new RegExp(`^${prefix}[a-z0-9]{5}$`), err.message);
  return name;
}

describe('Service allocation failures of a generateName create name the generated Service', () => {
  test('a requested clusterIP already allocated', async () => {
    await services().create(service({ name: 'taken' }, { clusterIP: '10.96.0.50' }), { namespace: ns });
    const err = await invalidCreate(service({ generateName: 'web-' }, { clusterIP: '10.96.0.50' }));
    const name = generatedName(err, 'web-');
    assert.equal(err.status.message, `Service "${name}" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated`);
    assert.deepEqual(err.status.details?.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated', field: 'spec.clusterIPs' }]);
    // Nothing was stored under the generated name.
    assert.equal((await services().list({ namespace: ns })).items.some((s) => s.metadata?.name === name), false);
  });

  test('a requested clusterIP out of range', async () => {
    const err = await invalidCreate(service({ generateName: 'web-' }, { clusterIP: '10.97.0.5' }));
    const name = generatedName(err, 'web-');
    assert.equal(err.status.message, `Service "${name}" is invalid: spec.clusterIPs: Invalid value: ["10.97.0.5"]: failed to allocate IP 10.97.0.5: the provided IP (10.97.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16`);
  });

  test('a requested nodePort already allocated, and one out of range', async () => {
    const first = await services().create(service({ generateName: 'np-' }, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), { namespace: ns });
    assert.match(first.metadata?.name ?? '', /^np-[a-z0-9]{5}$/);
    const taken = await invalidCreate(service({ generateName: 'np-' }, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    assert.equal(taken.status.message, `Service "${generatedName(taken, 'np-')}" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`);
    const outside = await invalidCreate(service({ generateName: 'np-' }, { type: 'NodePort', ports: [{ port: 80, nodePort: 40000 }] }));
    assert.equal(outside.status.message, `Service "${generatedName(outside, 'np-')}" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767`);
  });

  test('ipFamily fields this cluster cannot serve', async () => {
    const err = await invalidCreate(service({ generateName: 'v6-' }, { ipFamilies: ['IPv6'] }));
    assert.equal(err.status.message, `Service "${generatedName(err, 'v6-')}" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster`);
  });

  test('a named Service is refused by its name; a dry-run generateName create names the generated Service too', async () => {
    const named = await invalidCreate(service({ name: 'named' }, { clusterIP: '10.96.0.50' }));
    assert.equal(named.status.message, 'Service "named" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated');
    const err = await services().create(service({ generateName: 'dry-' }, { clusterIP: '10.96.0.50' }), { namespace: ns, dryRun: true }).then(
      () => assert.fail('the dry run was accepted'),
      (e: unknown) => e as ApiError,
    );
    assert.equal(err.status.message, `Service "${generatedName(err, 'dry-')}" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated`);
  });
});
