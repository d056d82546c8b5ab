// A container's environment (upstream kubelet_pods.go makeEnvironmentVariables). Order of
// precedence, lowest first: service link variables, envFrom sources in order, env entries in
// order. `value`s are expanded against the variables defined before them ($(VAR)); valueFrom
// sources are resolved against the API (configMaps, secrets), the pod and the runtime.
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/record/recorder.js';
import type { KeyValue } from '../runtime/types.js';
import { expand, mappingFor } from './expansion.js';
import { podFieldValue } from './field-path.js';
import { containerResourceValue } from './resource-field.js';
import { serviceEnvVarMap } from './service-env.js';

export { expandCommand } from './expansion.js';

/** A missing or bad source of a variable: the container cannot be created (its waiting reason). */
export class EnvError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvironmentInput {
  pod: Pod;
  container: Container;
  podIP: string;
  podIPs: string[];
  hostIP: string;
  nodeName: string;
  /** Every service the node knows (all namespaces); the function picks the visible ones. */
  services: Service[];
  /** Resolves to undefined when the object does not exist. */
  getConfigMap(ns: string, name: string): Promise<ConfigMap | undefined>;
  getSecret(ns: string, name: string): Promise<Secret | undefined>;
  /** Node allocatable: the default for limits a container leaves unset (resourceFieldRef). */
  nodeAllocatable?: Record<string, string>;
  /** Receives the InvalidEnvironmentVariableNames warning about skipped envFrom keys. */
  recorder?: EventRecorder;
}

/** upstream IsEnvVarName: what the API accepts as an env var name. */
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export async function makeEnvironmentVariables(input: EnvironmentInput): Promise<KeyValue[]> {
  const { pod, container } = input;
  const ns = pod.metadata?.namespace ?? 'default';
  const serviceEnv = serviceEnvVarMap(input.services, ns, pod.spec?.enableServiceLinks ?? true);
  const configMaps = new Map<string, ConfigMap | undefined>();
  const secrets = new Map<string, Secret | undefined>();
  const getConfigMap = async (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, await input.getConfigMap(ns, name));
    return configMaps.get(name);
  };
  const getSecret = async (name: string) => {
    if (!secrets.has(name)) secrets.set(name, await input.getSecret(ns, name));
    return secrets.get(name);
  };

  // Env overrides envFrom: resolve envFrom first, then let env replace what it sets.
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string>;
    let what: string;
    let name: string;
    if (from.configMapRef) {
      name = from.configMapRef.name ?? '';
      what = 'configMap';
      const cm = await getConfigMap(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new EnvError(`configmap "${name}" not found`);
      }
      data = cm.data ?? {};
    } else if (from.secretRef) {
      name = from.secretRef.name ?? '';
      what = 'secret';
      const secret = await getSecret(name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new EnvError(`secret "${name}" not found`);
      }
      data = decodeSecretData(secret);
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [k0, v] of Object.entries(data)) {
      const k = prefix + k0;
      if (!envVarName.test(k)) {
        invalid.push(k);
        continue;
      }
      vars.set(k, v);
    }
    if (invalid.length > 0) {
      invalid.sort();
      input.recorder?.eventf(
        podRef(pod),
        'Warning',
        'InvalidEnvironmentVariableNames',
        'Keys [%s] from the EnvFrom %s %s/%s were skipped since they are considered invalid environment variable names.',
        invalid.join(', '),
        what,
        ns,
        name,
      );
    }
  }

  const mapping = mappingFor(vars, serviceEnv);
  for (const env of container.env ?? []) {
    let value = env.value ?? '';
    if (value !== '') {
      value = expand(value, mapping);
    } else if (env.valueFrom) {
      const from = env.valueFrom;
      if (from.fieldRef) {
        value = wrap(() => podFieldValue(from.fieldRef!, pod, input));
      } else if (from.resourceFieldRef) {
        value = wrap(() => containerResourceValue(from.resourceFieldRef!, container, input.nodeAllocatable));
      } else if (from.configMapKeyRef) {
        const { name = '', key, optional } = from.configMapKeyRef;
        const cm = await getConfigMap(name);
        if (!cm) {
          if (optional) continue;
          throw new EnvError(`configmap "${name}" not found`);
        }
        const v = cm.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new EnvError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = v;
      } else if (from.secretKeyRef) {
        const { name = '', key, optional } = from.secretKeyRef;
        const secret = await getSecret(name);
        if (!secret) {
          if (optional) continue;
          throw new EnvError(`secret "${name}" not found`);
        }
        const v = decodeSecretData(secret)[key];
        if (v === undefined) {
          if (optional) continue;
          throw new EnvError(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = v;
      }
    }
    vars.set(env.name, value);
  }

  // Service variables come first; ones the container sets itself are not repeated.
  const out: KeyValue[] = [];
  for (const [name, value] of serviceEnv) if (!vars.has(name)) out.push({ name, value });
  for (const [name, value] of vars) out.push({ name, value });
  return out;
}

/** Secret data as strings (the API carries it base64-encoded; stringData is write-only). */
export function decodeSecretData(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

function podRef(pod: Pod) {
  return { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid };
}

function wrap(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    throw new EnvError((err as Error).message);
  }
}
