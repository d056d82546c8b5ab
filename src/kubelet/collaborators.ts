// The real env, volume, probe and hook modules behind the sync's narrow interfaces (sync-deps.ts).
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import type { EventRecorder } from '../client/record/index.js';
import { expandCommand, makeEnvironmentVariables } from './env/container-env.js';
import { ProberManager } from './prober/prober-manager.js';
import type { Runtime } from './runtime/types.js';
import type { EnvProvider, Prober } from './sync-deps.js';

export function apiEnvProvider(o: { client: Client; nodeName: string; hostIP: string; services(): Service[]; recorder?: EventRecorder; nodeAllocatable?(): Record<string, string> | undefined }): EnvProvider {
  const getOr404 = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
  return {
    environment: async (pod: Pod, container, podIP, podIPs) => {
      const env = await makeEnvironmentVariables({
        pod,
        container,
        podIP,
        podIPs,
        hostIP: o.hostIP,
        nodeName: o.nodeName,
        services: o.services(),
        getConfigMap: (ns, name) => getOr404<ConfigMap>(() => o.client.resource(resources.configMaps).get(name, { namespace: ns })),
        getSecret: (ns, name) => getOr404<Secret>(() => o.client.resource(resources.secrets).get(name, { namespace: ns })),
        nodeAllocatable: o.nodeAllocatable?.(),
        recorder: o.recorder,
      });
      // The process runtime shares the host's network: a container finds the address it should
      // listen on in POD_IP (unless the spec sets that name itself).
      if (!env.some((e) => e.name === 'POD_IP')) env.push({ name: 'POD_IP', value: podIP });
      return env;
    },
    expand: expandCommand,
  };
}

export function proberFor(o: { runtime: Runtime; recorder?: EventRecorder; log: Logger; onUpdate(uid: string): void }): Prober & { stop(): void } {
  return new ProberManager({ runtime: o.runtime, recorder: o.recorder, log: o.log, onUpdate: o.onUpdate });
}
