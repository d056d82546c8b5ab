// Admission: plugins that may mutate and then validate an object before it is stored, in the
// order upstream runs them (mutating first, then validating). Each plugin is a plain object.
import type { KubeObject } from '../../api/object.js';
import type { RequestContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  entry: ResourceEntry;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (mutable for admit); for DELETE, the object being deleted. */
  object: KubeObject;
  oldObject?: KubeObject;
  ctx: RequestContext;
}

export interface AdmissionPlugin {
  name: string;
  admit?(attrs: AdmissionAttributes): void | Promise<void>;
  validate?(attrs: AdmissionAttributes): void | Promise<void>;
}

export class AdmissionChain {
  constructor(private readonly plugins: AdmissionPlugin[]) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(attrs);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(attrs);
  }
}
