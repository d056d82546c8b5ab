// The CEL library (@marcbachmann/cel-js), loaded when first needed rather than at start: its
// initialisation takes ~15 ms of every start, and most clusters have no CEL rule at all. Code
// that evaluates CEL synchronously runs only after loadCEL() has resolved: the CRD strategy's
// `ready` hook loads it before any CRD write is validated, the CRD controller before it serves a
// CRD with rules, the webhook plugins before they evaluate match conditions.
export type CELModule = typeof import('@marcbachmann/cel-js');

let loaded: CELModule | undefined;
let loading: Promise<CELModule> | undefined;

export function loadCEL(): Promise<CELModule> {
  return (loading ??= import('@marcbachmann/cel-js').then((m) => (loaded = m)));
}

export function celLoaded(): boolean {
  return loaded !== undefined;
}

/** The library; throws if loadCEL() has not resolved yet (a caller that skipped it). */
export function cel(): CELModule {
  if (!loaded) throw new Error('the CEL library is not loaded yet: await loadCEL() first');
  return loaded;
}

/** Whether a CRD (or any part of one) carries CEL rules, which its validation will evaluate. */
export function usesCEL(obj: unknown): boolean {
  return JSON.stringify(obj ?? null).includes('"x-kubernetes-validations"');
}

/** The first line of a CEL library error (the rest is a drawing of where in the expression). */
export function celErrorLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0].trim();
}

// Errors raised by our Kubernetes extension functions (src/api/cel/k8s) already carry cel-go's
// wording, capitals included ("IP Address ... parse error"): they are marked so that they keep it.
const kubernetesLibraryError = 'kubernetes_library';

/** An evaluation error with upstream's message, for the Kubernetes extension functions. Needs loadCEL(). */
export function libraryError(message: string): Error {
  return new (cel().EvaluationError)({ code: kubernetesLibraryError, message });
}

/** An evaluation error as cel-go words it: "no such key: x", where the library says "No such key: x". */
export function celEvaluationError(err: unknown): string {
  const line = celErrorLine(err);
  if ((err as { code?: unknown } | null)?.code === kubernetesLibraryError) return line;
  return line.charAt(0).toLowerCase() + line.slice(1);
}
