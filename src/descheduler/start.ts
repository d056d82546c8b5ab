// Running the descheduler as a component (upstream descheduler.go Run): a pass now, then one every
// `intervalMs` until the signal aborts; with an interval of 0 a single pass, then return (upstream
// --descheduling-interval 0: run once and exit). Events go through an events.k8s.io/v1
// broadcaster reporting as "sigs.k8s.io/descheduler", flushed before returning.
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '../client/rest/client.js';
import { EventBroadcaster, restEventSink } from '../client/events/index.js';
import type { DeschedulerPolicy } from './policy/types.js';
import { inTreeRegistry, type Registry } from './plugins/registry.js';
import { runDeschedulingPass, type PassResult } from './descheduler.js';

export const REPORTING_CONTROLLER = 'sigs.k8s.io/descheduler';

export interface DeschedulerOptions {
  client: Client;
  log: Logger;
  policy: DeschedulerPolicy;
  /** 0: one pass and return. */
  intervalMs: number;
  dryRun: boolean;
  registry?: Registry;
  host?: string;
  /** Called after each pass (tests, the CLI's summary). */
  onPass?: (result: PassResult) => void;
}

export async function runDescheduler(opts: DeschedulerOptions, signal: AbortSignal): Promise<void> {
  const broadcaster = new EventBroadcaster({ log: opts.log });
  broadcaster.startRecordingToSink(restEventSink(opts.client));
  const recorder = opts.host ? broadcaster.newRecorder(REPORTING_CONTROLLER, `${REPORTING_CONTROLLER}-${opts.host}`) : broadcaster.newRecorder(REPORTING_CONTROLLER);
  const registry = opts.registry ?? inTreeRegistry();
  try {
    for (;;) {
      try {
        const result = await runDeschedulingPass({ client: opts.client, log: opts.log, recorder, policy: opts.policy, registry, dryRun: opts.dryRun }, signal);
        opts.onPass?.(result);
      } catch (err) {
        if (opts.intervalMs === 0) throw err;
        opts.log.error({ err }, 'descheduling pass failed');
      }
      if (opts.intervalMs === 0 || signal.aborted) return;
      try {
        await sleep(opts.intervalMs, undefined, { signal });
      } catch {
        return;
      }
    }
  } finally {
    await broadcaster.shutdown();
  }
}
