// A container's environment built as upstream's kubelet does, with ConfigMaps and Secrets read
// from the real API server (in-process): precedence, $(VAR) expansion, every valueFrom source,
// service link variables and the errors that keep a container in CreateContainerConfigError.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { isNotFound } from '../../../src/client/rest/errors.js';
import type { Client } from '../../../src/client/rest/client.js';
import { EnvError, expandCommand, makeEnvironmentVariables, type EnvironmentInput } from '../../../src/kubelet/env/container-env.js';
import type { EventRecorder } from '../../../src/client/record/recorder.js';

let api: InProcessApi;
let client: Client;
const ns = 'envtest';

async function getOrUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  await client.resource(resources.namespaces).create({ metadata: { name: ns } });
  await client.resource(resources.configMaps).create({ metadata: { name: 'app', namespace: ns }, data: { MODE: 'prod', 'log.level': 'debug', '1BAD': 'x', '2ND': 'y' } });
  await client.resource(resources.secrets).create({ metadata: { name: 'creds', namespace: ns }, stringData: { PASSWORD: 's3cret', USER: 'admin' } });
});
after(async () => {
  await api?.close();
});

const pod = (over: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: ns, uid: 'uid-1', labels: { b: '2', a: '1' }, annotations: { note: 'hi "there"' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'builder', containers: [], ...over },
});

function input(container: Container, over: Partial<EnvironmentInput> = {}): EnvironmentInput {
  return {
    pod: pod({ containers: [container] }),
    container,
    podIP: '10.0.0.5',
    podIPs: ['10.0.0.5', 'fd00::5'],
    hostIP: '192.168.1.10',
    nodeName: 'node-1',
    services: [],
    getConfigMap: (n, name) => getOrUndefined(client.resource(resources.configMaps).get(name, { namespace: n })) as Promise<ConfigMap | undefined>,
    getSecret: (n, name) => getOrUndefined(client.resource(resources.secrets).get(name, { namespace: n })) as Promise<Secret | undefined>,
    ...over,
  };
}

const asMap = (kv: { name: string; value: string }[]) => Object.fromEntries(kv.map((e) => [e.name, e.value]));

