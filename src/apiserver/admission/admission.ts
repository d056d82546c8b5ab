// Admission: plugins that may mutate and then validate an object before it is stored, in the
// order upstream runs them (mutating first, then validating). Each plugin is a plain object.
import type { StatusCause } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import type { RequestContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ReinvocationContext } from './reinvocation.js';

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
  /**
   * The object being written (mutable for admit); for DELETE, the object being deleted; for
   * CONNECT, the connect options (PodExecOptions, PodProxyOptions, …).
   */
  object: KubeObject;
  oldObject?: KubeObject;
  /**
   * The operation's options as upstream hands them to admission (GetOperationOptions): the
   * DeleteOptions of a DELETE. Absent: webhooks are told what the request context holds.
   */
  options?: Record<string, unknown>;
  ctx: RequestContext;
  /** Set by the first plugin that asks for the mutating phase to run again (see reinvocation.ts). */
  reinvocation?: ReinvocationContext;
}

export interface AdmissionPlugin {
  name: string;
  admit?(attrs: AdmissionAttributes): void | Promise<void>;
  validate?(attrs: AdmissionAttributes): void | Promise<void>;
  /**
   * Not run again when the mutating phase is reinvoked: a step upstream does outside admission,
   * which must happen once (Service IP allocation is upstream's REST storage BeginCreate, and a
   * second run would find its own allocation taken). Every other mutating plugin is reinvoked.
   */
  once?: boolean;
}

/**
 * Runs the plugins in order, each after the previous one finished. Most plugins answer
 * synchronously: they are called one after another without a microtask turn each (an `await`
 * per plugin cost every write a dozen of them); the chain waits only on a plugin that returns a
 * promise. A plugin's error, thrown or rejected, ends the chain as a rejection.
 *
 * The mutating phase runs a second time when a plugin asked for it during the first (upstream's
 * reinvocationHandler around the chain: a mutating webhook changed the object), so the built-in
 * plugins and the webhooks with reinvocationPolicy IfNeeded see what came after them. Never a
 * third time.
 */
export class AdmissionChain {
  private readonly admitters: AdmissionPlugin[];
  private readonly reinvoked: AdmissionPlugin[];
  private readonly validators: AdmissionPlugin[];

  constructor(plugins: AdmissionPlugin[]) {
    this.admitters = plugins.filter((p) => p.admit);
    this.reinvoked = this.admitters.filter((p) => !p.once);
    this.validators = plugins.filter((p) => p.validate);
  }

  admit(attrs: AdmissionAttributes): Promise<void> {
    const first = runFrom(this.admitters, 0, attrs, 'admit');
    // Only a plugin that went asynchronous (a webhook call) asks for reinvocation; the check
    // costs a write without webhooks one property read.
    if (first === admissionPassed && !attrs.reinvocation?.shouldReinvoke) return first;
    return first.then(() => this.reinvoke(attrs));
  }

  private reinvoke(attrs: AdmissionAttributes): Promise<void> | undefined {
    const rc = attrs.reinvocation;
    if (!rc?.shouldReinvoke) return undefined;
    rc.isReinvoke = true;
    return runFrom(this.reinvoked, 0, attrs, 'admit');
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
