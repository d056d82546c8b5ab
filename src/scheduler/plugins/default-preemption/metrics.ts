// Preemption metrics, named as upstream's (pkg/scheduler/metrics): get-or-create, so the
// scheduler's own metrics file may declare the same series.
import { componentMetrics } from '../../../util/metrics.js';

const m = componentMetrics('scheduler');

export const preemptionAttempts = m.counter({
  name: 'preemption_attempts_total',
  help: 'Total preemption attempts in the cluster till now',
});

export const preemptionVictims = m.histogram({
  name: 'preemption_victims',
  help: 'Number of selected preemption victims',
  buckets: [1, 2, 4, 8, 16, 32, 64],
});
