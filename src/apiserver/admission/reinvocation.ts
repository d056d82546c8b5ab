// What one request's admission remembers between the two runs of its mutating phase (upstream's
// admission.ReinvocationContext on the attributes). A plugin that changed the object in a way
// others should see sets shouldReinvoke; the chain then runs the mutating phase once more with
// isReinvoke set. Plugins keep their own state across the runs in `values`, under their name.
import type { AdmissionAttributes } from './admission.js';

export interface ReinvocationContext {
  /** The mutating phase is running for the second time. */
  isReinvoke: boolean;
  /** A plugin asked for the mutating phase to run again after this run. */
  shouldReinvoke: boolean;
  /** Each plugin's state across the runs, by plugin name. */
  values: Map<string, unknown>;
}

/** The request's context, created the first time a plugin needs it (most writes never do). */
export function reinvocationOf(a: AdmissionAttributes): ReinvocationContext {
  return (a.reinvocation ??= { isReinvoke: false, shouldReinvoke: false, values: new Map() });
}
