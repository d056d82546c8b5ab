// KubeletConfiguration's eventRecordQPS and eventBurst: how fast the node agent writes events.
// Defaulted as upstream's SetDefaults_KubeletConfiguration (an unset eventRecordQPS is 50, an unset
// or zero eventBurst is 100) and validated as its ValidateKubeletConfiguration; eventRecordQPS 0
// is no limit (upstream's server.go turns it into an unthrottled event client).
import type { EventRateLimit } from '../../client/record/index.js';

export interface KubeletEventConfig {
  eventRecordQPS?: number;
  eventBurst?: number;
}

export const defaultEventRecordQPS = 50;
export const defaultEventBurst = 100;

/** The event client's limit for cfg; throws upstream's message for a negative value. */
export function eventRateLimit(cfg: KubeletEventConfig = {}): EventRateLimit {
  const qps = cfg.eventRecordQPS ?? defaultEventRecordQPS;
  const burst = cfg.eventBurst || defaultEventBurst;
  const errors: string[] = [];
  if (burst < 0) errors.push(`invalid configuration: eventBurst (--event-burst) ${burst} must not be a negative number`);
  if (qps < 0) errors.push(`invalid configuration: eventRecordQPS (--event-qps) ${qps} must not be a negative number`);
  // utilerrors.NewAggregate's message: one error as is, several as "[a, b]".
  if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  return { qps, burst };
}
