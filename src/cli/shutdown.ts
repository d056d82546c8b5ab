// SIGINT/SIGTERM handling for long-running commands: the first signal closes everything in
// order and exits 0 (1 if closing failed); a second signal exits at once, for when closing hangs.
import type { Logger } from '../util/log.js';

const SIGNAL_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function exitOnSignal(close: () => Promise<void>, log: Logger, exit: (code: number) => void = process.exit): () => void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting without finishing shutdown');
      exit(SIGNAL_STATUS[signal] ?? 1);
      return;
    }
    closing = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => {
        log.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export interface StartupShutdown {
  /**
   * Runs one startup step and registers how to stop what it started. Should it fail, what earlier
   * steps started is stopped and the error rethrown. After a signal no further step starts (the
   * returned promise never settles: the process is exiting).
   */
  step<T>(start: () => Promise<T>, stop: (started: T) => Promise<void>): Promise<T>;
  /** Stops handling the signals (tests). */
  remove(): void;
}

/**
 * SIGINT/SIGTERM handled from a command's first moment, not once it is up: a signal while it starts
 * lets the step in progress finish (a half-opened store or half-registered node would be left as a
 * crash leaves them), stops every step started so far in reverse order, and exits as exitOnSignal
 * does. Without this, the default action killed the process half-started.
 */
export function shutdownFromStart(log: Logger, exit: (code: number) => void = process.exit): StartupShutdown {
  const stops: (() => Promise<void>)[] = [];
  let inProgress: Promise<unknown> = Promise.resolve();
  let signalled = false;
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  const remove = exitOnSignal(
    async () => {
      signalled = true;
      await inProgress.catch(() => undefined);
      await stopAll();
    },
    log,
    exit,
  );
  return {
    remove,
    async step(start, stop) {
      if (signalled) return new Promise(() => {});
      const p = start();
      inProgress = p;
      let started;
      try {
        started = await p;
      } catch (err) {
        if (!signalled) await stopAll().catch((e: unknown) => log.error({ err: e }, 'stop after a failed start failed'));
        throw err;
      }
      stops.push(() => stop(started));
      if (signalled) return new Promise(() => {});
      return started;
    },
  };
}
