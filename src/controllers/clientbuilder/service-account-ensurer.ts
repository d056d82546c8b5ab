// The controllers' ServiceAccounts made to exist, in the background: what upstream's client
// builder does for each controller before starting it (so `kubectl get sa -n kube-system` lists
// them), without holding up the manager's start. The names asked for in one turn of the event
// loop are handled together: one LIST of the namespace, then only the missing ones are created
// (getOrCreateServiceAccount, which also creates a missing namespace), so a restart writes
// nothing. A failure (no namespace yet, the API not reachable) is retried with a capped
// exponential backoff until every account exists or the ensurer is closed.
import type { Logger } from 'pino';
import { realClock, type Clock } from '../../client/clock.js';
import { Backoff } from '../../client/cache/backoff.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { getOrCreateServiceAccount } from './service-account.js';

export interface ServiceAccountEnsurerOptions {
  /** The controller manager's own client. */
  client: Client;
  namespace: string;
  log: Logger;
  clock?: Clock;
}

const retryBackoff = { initialMs: 500, maxMs: 30_000, resetMs: 120_000, factor: 2, jitter: 0.1 };

export class ServiceAccountEnsurer {
  /** Asked for, not yet seen to exist. */
  private readonly wanted = new Set<string>();
  private readonly done = new Set<string>();
  /** The pass in progress, if any; ensure() during it adds to what it does. */
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly opts: ServiceAccountEnsurerOptions) {}

  /** Makes the account exist soon; returns at once. */
  ensure(name: string): void {
    if (this.done.has(name) || this.abort.signal.aborted) return;
    this.wanted.add(name);
    this.running ??= this.run();
  }

  /** Stops retrying and waits for the request in flight. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    // The rest of this turn's names join the same pass.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { client, namespace, log } = this.opts;
    const signal = this.abort.signal;
    const backoff = new Backoff(this.opts.clock ?? realClock, retryBackoff);
    while (this.wanted.size && !signal.aborted) {
      try {
        const existing = new Set((await client.resource(resources.serviceAccounts, namespace).list({ signal })).items.map((a) => a.metadata?.name));
        for (const name of [...this.wanted]) {
          if (!existing.has(name)) await getOrCreateServiceAccount(client, namespace, name, log);
          this.wanted.delete(name);
          this.done.add(name);
        }
      } catch (err) {
        if (signal.aborted) break;
        log.info({ namespace, err }, 'cannot make the controllers\' service accounts yet; retrying');
        await backoff.wait(signal);
      }
    }
    this.running = undefined;
  }
}
