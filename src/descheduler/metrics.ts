// The descheduler's Prometheus metrics, named as upstream's (metrics/metrics.go, subsystem
// "descheduler"): descheduler_pods_evicted by result, strategy, profile, namespace and node,
// and the durations of a whole pass and of each plugin's run.
import { componentMetrics } from '../util/metrics.js';

const m = componentMetrics('descheduler');

/** result: success | error | "maximum number of pods per node reached" | … (upstream's strings). */
export const podsEvicted = m.counter<'result' | 'strategy' | 'profile' | 'namespace' | 'node'>({
  name: 'pods_evicted',
  help: 'Number of evicted pods, by the result, by the strategy, by the namespace, by the node name. \'error\' result means a pod could not be evicted',
  labelNames: ['result', 'strategy', 'profile', 'namespace', 'node'],
});

export const loopDuration = m.histogram<'type'>({
  name: 'descheduler_loop_duration_seconds',
  help: 'Time taken to complete a full descheduling cycle',
  labelNames: ['type'],
  buckets: [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500],
});

export const strategyDuration = m.histogram<'strategy' | 'profile'>({
  name: 'descheduler_strategy_duration_seconds',
  help: 'Time taken to complete Each strategy of the descheduling operation',
  labelNames: ['strategy', 'profile'],
  buckets: [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
});