describe('makeEnvironmentVariables', () => {
  test('env overrides envFrom, values expand earlier variables, and unknown references stay as written', async () => {
    const env = asMap(
      await makeEnvironmentVariables(
        input({
          name: 'c',
          envFrom: [{ configMapRef: { name: 'app' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }],
          env: [
            { name: 'MODE', value: 'dev' },
            { name: 'URL', value: 'postgres://$(DB_USER):$(DB_PASSWORD)@db/$(MODE)' },
            { name: 'LATER', value: '$(NOT_YET) $$(MODE) $(MODE' },
            { name: 'NOT_YET', value: 'x' },
          ],
        }),
      ),
    );
    assert.equal(env.MODE, 'dev');
    assert.equal(env['log.level'], 'debug');
    assert.equal(env.DB_PASSWORD, 's3cret');
    assert.equal(env.URL, 'postgres://admin:s3cret@db/dev', 'expansion sees envFrom values and earlier env entries (MODE was overridden)');
    assert.equal(env.LATER, '$(NOT_YET) $(MODE) $(MODE');
    assert.equal(env['1BAD'], undefined, 'keys that are not valid names are skipped');
  });

  test('skipped envFrom keys produce an InvalidEnvironmentVariableNames warning with the sorted keys', async () => {
    const events: string[] = [];
    const recorder: EventRecorder = {
      event: () => {},
      eventf: (_o, type, reason, fmt, ...args) => events.push(`${type} ${reason} ${fmt.replace(/%s/g, () => String(args.shift()))}`),
      annotatedEventf: () => {},
    };
    await makeEnvironmentVariables(input({ name: 'c', envFrom: [{ configMapRef: { name: 'app' } }] }, { recorder }));
    assert.deepEqual(events, ['Warning InvalidEnvironmentVariableNames Keys [1BAD, 2ND] from the EnvFrom configMap envtest/app were skipped since they are considered invalid environment variable names.']);
  });

  test('fieldRef reads pod metadata, spec and runtime status fields', async () => {
    const f = (fieldPath: string) => ({ name: fieldPath.replace(/\W/g, '_'), valueFrom: { fieldRef: { fieldPath } } });
    const paths = ['metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['a']", "metadata.annotations['note']", 'metadata.labels', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
    const env = await makeEnvironmentVariables(input({ name: 'c', env: paths.map(f) }));
    assert.deepEqual(
      env.map((e) => e.value),
      ['p', ns, 'uid-1', '1', 'hi "there"', 'a="1"\nb="2"', 'node-1', 'builder', '192.168.1.10', '192.168.1.10', '10.0.0.5', '10.0.0.5,fd00::5'],
    );
  });

  test('resourceFieldRef rounds up by the divisor and defaults missing limits to node allocatable', async () => {
    const r = (name: string, resource: string, divisor?: string) => ({ name, valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } });
    const env = asMap(
      await makeEnvironmentVariables(
        input(
          {
            name: 'c',
            resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m' } },
            env: [r('CPU_LIMIT', 'limits.cpu'), r('CPU_REQ_M', 'requests.cpu', '1m'), r('MEM_REQ_MI', 'requests.memory', '1Mi'), r('MEM_LIMIT', 'limits.memory'), r('CPU_REQ', 'requests.cpu')],
          },
          { nodeAllocatable: { cpu: '4', memory: '8Gi' } },
        ),
      ),
    );
    assert.deepEqual(env, { CPU_LIMIT: '2', CPU_REQ_M: '250', MEM_REQ_MI: '64', MEM_LIMIT: String(8 * 1024 ** 3), CPU_REQ: '1' });
  });

  test('configMapKeyRef and secretKeyRef read one key each; optional ones that are missing are left out', async () => {
    const env = asMap(
      await makeEnvironmentVariables(
        input({
          name: 'c',
          env: [
            { name: 'M', valueFrom: { configMapKeyRef: { name: 'app', key: 'MODE' } } },
            { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
            { name: 'NO_CM', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
            { name: 'NO_KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
          ],
          envFrom: [{ configMapRef: { name: 'absent', optional: true } }],
        }),
      ),
    );
    assert.deepEqual(env, { M: 'prod', P: 's3cret' });
  });

  const failures: [string, Container, string][] = [
    ['a missing configMap', { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
    ['a missing key of a configMap', { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'k' } } }] }, `couldn't find key k in ConfigMap ${ns}/app`],
    ['a missing secret', { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found'],
    ['a missing key of a secret', { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, `couldn't find key k in Secret ${ns}/creds`],
    ['a missing envFrom configMap', { name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] }, 'configmap "gone" not found'],
    ['a missing envFrom secret', { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, 'secret "gone" not found'],
    ['an unsupported fieldPath', { name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }, 'unsupported fieldPath: spec.bogus'],
  ];
  for (const [what, container, message] of failures) {
    test(`${what} is a CreateContainerConfigError with upstream's message`, async () => {
      await assert.rejects(makeEnvironmentVariables(input(container)), (err: unknown) => {
        assert.ok(err instanceof EnvError);
        assert.equal(err.reason, 'CreateContainerConfigError');
        assert.equal(err.message, message);
        return true;
      });
    });
  }

  test('service links: same-namespace services with enableServiceLinks, the kubernetes service always', async () => {
    const svc = (namespace: string, name: string, clusterIP: string, ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never): Service => ({
      metadata: { name, namespace },
      spec: { clusterIP, ports },
    });
    const services = [
      svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
      svc(ns, 'redis-main', '10.96.0.20', [{ port: 6379 }, { name: 'metrics', port: 9121, protocol: 'TCP' }]),
      svc(ns, 'headless', 'None', [{ port: 80 }]),
      svc('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
    ];
    const env = await makeEnvironmentVariables(input({ name: 'c', env: [{ name: 'REDIS_MAIN_SERVICE_HOST', value: 'override' }] }, { services }));
    const m = asMap(env);
    assert.equal(m.KUBERNETES_SERVICE_HOST, '10.96.0.1');
    assert.equal(m.KUBERNETES_SERVICE_PORT, '443');
    assert.equal(m.KUBERNETES_SERVICE_PORT_HTTPS, '443');
    assert.equal(m.KUBERNETES_PORT, 'tcp://10.96.0.1:443');
    assert.equal(m.KUBERNETES_PORT_443_TCP, 'tcp://10.96.0.1:443');
    assert.equal(m.KUBERNETES_PORT_443_TCP_PROTO, 'tcp');
    assert.equal(m.KUBERNETES_PORT_443_TCP_PORT, '443');
    assert.equal(m.KUBERNETES_PORT_443_TCP_ADDR, '10.96.0.1');
    assert.equal(m.REDIS_MAIN_SERVICE_HOST, 'override', 'the container’s own variable wins');
    assert.equal(env.filter((e) => e.name === 'REDIS_MAIN_SERVICE_HOST').length, 1);
    assert.equal(m.REDIS_MAIN_SERVICE_PORT, '6379');
    assert.equal(m.REDIS_MAIN_SERVICE_PORT_METRICS, '9121');
    assert.equal(m.REDIS_MAIN_PORT_9121_TCP, 'tcp://10.96.0.20:9121');
    assert.equal(m.HEADLESS_SERVICE_HOST, undefined);
    assert.equal(m.ELSEWHERE_SERVICE_HOST, undefined);
    assert.ok(env.findIndex((e) => e.name === 'KUBERNETES_SERVICE_HOST') < env.findIndex((e) => e.name === 'REDIS_MAIN_SERVICE_HOST'), 'service variables come first');

    const noLinks = asMap(await makeEnvironmentVariables({ ...input({ name: 'c' }, { services }), pod: pod({ enableServiceLinks: false, containers: [{ name: 'c' }] }) }));
    assert.equal(noLinks.REDIS_MAIN_SERVICE_HOST, undefined);
    assert.equal(noLinks.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  });
});

describe('expandCommand', () => {
  test('expands $(VAR), turns $$ into $ and leaves unknown references alone', () => {
    const env = [{ name: 'NAME', value: 'world' }, { name: 'EMPTY', value: '' }];
    assert.deepEqual(expandCommand(['echo', 'hello $(NAME)', '$$(NAME)', '$(MISSING)', '[$(EMPTY)]', '$', 'a$b', '$(NAME'], env), [
      'echo',
      'hello world',
      '$(NAME)',
      '$(MISSING)',
      '[]',
      '$',
      'a$b',
      '$(NAME',
    ]);
  });
});
