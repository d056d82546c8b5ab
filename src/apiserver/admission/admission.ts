// Admission: plugins that may mutate and then validate an object before it is stored, in the
// order upstream runs them (mutating first, then validating). Each plugin is a plain object.
import type { StatusCause } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import type { RequestContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  entry: ResourceEntry;
  subresource: string;
  namespace: string;
  /**
   * The object's name as the request gave it. On a create with generateName it is '' while
   * mutating admission runs (upstream's create handler builds the attributes before the store
   * generates the name) and the generated name for validating admission.
   */
  name: string;
  /**
   * On a create with generateName, the name the store generated (set while mutating admission
   * runs): what upstream's BeginCreate step (Service IP allocation, run here as admission) names.
   */
  generatedName?: string;
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

/**
 * Runs the plugins in order, each after the previous one finished. Most plugins answer
 * synchronously: they are called one after another without a microtask turn each (an `await`
 * per plugin cost every write a dozen of them); the chain waits only on a plugin that returns a
 * promise. A plugin's error, thrown or rejected, ends the chain as a rejection.
 */
export class AdmissionChain {
  private readonly admitters: AdmissionPlugin[];
  private readonly validators: AdmissionPlugin[];

  constructor(plugins: AdmissionPlugin[]) {
    this.admitters = plugins.filter((p) => p.admit);
    this.validators = plugins.filter((p) => p.validate);
  }

  admit(attrs: AdmissionAttributes): Promise<void> {
    return runFrom(this.admitters, 0, attrs, 'admit');
  }

  validate(attrs: AdmissionAttributes): Promise<void> {
    return runFrom(this.validators, 0, attrs, 'validate');
  }
}

/**
 * What admit() and validate() return when every plugin answered synchronously and let the
 * write through: one settled promise, which a caller may skip awaiting (an await of it costs a
 * turn of the microtask queue per write).
 */
export const admissionPassed: Promise<void> = Promise.resolve();

function runFrom(plugins: AdmissionPlugin[], from: number, attrs: AdmissionAttributes, phase: 'admit' | 'validate'): Promise<void> {
  try {
    for (let i = from; i < plugins.length; i++) {
      const pending = plugins[i][phase]!(attrs);
      if (pending !== undefined) return pending.then(() => runFrom(plugins, i + 1, attrs, phase));
    }
    return admissionPassed;
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Upstream's admission.NewForbidden: `pods "NAME" is forbidden: MESSAGE`, details naming the
 * resource. NAME is the attributes' name, else the object's, else its generateName (a create
 * whose name is not generated yet), else "Unknown" (extractResourceName).
 */
export function admissionForbidden(a: AdmissionAttributes, message: string, causes?: StatusCause[]): StatusError {
  const meta = a.object?.metadata;
  const name = a.name || meta?.name || meta?.generateName || 'Unknown';
  const { group, resource } = a.entry.gr;
  const qualified = group ? `${resource}.${group}` : resource;
  const details = { name, group: group || undefined, kind: resource, ...(causes && { causes }) };
  return new StatusError(403, 'Forbidden', `${qualified} ${JSON.stringify(name)} is forbidden: ${message}`, details);
}
