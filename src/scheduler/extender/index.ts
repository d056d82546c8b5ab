// Scheduler extenders over HTTP(S), compatible with kube-scheduler's extender API. The cycle-level
// use (filter chain, prioritize scaling, bind) lives in the scheduler loop (scheduler.ts).
export { HTTPExtender, type VictimsMap } from './http-extender.js';
export { DEFAULT_EXTENDER_TIMEOUT_MS, extenderTimeoutMs, parseGoDuration, type ExtenderConfig, type ExtenderManagedResource, type ExtenderTLSConfig } from './config.js';
export { MAX_EXTENDER_PRIORITY } from './wire.js';
export type { ExtenderArgs, ExtenderFilterResult, ExtenderBindingArgs, ExtenderPreemptionArgs, HostPriority, MetaPod, MetaVictims, Victims } from './wire.js';
