// Runtimes by name (the agent's --container-runtime): a plain name → factory table, so an OCI
// runtime is one more row. Every factory gets the same options object and picks what it needs.
import type { Logger } from '../../util/log.js';
import type { LogRotationOptions } from '../logs/writer.js';
import { FakeRuntime } from './fake/runtime.js';
import { ProcessRuntime } from './process/runtime.js';
import type { Runtime } from './types.js';

export interface RuntimeOptions {
  /** State directory of the runtime (e.g. DATA_DIR/runtime). */
  rootDir: string;
  /** The node's pod CIDR; the process runtime hands out loopback addresses from it. */
  podCidr?: string;
  nodeIp?: string;
  logRotation?: LogRotationOptions;
  log?: Logger;
}

export const runtimeFactories: Record<string, (opts: RuntimeOptions) => Runtime> = {
  process: (opts) => new ProcessRuntime(opts),
  fake: () => new FakeRuntime(),
};

export function createRuntime(name: string, opts: RuntimeOptions): Runtime {
  const factory = runtimeFactories[name];
  if (!factory) throw new Error(`unknown container runtime ${JSON.stringify(name)} (use one of ${Object.keys(runtimeFactories).join(', ')})`);
  return factory(opts);
}
