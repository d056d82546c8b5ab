// How a control-plane component runs as its own process (`k8ts controller-manager`,
// `k8ts scheduler`): until SIGINT/SIGTERM (a second signal exits at once), and, unless told
// otherwise, only while it holds its Lease in kube-system, so several instances can run with one
// active, as upstream's components do. Closes the client and exits 0 when done.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { LeaseLock, restLeaseStore, runLeaderElection } from '../client/leaderelection/index.js';

export interface LeaderElectionFlags {
  leaderElect: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
}

export async function runLeaderElected(
  opts: { client: Client; log: Logger; flags: LeaderElectionFlags; leaseName: string; what: string },
  run: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const { client, log, flags } = opts;
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The client library's timers and idle connections do not keep a process alive (a library
  // must not); the command does, until it is told to stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  abort.signal.addEventListener('abort', () => clearInterval(keepAlive), { once: true });
  if (!flags.leaderElect) {
    log.info('running without leader election');
    await run(abort.signal);
  } else {
    const identity = `${hostname()}_${randomUUID()}`;
    let leading: Promise<void> | undefined;
    await runLeaderElection(
      {
        lock: new LeaseLock({ namespace: 'kube-system', name: opts.leaseName, identity, store: restLeaseStore(client) }),
        leaseDurationMs: flags.leaderElectLeaseDuration * 1000,
        renewDeadlineMs: flags.leaderElectRenewDeadline * 1000,
        retryPeriodMs: flags.leaderElectRetryPeriod * 1000,
        releaseOnCancel: true,
        name: opts.leaseName,
        log,
        callbacks: {
          onStartedLeading: (signal) => {
            log.info({ identity }, `became leader; starting ${opts.what}`);
            leading = run(signal);
          },
          onStoppedLeading: () => log.info({ identity }, 'stopped leading'),
          onNewLeader: (leader) => {
            if (leader !== identity) log.info({ leader }, 'another instance leads');
          },
        },
      },
      abort.signal,
    );
    await leading;
  }
  await client.close();
  process.exit(0);
}
